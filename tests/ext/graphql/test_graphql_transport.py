"""What reaches a resolver over HTTP: content types a browser sends cross-site never do,
and bodies go through the core's decoder, limits and errors."""

from __future__ import annotations

import json
import re

import pytest

pytest.importorskip("graphql")

MUTATION = 'mutation { createMessage(name: "Eve", message: "forged") { ok } }'
HTML = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_post_without_content_type_is_415_and_runs_nothing(gql, calls):
    response = gql.post("/graphql", content=json.dumps({"query": MUTATION}))
    assert response.status_code == 415
    assert "no Content-Type" in response.json()["errors"][0]["message"]
    assert calls == []


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"],
)
def test_post_with_a_cross_site_content_type_is_415_and_runs_nothing(gql, calls, content_type):
    # The three types a page on any site can POST without a CORS preflight.
    body = json.dumps({"query": MUTATION})
    response = gql.post("/graphql", content=body, headers={"content-type": content_type})
    assert response.status_code == 415
    assert calls == []


def test_form_fields_never_run_a_mutation(gql, calls):
    response = gql.post("/graphql", data={"query": MUTATION})
    assert response.status_code == 415
    assert calls == []


def test_deeply_nested_json_body_is_400(gql, calls):
    body = '{"query": "{ hello }", "variables": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = gql.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["errors"][0]["message"]
    assert calls == []


def test_deeply_nested_get_variables_are_400(gql, calls):
    variables = "[" * 9000 + "]" * 9000
    response = gql.get("/graphql", params={"query": "{ hello }", "variables": variables})
    assert response.status_code == 400
    assert "'variables'" in response.json()["errors"][0]["message"]
    assert calls == []


def test_json_body_with_a_charset_runs(gql):
    response = gql.post(
        "/graphql",
        content=json.dumps({"query": "{ hello }"}),
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert response.json() == {"data": {"hello": "Hello stranger"}}


def test_json_body_that_is_not_utf8_is_400(gql):
    response = gql.post(
        "/graphql", content=b'{"query": "\xff"}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "UTF-8" in response.json()["errors"][0]["message"]


def test_empty_json_body_is_400(gql):
    response = gql.post("/graphql", content=b"", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "empty" in response.json()["errors"][0]["message"]


@pytest.fixture
def small_body_client(make_client):
    """A client whose app accepts bodies of at most 100 bytes."""
    return make_client(app_options={"max_body_size": 100})


def test_json_body_over_the_app_limit_is_413_with_graphql_errors(small_body_client, calls):
    body = {"query": "{ hello }", "variables": {"padding": "x" * 200}}
    response = small_body_client.post("/graphql", json=body)
    assert response.status_code == 413
    assert "100 bytes" in response.json()["errors"][0]["message"]
    assert calls == []


def test_graphql_body_over_the_app_limit_is_413_with_graphql_errors(small_body_client):
    response = small_body_client.post(
        "/graphql",
        content="{ hello }" + " " * 200,
        headers={"content-type": "application/graphql"},
    )
    assert response.status_code == 413
    assert response.json()["errors"]


def test_mutation_chosen_by_operation_name_over_get_is_405_and_not_run(gql, calls):
    document = f"query Q {{ hello }} mutation M {MUTATION.removeprefix('mutation')}"
    response = gql.get("/graphql", params={"query": document, "operationName": "M"})
    assert response.status_code == 405
    assert calls == []


def test_mutation_over_head_is_405_and_not_run(gql, calls):
    response = gql.head("/graphql", params={"query": MUTATION})
    assert response.status_code == 405
    assert calls == []


def test_subscription_over_post_is_400_and_never_subscribes(gql, calls):
    response = gql.post("/graphql", json={"query": "subscription { ticks }"})
    assert response.status_code == 400
    assert "subscriptions" in response.json()["errors"][0]["message"]
    assert calls == []


# -- the GraphiQL page ------------------------------------------------------------------


def policy(response) -> dict[str, str]:
    directives = response.headers["content-security-policy"].split(";")
    return {d.strip().partition(" ")[0]: d.strip().partition(" ")[2] for d in directives}


def test_graphiql_page_has_a_content_security_policy(gql):
    csp = policy(gql.get("/graphql", headers=HTML))
    assert csp["default-src"] == "'none'"
    assert csp["connect-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]


def test_graphiql_inline_script_carries_the_policy_nonce(gql):
    response = gql.get("/graphql", headers=HTML)
    nonce = re.search(r"'nonce-([^']+)'", policy(response)["script-src"]).group(1)
    assert f'<script nonce="{nonce}">' in response.text


def test_graphiql_nonce_is_new_for_each_response(gql):
    first = policy(gql.get("/graphql", headers=HTML))["script-src"]
    second = policy(gql.get("/graphql", headers=HTML))["script-src"]
    assert first != second


def test_graphiql_page_from_the_cdn_allows_only_that_cdn(make_client, tmp_path, monkeypatch):
    from dyne.ext.graphql import assets
    from dyne.extension import PageAssets

    monkeypatch.setattr(assets, "asset_dir", lambda: tmp_path / "none")
    monkeypatch.setattr(PageAssets, "_warned", {"The GraphiQL page"})
    csp = policy(make_client().get("/graphql", headers=HTML))
    assert "https://cdn.jsdelivr.net" in csp["script-src"]
    assert csp["connect-src"] == "'self'"


def test_json_answers_carry_no_page_policy(gql):
    response = gql.post("/graphql", json={"query": "{ hello }"})
    assert "content-security-policy" not in response.headers
