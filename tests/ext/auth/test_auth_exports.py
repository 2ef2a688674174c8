"""The public faces of the auth extension: import paths and sorted __all__."""

from __future__ import annotations

import importlib

import pytest

MODULES = [
    "dyne.ext.auth",
    "dyne.ext.auth.stateless",
    "dyne.ext.auth.stateless.backends",
]


@pytest.mark.parametrize("name", MODULES)
def test_exports_all_is_sorted_and_importable(name):
    module = importlib.import_module(name)
    assert module.__all__ == sorted(module.__all__)
    for attribute in module.__all__:
        assert getattr(module, attribute).__doc__


def test_exports_tour_import_paths_are_the_same_objects():
    from dyne.ext import auth
    from dyne.ext.auth import stateless
    from dyne.ext.auth.stateless import backends

    for name in ("BasicAuth", "TokenAuth", "DigestAuth", "MultiAuth"):
        assert getattr(auth, name) is getattr(backends, name)
    assert auth.authenticate is stateless.authenticate


def test_exports_session_names_are_re_exported():
    from dyne.ext import auth
    from dyne.ext.auth import session

    assert auth.LoginManager is session.LoginManager
    assert auth.LoginMiddleware is session.LoginMiddleware
    assert auth.AuthFailureReason is session.AuthFailureReason


def test_exports_auth_imports_no_sibling_extension():
    import subprocess
    import sys

    code = (
        "import sys, dyne.ext.auth; "
        "print(sorted(m for m in sys.modules if m.startswith('dyne.ext.') "
        "and not m.startswith('dyne.ext.auth')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
