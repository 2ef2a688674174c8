"""Without apispec, marshmallow schemas cannot be documented: OpenAPI says so when it is made."""

from __future__ import annotations

import sys

import pytest

from dyne.exceptions import MissingDependency


def _fresh_openapi(monkeypatch):
    for name in [name for name in sys.modules if name.startswith("dyne.ext.openapi")]:
        monkeypatch.delitem(sys.modules, name)
    from dyne.ext.openapi import OpenAPI

    return OpenAPI


def test_openapi_with_marshmallow_without_apispec_names_extra(app, monkeypatch):
    pytest.importorskip("marshmallow")
    monkeypatch.setitem(sys.modules, "apispec", None)
    openapi_class = _fresh_openapi(monkeypatch)
    with pytest.raises(MissingDependency, match=r'pip install "dyne\[openapi_marshmallow\]"'):
        openapi_class(app)


def test_openapi_without_marshmallow_needs_no_apispec(app, monkeypatch):
    monkeypatch.setitem(sys.modules, "marshmallow", None)
    monkeypatch.setitem(sys.modules, "apispec", None)
    openapi_class = _fresh_openapi(monkeypatch)
    assert openapi_class(app).spec["openapi"].startswith("3.")
