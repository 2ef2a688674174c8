"""Query limits: depth, aliases, tokens, length and introspection, checked before execution."""

from __future__ import annotations

import pytest

pytest.importorskip("graphql")


def nested(levels: int) -> str:
    """A query ``levels`` fields deep: ``{ node { child { child { value } } } }``."""
    return "{ node { " + "child { " * (levels - 2) + "value" + " }" * (levels - 1) + " }"


def test_query_at_the_default_depth_runs(gql):
    response = gql.post("/graphql", json={"query": nested(15)})
    assert response.status_code == 200
    assert "errors" not in response.json()


def test_query_past_the_default_depth_is_400(gql):
    response = gql.post("/graphql", json={"query": nested(16)})
    assert response.status_code == 400
    assert "16 levels deep" in response.json()["errors"][0]["message"]


def test_200_level_nested_query_is_400(gql):
    response = gql.post("/graphql", json={"query": nested(200)})
    assert response.status_code == 400
    assert "maximum depth of 15" in response.json()["errors"][0]["message"]


def test_nested_query_deeper_than_the_parser_can_go_is_400(make_client):
    client = make_client(max_depth=None, max_tokens=None)
    response = client.post("/graphql", json={"query": nested(5000)})
    assert response.status_code == 400


def test_max_depth_is_configurable(make_client):
    client = make_client(max_depth=3)
    assert client.post("/graphql", json={"query": nested(3)}).status_code == 200
    assert client.post("/graphql", json={"query": nested(4)}).status_code == 400


def test_depth_counts_through_fragments(make_client):
    client = make_client(max_depth=3)
    document = "query { node { ...F } } fragment F on Node { child { child { value } } }"
    response = client.post("/graphql", json={"query": document})
    assert response.status_code == 400
    assert "4 levels deep" in response.json()["errors"][0]["message"]


def test_fragment_cycle_is_400_not_a_hang(gql):
    document = "query { node { ...A } } fragment A on Node { ...B } fragment B on Node { ...A }"
    response = gql.post("/graphql", json={"query": document})
    assert response.status_code == 400


def test_max_depth_none_switches_the_limit_off(make_client):
    client = make_client(max_depth=None)
    assert client.post("/graphql", json={"query": nested(40)}).status_code == 200


def thousand_aliases() -> str:
    return "{ " + " ".join(f"a{i}: hello" for i in range(1000)) + " }"


def test_thousand_aliases_are_400_and_not_run(gql, calls):
    response = gql.post("/graphql", json={"query": thousand_aliases()})
    assert response.status_code == 400
    assert calls == []


def test_thousand_aliases_hit_the_alias_limit_without_a_token_limit(make_client, calls):
    client = make_client(max_tokens=None)
    response = client.post("/graphql", json={"query": thousand_aliases()})
    assert response.status_code == 400
    assert "1000 aliases" in response.json()["errors"][0]["message"]
    assert calls == []


def test_max_aliases_is_configurable(make_client):
    client = make_client(max_aliases=2)
    assert client.post("/graphql", json={"query": "{ a: hello b: hello }"}).status_code == 200
    response = client.post("/graphql", json={"query": "{ a: hello b: hello c: hello }"})
    assert response.status_code == 400
    assert "3 aliases" in response.json()["errors"][0]["message"]


def test_huge_document_is_400(gql, calls):
    document = "{ " + "hello " * 200_000 + "}"
    response = gql.post("/graphql", json={"query": document})
    assert response.status_code == 400
    assert "characters long" in response.json()["errors"][0]["message"]
    assert calls == []


def test_too_many_tokens_is_400(make_client):
    client = make_client(max_tokens=10)
    response = client.post("/graphql", json={"query": "{ " + "hello " * 20 + "}"})
    assert response.status_code == 400
    assert "more than 10 tokens" in response.json()["errors"][0]["message"]


def test_comments_do_not_count_as_tokens(make_client):
    client = make_client(max_tokens=3)
    response = client.post("/graphql", json={"query": "# a comment with words\n{ hello }"})
    assert response.status_code == 200


def test_max_length_is_configurable(make_client):
    client = make_client(max_length=10)
    assert client.post("/graphql", json={"query": "{ hello }"}).status_code == 200
    assert client.post("/graphql", json={"query": "{ hello   }"}).status_code == 400


def test_introspection_is_allowed_by_default(gql):
    response = gql.post("/graphql", json={"query": "{ __schema { queryType { name } } }"})
    assert response.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


def test_introspection_off_rejects_schema_queries(make_client):
    client = make_client(introspection=False)
    response = client.post("/graphql", json={"query": "{ __schema { queryType { name } } }"})
    assert response.status_code == 400
    assert "introspection" in response.json()["errors"][0]["message"].lower()


def test_introspection_off_still_allows_typename(make_client):
    client = make_client(introspection=False)
    response = client.post("/graphql", json={"query": "{ __typename hello }"})
    assert response.json() == {"data": {"__typename": "Query", "hello": "Hello stranger"}}


def test_full_introspection_query_passes_the_default_limits(gql):
    from graphql import get_introspection_query

    query = get_introspection_query(descriptions=True, input_value_deprecation=True)
    response = gql.post("/graphql", json={"query": query})
    assert response.status_code == 200
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.parametrize(
    "option", ["max_depth", "max_aliases", "max_tokens", "max_length", "max_cost"]
)
def test_invalid_limit_is_a_value_error_at_view_creation(make_client, option):
    with pytest.raises(ValueError, match=option):
        make_client(**{option: -1})
