"""GraphQLView over HTTP, the same for both backends: transports, context, errors."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("graphql")

TOUR_MUTATION = (
    'mutation { createMessage(name: "Alice", message: "GraphQL is awesome!") { ok message } }'
)


def test_post_json_runs_the_query(gql):
    response = gql.post("/graphql", json={"query": '{ hello(name: "Alice") }'})
    assert response.status_code == 200
    assert response.json() == {"data": {"hello": "Hello Alice"}}
    assert response.headers["content-type"] == "application/json"


def test_post_json_runs_the_mutation(gql):
    response = gql.post("/graphql", json={"query": TOUR_MUTATION})
    assert response.json() == {
        "data": {
            "createMessage": {"ok": True, "message": "Message from Alice: GraphQL is awesome!"}
        }
    }


def test_post_application_graphql_runs_the_query(gql):
    response = gql.post(
        "/graphql", content="{ hello }", headers={"content-type": "application/graphql"}
    )
    assert response.json() == {"data": {"hello": "Hello stranger"}}


def test_get_query_parameter_runs_the_query(gql):
    response = gql.get("/graphql", params={"query": "{ hello }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"hello": "Hello stranger"}}


def test_get_variables_parameter_is_decoded(gql):
    response = gql.get(
        "/graphql",
        params={"query": "query($n: String!) { hello(name: $n) }", "variables": '{"n": "Bo"}'},
    )
    assert response.json() == {"data": {"hello": "Hello Bo"}}


def test_post_variables_are_passed(gql):
    response = gql.post(
        "/graphql",
        json={"query": "query($n: String!) { hello(name: $n) }", "variables": {"n": "Cy"}},
    )
    assert response.json() == {"data": {"hello": "Hello Cy"}}


def test_operation_name_selects_the_operation(gql):
    document = 'query A { hello(name: "a") } query B { hello(name: "b") }'
    response = gql.post("/graphql", json={"query": document, "operationName": "B"})
    assert response.json() == {"data": {"hello": "Hello b"}}


def test_operation_name_missing_with_several_operations_is_400(gql):
    response = gql.post("/graphql", json={"query": "query A { hello } query B { hello }"})
    assert response.status_code == 400
    assert "operationName" in response.json()["errors"][0]["message"]


def test_unknown_operation_name_is_400(gql):
    response = gql.post("/graphql", json={"query": "query A { hello }", "operationName": "Z"})
    assert response.status_code == 400
    assert "'Z'" in response.json()["errors"][0]["message"]


def test_context_request_reaches_the_resolver(gql):
    response = gql.post("/graphql", json={"query": "{ whoami }"}, headers={"X-User": "ada"})
    assert response.json() == {"data": {"whoami": "ada"}}


def test_context_response_carries_cookie_and_header_set_by_the_resolver(gql):
    response = gql.post("/graphql", json={"query": "{ whoami }"})
    assert response.headers["x-resolver"] == "ran"
    assert response.cookies.get("seen") == "yes"


def test_async_resolver_is_awaited(gql):
    response = gql.post("/graphql", json={"query": "{ later hello }"})
    assert response.json() == {"data": {"later": "later", "hello": "Hello stranger"}}


def test_resolver_error_is_200_with_errors_and_partial_data(gql):
    response = gql.post("/graphql", json={"query": "{ hello boom }"})
    body = response.json()
    assert response.status_code == 200
    assert body["data"] == {"hello": "Hello stranger", "boom": None}
    # Masked in production (debug off); test_graphql_disclosure covers debug and GraphQLError.
    assert body["errors"][0]["message"] == "Internal server error"
    assert body["errors"][0]["path"] == ["boom"]


def test_put_is_405_with_allow_header(gql):
    response = gql.put("/graphql", json={"query": "{ hello }"})
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_yaml_accept_header_still_gets_json(gql):
    response = gql.post(
        "/graphql", json={"query": "{ hello }"}, headers={"accept": "application/x-yaml"}
    )
    assert json.loads(response.text) == {"data": {"hello": "Hello stranger"}}


# -- bad input ----------------------------------------------------------------------------


def test_invalid_json_body_is_400(gql):
    response = gql.post(
        "/graphql", content=b'{"query": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["errors"][0]["message"]


def test_missing_query_is_400(gql, calls):
    response = gql.post("/graphql", json={"variables": {}})
    assert response.status_code == 400
    assert "'query'" in response.json()["errors"][0]["message"]


def test_get_without_query_is_400(gql):
    response = gql.get("/graphql", headers={"accept": "application/json"})
    assert response.status_code == 400
    assert "'query'" in response.json()["errors"][0]["message"]


def test_syntax_error_is_400_with_location(gql):
    response = gql.post("/graphql", json={"query": "{ hello "})
    error = response.json()["errors"][0]
    assert response.status_code == 400
    assert error["message"].startswith("Syntax Error")
    assert error["locations"] == [{"line": 1, "column": 9}]


def test_unknown_field_is_400(gql, calls):
    response = gql.post("/graphql", json={"query": "{ hello nope }"})
    assert response.status_code == 400
    assert "nope" in response.json()["errors"][0]["message"]
    assert calls == []


def test_variable_of_the_wrong_type_is_400(gql, calls):
    response = gql.post(
        "/graphql",
        json={"query": "query($n: String!) { hello(name: $n) }", "variables": {"n": 5}},
    )
    assert response.status_code == 400
    assert "$n" in response.json()["errors"][0]["message"]
    assert calls == []


def test_missing_required_variable_is_400(gql):
    response = gql.post("/graphql", json={"query": "query($n: String!) { hello(name: $n) }"})
    assert response.status_code == 400


def test_variables_that_are_not_an_object_are_400(gql):
    response = gql.post("/graphql", json={"query": "{ hello }", "variables": [1]})
    assert response.status_code == 400
    assert "variables" in response.json()["errors"][0]["message"]


def test_operation_name_that_is_not_a_string_is_400(gql):
    response = gql.post("/graphql", json={"query": "{ hello }", "operationName": 3})
    assert response.status_code == 400


def test_batched_request_is_400(gql):
    response = gql.post("/graphql", json=[{"query": "{ hello }"}])
    assert response.status_code == 400
    assert "batches" in response.json()["errors"][0]["message"]


def test_unsupported_content_type_is_415(gql):
    response = gql.post("/graphql", content="query", headers={"content-type": "text/plain"})
    assert response.status_code == 415


def test_empty_application_graphql_body_is_400(gql):
    response = gql.post("/graphql", content="", headers={"content-type": "application/graphql"})
    assert response.status_code == 400


def test_get_variables_that_are_not_json_are_400(gql):
    response = gql.get("/graphql", params={"query": "{ hello }", "variables": "{nope"})
    assert response.status_code == 400


def test_mutation_over_get_is_405_and_not_run(gql, calls):
    response = gql.get("/graphql", params={"query": TOUR_MUTATION})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert "POST" in response.json()["errors"][0]["message"]
    assert calls == []
