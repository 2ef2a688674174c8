"""The GraphiQL page and its files, served by the view, with the CDN fallback."""

from __future__ import annotations

import base64
import hashlib
import logging

import pytest

pytest.importorskip("graphql")

from dyne.ext.graphql import assets
from dyne.extension import PageAssets

HTML = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def needs_local_assets():
    if assets.missing():
        pytest.skip("GraphiQL's files are not installed: python -m dyne.ext.graphql.assets")


def test_browser_get_renders_graphiql(gql):
    response = gql.get("/graphql", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "GraphiQL.createFetcher" in response.text
    assert '"/graphql"' in response.text


def test_graphiql_page_loads_every_file_from_the_app(gql):
    needs_local_assets()
    page = gql.get("/graphql", headers=HTML).text
    for asset in assets.MANIFEST:
        assert f"/graphql?graphiql-asset={asset.name}" in page
    assert "https://" not in page


@pytest.mark.parametrize("asset", assets.MANIFEST, ids=lambda asset: asset.name)
def test_graphiql_file_is_served_with_its_pinned_content(gql, asset):
    needs_local_assets()
    response = gql.get("/graphql", params={"graphiql-asset": asset.name})
    digest = base64.b64encode(hashlib.sha384(response.content).digest()).decode()
    assert response.status_code == 200
    assert f"sha384-{digest}" == asset.integrity
    kind = "javascript" if asset.name.endswith(".js") else "css"
    assert kind in response.headers["content-type"]


def test_unknown_graphiql_file_is_404(gql):
    response = gql.get("/graphql", params={"graphiql-asset": "../../etc/passwd"})
    assert response.status_code == 404


def test_json_get_without_query_is_not_the_page(gql):
    response = gql.get("/graphql", headers={"accept": "application/json"})
    assert response.status_code == 400


def test_graphiql_false_answers_browsers_with_a_graphql_error(make_client):
    client = make_client(graphiql=False)
    response = client.get("/graphql", headers=HTML)
    assert response.status_code == 400
    assert client.get("/graphql", params={"graphiql-asset": "graphiql.min.js"}).status_code == 400


def test_browser_get_with_a_query_runs_it(gql):
    response = gql.get("/graphql", params={"query": "{ hello }"}, headers=HTML)
    assert response.json() == {"data": {"hello": "Hello stranger"}}


def test_missing_files_fall_back_to_cdn_with_integrity(make_client, tmp_path, monkeypatch):
    monkeypatch.setattr(assets, "asset_dir", lambda: tmp_path / "none")
    monkeypatch.setattr(PageAssets, "_warned", set())
    page = make_client().get("/graphql", headers=HTML).text
    for asset in assets.MANIFEST:
        attribute = "href" if asset.name.endswith(".css") else "src"
        expected = f'{attribute}="{asset.cdn_url}" integrity="{asset.integrity}"'
        assert expected in page
    assert "graphiql-asset=" not in page


def test_missing_files_are_logged_once(make_client, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(assets, "asset_dir", lambda: tmp_path / "none")
    monkeypatch.setattr(PageAssets, "_warned", set())
    with caplog.at_level(logging.WARNING, logger="dyne.graphql"):
        make_client()
        make_client()
    warnings = [r for r in caplog.records if r.name == "dyne.graphql"]
    assert len(warnings) == 1
    assert "python -m dyne.ext.graphql.assets" in warnings[0].getMessage()


def test_graphiql_endpoint_cannot_break_out_of_the_inline_script(make_app, schema):
    from dyne.ext.graphql import GraphQLView

    app = make_app()
    app.add_route("/x<!--</script>", GraphQLView(app=app, schema=schema))
    with app.client as client:
        page = client.get("/x%3C!--%3C/script%3E", headers=HTML).text
    inline = page[page.index("<script nonce=") : page.rindex("</script>")]
    assert "<!--" not in inline
    assert "</script" not in inline
    assert '"/x\\u003c!--\\u003c/script\\u003e"' in inline
