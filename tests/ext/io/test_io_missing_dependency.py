"""Importing an io extension without its library names the extra to install."""

from __future__ import annotations

import importlib
import sys

import pytest

from dyne.exceptions import MissingDependency


def _forget_io(monkeypatch):
    for name in list(sys.modules):
        if name.startswith("dyne.ext.io"):
            monkeypatch.delitem(sys.modules, name)


@pytest.mark.parametrize(
    ("package", "module", "extra"),
    [
        ("pydantic", "dyne.ext.io.pydantic", "openapi_pydantic"),
        ("marshmallow", "dyne.ext.io.marshmallow", "openapi_marshmallow"),
    ],
)
def test_missing_library_raises_missing_dependency_naming_extra(
    monkeypatch, package, module, extra
):
    _forget_io(monkeypatch)
    monkeypatch.setitem(sys.modules, package, None)
    with pytest.raises(MissingDependency, match=rf'pip install "dyne\[{extra}\]"'):
        importlib.import_module(module)


@pytest.mark.parametrize(
    ("hidden", "module"),
    [("pydantic", "dyne.ext.io.marshmallow"), ("marshmallow", "dyne.ext.io.pydantic")],
)
def test_other_library_still_imports_when_one_is_missing(monkeypatch, hidden, module):
    pytest.importorskip(module.rsplit(".", 1)[-1])
    _forget_io(monkeypatch)
    monkeypatch.setitem(sys.modules, hidden, None)
    assert importlib.import_module(module).input is not None
    assert importlib.import_module("dyne.ext.io").File is not None


def test_marshmallow_json_schema_without_apispec_names_extra(monkeypatch):
    pytest.importorskip("marshmallow")
    from marshmallow import Schema, fields

    from dyne.ext.io.marshmallow.adapter import MarshmallowAdapter

    class S(Schema):
        a = fields.Int()

    monkeypatch.setitem(sys.modules, "apispec", None)
    with pytest.raises(MissingDependency, match="openapi_marshmallow"):
        MarshmallowAdapter(S).json_schema("#/")


def _isort_key(name: str) -> tuple[int, str]:
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_public_modules_have_sorted_all():
    for name in [
        "dyne.ext.io",
        "dyne.ext.io.files",
        "dyne.ext.io.pydantic",
        "dyne.ext.io.pydantic.fields",
        "dyne.ext.io.marshmallow",
        "dyne.ext.io.marshmallow.fields",
    ]:
        module = importlib.import_module(name)
        # ruff's order (RUF022): CONSTANTS, then Classes, then functions
        assert list(module.__all__) == sorted(module.__all__, key=_isort_key), name
        assert all(hasattr(module, item) for item in module.__all__), name
