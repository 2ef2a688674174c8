"""Property tests of the limit checker: a document's measured cost and aliases are its
expanded size, counted by literally inlining every fragment; a fragment cycle is refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

pytest.importorskip("graphql")
from hypothesis import given, settings
from hypothesis import strategies as st

import dyne
from dyne.ext.graphql import GraphQLView

DIRECTIVES = ("@include(if: true)", "@skip(if: false)")
# Two requests per example: fewer examples than the profile's default keep CI fast.
bounded = settings(max_examples=40)
NO_LIMITS = {"max_depth": None, "max_aliases": None, "max_tokens": None, "max_length": None}


@dataclass
class Selection:
    """A field (``spread is None`` and no ``inner``), a fragment spread or an inline fragment."""

    directives: int
    alias: int | None = None
    spread: int | None = None
    inner: list[Selection] | None = None


@dataclass
class Document:
    """Fragments ``F0..Fn-1`` on Query (each spreads only later ones unless a cycle was
    added) and the operation's selections."""

    fragments: list[list[Selection]]
    operation: list[Selection] = field(default_factory=list)

    def text(self) -> str:
        parts = [f"query {{ {render(self.operation)} }}"]
        for index, body in enumerate(self.fragments):
            parts.append(f"fragment F{index} on Query {{ {render(body)} }}")
        return " ".join(parts)

    def expanded(self, selections: list[Selection] | None = None) -> tuple[int, int]:
        """(fields and directives, aliases) by inlining every spread, no memo."""
        cost = aliases = 0
        for selection in self.operation if selections is None else selections:
            cost += selection.directives
            if selection.spread is not None:
                inner = self.expanded(self.fragments[selection.spread])
            elif selection.inner is not None:
                inner = self.expanded(selection.inner)
            else:
                inner = (1, 1 if selection.alias is not None else 0)
            cost += inner[0]
            aliases += inner[1]
        return cost, aliases


def render(selections: list[Selection]) -> str:
    out = []
    for selection in selections:
        directives = " ".join(DIRECTIVES[: selection.directives])
        if selection.spread is not None:
            out.append(f"...F{selection.spread} {directives}")
        elif selection.inner is not None:
            out.append(f"... {directives} {{ {render(selection.inner)} }}")
        else:
            alias = f"a{selection.alias}: " if selection.alias is not None else ""
            out.append(f"{alias}hello {directives}")
    return " ".join(out)


def fields() -> st.SearchStrategy[Selection]:
    return st.builds(
        Selection,
        directives=st.integers(0, 2),
        alias=st.one_of(st.none(), st.integers(0, 3)),
    )


def selections(spreadable: list[int]) -> st.SearchStrategy[list[Selection]]:
    """At least one field, then spreads of ``spreadable`` fragments and inline fragments."""
    spreads = (
        st.builds(Selection, directives=st.integers(0, 2), spread=st.sampled_from(spreadable))
        if spreadable
        else st.nothing()
    )
    inline = st.builds(
        Selection, directives=st.integers(0, 2), inner=st.lists(fields(), min_size=1, max_size=2)
    )
    return st.tuples(fields(), st.lists(st.one_of(fields(), spreads, inline), max_size=4)).map(
        lambda pair: [pair[0], *pair[1]]
    )


@st.composite
def documents(draw: Any) -> Document:
    """A fragment DAG with random multiplicities; every fragment is spread somewhere."""
    count = draw(st.integers(1, 5))
    fragments = [draw(selections(list(range(index + 1, count)))) for index in range(count)]
    document = Document(fragments, draw(selections(list(range(count)))))
    used = {s.spread for body in [document.operation, *fragments] for s in body}
    document.operation += [
        Selection(0, spread=index) for index in range(count) if index not in used
    ]
    return document


@st.composite
def cyclic_documents(draw: Any) -> Document:
    """A document whose fragment ``k`` spreads ``k`` itself or a fragment that reaches it."""
    document = draw(documents())
    count = len(document.fragments)
    target = draw(st.integers(0, count - 1))
    reaching = [
        index for index in range(count) if index == target or reaches(document, index, target)
    ]
    source = draw(st.sampled_from(reaching))
    document.fragments[target].append(Selection(0, spread=source))
    return document


def reaches(document: Document, start: int, goal: int) -> bool:
    seen, stack = set(), [start]
    while stack:
        index = stack.pop()
        for selection in document.fragments[index]:
            if selection.spread == goal:
                return True
            if selection.spread is not None and selection.spread not in seen:
                seen.add(selection.spread)
                stack.append(selection.spread)
    return False


@pytest.fixture
def backend() -> str:
    """The checker runs before either backend does, so one backend is enough here."""
    for name in ("strawberry", "graphene"):
        try:
            __import__(name)
        except ModuleNotFoundError:
            continue
        return name
    pytest.skip("neither strawberry nor graphene is installed")


@pytest.fixture
def post(schema: Any, tmp_path, monkeypatch) -> Any:
    """``post(document, **limits)``: answer from a new view with those limits.

    One app and client serve the whole test; each call routes a view of its own.
    """
    monkeypatch.chdir(tmp_path)
    app = dyne.App()
    app.state.calls = []
    paths = iter(range(1_000_000))

    def do(document: str, **limits: Any) -> tuple[Any, list[str]]:
        path = f"/graphql/{next(paths)}"
        app.add_route(path, GraphQLView(app=app, schema=schema, graphiql=False, **limits))
        app.state.calls = []
        return client.post(path, json={"query": document}), app.state.calls

    with app.client as client:
        yield do


@bounded
@given(documents())
def test_measured_cost_is_the_expanded_size(post, document):
    cost, _ = document.expanded()
    limits = {**NO_LIMITS, "max_cost": cost}
    response, _ = post(document.text(), **limits)
    assert response.status_code == 200, response.json()
    refused, calls = post(document.text(), **{**limits, "max_cost": cost - 1})
    assert refused.status_code == 400
    assert "maximum cost" in refused.json()["errors"][0]["message"]
    assert calls == []


@bounded
@given(documents())
def test_measured_aliases_are_the_expanded_count(post, document):
    _, aliases = document.expanded()
    limits = {**NO_LIMITS, "max_cost": None, "max_aliases": aliases}
    response, _ = post(document.text(), **limits)
    assert response.status_code == 200, response.json()
    if aliases:
        refused, calls = post(document.text(), **{**limits, "max_aliases": aliases - 1})
        assert refused.status_code == 400
        assert "aliases" in refused.json()["errors"][0]["message"]
        assert calls == []


@bounded
@given(cyclic_documents())
def test_fragment_cycle_is_always_refused(post, document):
    response, calls = post(document.text(), **NO_LIMITS, max_cost=None)
    assert response.status_code == 400
    assert "spreads itself" in response.json()["errors"][0]["message"]
    assert calls == []
