"""Limits measured on the expanded document: a fragment counts each time it is spread."""

from __future__ import annotations

import pytest

pytest.importorskip("graphql")


def fan_out(levels: int, spreads: int, leaf: str) -> str:
    """``F0`` spreads ``F1`` ``spreads`` times, ..., down to ``F<levels>``, which is ``leaf``."""
    fragments = [
        f"fragment F{i} on Query {{ {' '.join([f'...F{i + 1}'] * spreads)} }}"
        for i in range(levels)
    ]
    return " ".join(["query { ...F0 }", *fragments, f"fragment F{levels} on Query {{ {leaf} }}"])


def aliased_tree(levels: int) -> str:
    """Each fragment asks for three aliased children spreading the next one: 3**levels paths."""
    fragments = [
        f"fragment F{i} on Node {{ a: child {{ ...F{i + 1} }} b: child {{ ...F{i + 1} }} "
        f"c: child {{ ...F{i + 1} }} }}"
        for i in range(1, levels)
    ]
    leaves = "a: child { value } b: child { value } c: child { value }"
    last = f"fragment F{levels} on Node {{ {leaves} }}"
    return " ".join(["query { node { ...F1 } }", *fragments, last])


def test_aliases_spread_through_nested_fragments_are_400_and_run_no_resolver(gql, calls):
    # The review's document: 27 aliases, 10 levels, under 1,000 characters, which ran
    # about 49,000 resolvers when each alias was counted once per definition.
    document = aliased_tree(9)
    assert len(document) < 1000
    assert document.count(": child") == 27
    response = gql.post("/graphql", json={"query": document})
    assert response.status_code == 400
    assert "aliases" in response.json()["errors"][0]["message"]
    assert calls == []


def test_document_expanding_to_1_6_million_fields_is_400(gql, calls):
    document = fan_out(5, 10, "hello " * 16)
    response = gql.post("/graphql", json={"query": document})
    assert response.status_code == 400
    assert "maximum cost of 2000" in response.json()["errors"][0]["message"]
    assert calls == []


def test_document_expanding_to_10_to_the_30_fields_is_400(gql, calls):
    response = gql.post("/graphql", json={"query": fan_out(30, 10, "hello")})
    assert response.status_code == 400
    assert "maximum cost of 2000" in response.json()["errors"][0]["message"]
    assert calls == []


def test_document_of_exactly_the_default_cost_runs(gql):
    response = gql.post("/graphql", json={"query": fan_out(2, 10, "hello " * 20)})
    assert response.status_code == 200
    assert response.json() == {"data": {"hello": "Hello stranger"}}


def test_document_one_over_the_default_cost_is_400(gql):
    document = fan_out(2, 10, "hello " * 20) + " query Other { hello }"
    response = gql.post("/graphql", json={"query": document, "operationName": "Other"})
    assert response.status_code == 400
    assert "2001 fields and directives" in response.json()["errors"][0]["message"]


def test_max_cost_is_configurable(make_client):
    client = make_client(max_cost=3)
    assert client.post("/graphql", json={"query": "{ hello whoami later }"}).status_code == 200
    response = client.post("/graphql", json={"query": "{ hello whoami later boom }"})
    assert response.status_code == 400
    assert "4 fields and directives" in response.json()["errors"][0]["message"]


def test_max_cost_none_switches_the_limit_off(make_client):
    client = make_client(max_cost=None)
    response = client.post("/graphql", json={"query": fan_out(4, 10, "hello")})
    assert response.status_code == 200


def test_directives_count_toward_the_cost(make_client):
    client = make_client(max_cost=2)
    assert (
        client.post("/graphql", json={"query": "{ hello @include(if: true) }"}).status_code == 200
    )
    response = client.post(
        "/graphql", json={"query": "{ hello @include(if: true) @skip(if: false) }"}
    )
    assert response.status_code == 400


