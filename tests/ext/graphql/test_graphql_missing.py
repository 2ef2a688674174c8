"""Each backend is optional on its own: hiding one never breaks the other."""

from __future__ import annotations

import importlib
import sys

import pytest

import dyne.ext
from dyne.exceptions import MissingDependency

pytest.importorskip("graphql")


def ours(name: str) -> bool:
    return name == "dyne.ext.graphql" or name.startswith("dyne.ext.graphql.")


@pytest.fixture
def hide(monkeypatch: pytest.MonkeyPatch):
    """``hide(package)``: make it unimportable and forget Dyne's GraphQL modules.

    Afterwards every Dyne GraphQL module is put back exactly as it was, so classes keep
    their identity for the other tests.
    """
    saved = {name: module for name, module in sys.modules.items() if ours(name)}
    parent = getattr(dyne.ext, "graphql", None)

    def do(package: str) -> None:
        monkeypatch.setitem(sys.modules, package, None)
        for name in [name for name in sys.modules if ours(name)]:
            del sys.modules[name]

    yield do
    for name in [name for name in sys.modules if ours(name)]:
        del sys.modules[name]
    sys.modules.update(saved)
    if parent is not None:
        dyne.ext.graphql = parent


def test_hidden_strawberry_raises_missing_dependency_naming_its_extra(hide):
    hide("strawberry")
    with pytest.raises(MissingDependency, match=r'pip install "dyne\[graphql_strawberry\]"') as e:
        importlib.import_module("dyne.ext.graphql.strawberry")
    assert e.value.extra == "graphql_strawberry"


def test_hidden_strawberry_leaves_the_view_and_graphene_importable(hide):
    pytest.importorskip("graphene")
    hide("strawberry")
    assert importlib.import_module("dyne.ext.graphql").GraphQLView
    assert importlib.import_module("dyne.ext.graphql.graphene").Schema


def test_hidden_graphene_raises_missing_dependency_naming_its_extra(hide):
    hide("graphene")
    with pytest.raises(MissingDependency, match=r'pip install "dyne\[graphql_graphene\]"') as e:
        importlib.import_module("dyne.ext.graphql.graphene")
    assert e.value.extra == "graphql_graphene"


def test_hidden_graphene_leaves_the_view_and_strawberry_importable(hide):
    pytest.importorskip("strawberry")
    hide("graphene")
    assert importlib.import_module("dyne.ext.graphql").GraphQLView
    assert importlib.import_module("dyne.ext.graphql.strawberry").Schema


@pytest.mark.parametrize("backend", ["graphene", "strawberry"])
def test_backend_without_any_graphql_library_names_its_own_extra(hide, backend):
    # A fresh install with no extra has neither the backend nor graphql-core.
    hide("graphql")
    hide(backend)
    with pytest.raises(MissingDependency, match=rf'pip install "dyne\[graphql_{backend}\]"') as e:
        importlib.import_module(f"dyne.ext.graphql.{backend}")
    assert e.value.extra == f"graphql_{backend}"


def test_hidden_graphql_core_leaves_the_view_importable(hide):
    hide("graphql")
    assert importlib.import_module("dyne.ext.graphql").GraphQLView
