"""Session auth needs only the core: hiding every optional library leaves it importable."""

from __future__ import annotations

import importlib
import sys

import pytest

OPTIONAL = ["pydantic", "marshmallow", "apispec", "strawberry", "graphene", "sqlalchemy"]


@pytest.fixture
def without_optional_libraries(monkeypatch):
    for name in OPTIONAL:
        monkeypatch.setitem(sys.modules, name, None)
    for name in list(sys.modules):
        if name == "dyne.ext.auth" or name.startswith("dyne.ext.auth."):
            monkeypatch.delitem(sys.modules, name)


def test_session_imports_without_optional_libraries(without_optional_libraries):
    module = importlib.import_module("dyne.ext.auth.session")
    assert {"LoginManager", "LoginMiddleware", "AuthFailureReason"} <= set(module.__all__)


def test_auth_reexports_session_names_without_optional_libraries(without_optional_libraries):
    module = importlib.import_module("dyne.ext.auth")
    assert module.LoginManager.__module__ == "dyne.ext.auth.session._manager"