def test_directives_in_a_fragment_count_each_time_it_is_spread(make_client):
    client = make_client(max_cost=7)
    document = (
        "{ ...F ...F ...F } fragment F on Query { hello @include(if: true) @skip(if: false) }"
    )
    response = client.post("/graphql", json={"query": document})
    assert response.status_code == 400
    assert "9 fields and directives" in response.json()["errors"][0]["message"]


def test_unselected_operation_counts_toward_the_cost(make_client):
    client = make_client(max_cost=3)
    document = "query Small { hello } query Large { hello whoami later }"
    response = client.post("/graphql", json={"query": document, "operationName": "Small"})
    assert response.status_code == 400


def test_introspection_fields_count_toward_the_cost(make_client):
    client = make_client(max_cost=3)
    assert (
        client.post("/graphql", json={"query": "{ __schema { types { name } } }"}).status_code
        == 200
    )
    response = client.post("/graphql", json={"query": "{ __schema { types { name kind } } }"})
    assert response.status_code == 400


def test_aliases_count_each_time_their_fragment_is_spread(make_client, calls):
    client = make_client(max_aliases=2)
    document = "{ ...F ...F ...F } fragment F on Query { greeting: hello }"
    response = client.post("/graphql", json={"query": document})
    assert response.status_code == 400
    assert "3 aliases" in response.json()["errors"][0]["message"]
    assert calls == []


def test_aliases_in_inline_fragments_count(make_client):
    client = make_client(max_aliases=1)
    document = "{ ... on Query { a: hello } ... { b: hello } }"
    response = client.post("/graphql", json={"query": document})
    assert response.status_code == 400


def test_depth_counts_through_inline_fragments_and_nested_spreads(make_client):
    client = make_client(max_depth=3)
    document = (
        "{ node { ...A } } fragment A on Node { ... on Node { child { ...B } } } "
        "fragment B on Node { child { value } }"
    )
    response = client.post("/graphql", json={"query": document})
    assert response.status_code == 400
    assert "4 levels deep" in response.json()["errors"][0]["message"]


def test_fragment_cycle_is_400_naming_the_cycle(gql, calls):
    document = "query { node { ...A } } fragment A on Node { ...B } fragment B on Node { ...A }"
    response = gql.post("/graphql", json={"query": document})
    assert response.status_code == 400
    assert "A -> B -> A" in response.json()["errors"][0]["message"]
    assert calls == []


def test_fragment_spreading_itself_below_a_field_is_400(gql):
    document = "query { node { ...A } } fragment A on Node { child { ... on Node { ...A } } value }"
    response = gql.post("/graphql", json={"query": document})
    assert response.status_code == 400
    assert "A -> A" in response.json()["errors"][0]["message"]


def test_cycle_in_an_unused_fragment_is_400(gql):
    document = "{ hello } fragment A on Query { ...B } fragment B on Query { ...A }"
    response = gql.post("/graphql", json={"query": document})
    assert response.status_code == 400


def test_fragment_chain_longer_than_the_recursion_limit_reports_its_depth(make_client):
    client = make_client(max_tokens=None, max_length=None, max_depth=20)
    levels = 1500
    fragments = [f"fragment F{i} on Node {{ child {{ ...F{i + 1} }} }}" for i in range(levels)]
    document = " ".join(
        ["{ node { ...F0 } }", *fragments, f"fragment F{levels} on Node {{ value }}"]
    )
    response = client.post("/graphql", json={"query": document})
    assert response.status_code == 400
    assert "1502 levels deep" in response.json()["errors"][0]["message"]


def test_spread_of_an_unknown_fragment_is_400(gql):
    response = gql.post("/graphql", json={"query": "{ ...Nope }"})
    assert response.status_code == 400
    assert "Nope" in response.json()["errors"][0]["message"]


def test_introspection_lists_nested_past_three_levels_are_400(gql):
    document = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    response = gql.post("/graphql", json={"query": document})
    assert response.status_code == 400
    assert "introspection depth" in response.json()["errors"][0]["message"]
