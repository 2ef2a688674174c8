"""OpenAPI(app): the spec and page routes, the offline assets and the CDN fallback."""

from __future__ import annotations

import json
import logging
import re
import sys

import pytest
import yaml

import dyne
from dyne.ext.openapi import OpenAPI

THEMES = ["swaggerui", "redoc", "rapidoc", "elements"]
PACKAGES = {
    "swaggerui": "swagger_ui_bundle",
    "redoc": "star_openapi_redoc",
    "rapidoc": "star_openapi_rapidoc",
    "elements": "star_openapi_elements",
}


@pytest.fixture
def fresh_warnings(monkeypatch):
    """Forget which themes already logged their fallback."""
    from dyne.extension import PageAssets

    monkeypatch.setattr(PageAssets, "_warned", set())


def _local_urls(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/[^"]+)"', page) + re.findall(
        r'"imports": \{"[a-z]+": "(/[^"]+)"', page
    )


def test_openapi_schema_yml_serves_the_spec_as_yaml(app, client):
    api = OpenAPI(app, title="Book Store")
    response = client.get("/schema.yml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(response.text) == api.spec


def test_openapi_json_route_serves_the_spec_as_json(app, client):
    api = OpenAPI(app)
    response = client.get("/openapi.json")
    assert response.headers["content-type"] == "application/json"
    assert response.json() == api.spec


def test_openapi_served_spec_follows_new_routes(app, client):
    OpenAPI(app)
    assert client.get("/openapi.json").json()["paths"] == {}

    @app.route("/late")
    async def late(req, resp):
        pass

    assert "/late" in client.get("/openapi.json").json()["paths"]


def test_openapi_default_version_is_303(app):
    assert OpenAPI(app).spec["openapi"] == "3.0.3"


def test_openapi_routes_are_configurable(app, client):
    OpenAPI(app, docs_route="/api/docs", schema_route="/api/schema.yaml", json_route=None)
    assert client.get("/api/schema.yaml").status_code == 200
    assert client.get("/api/docs").status_code == 200
    assert client.get("/openapi.json").status_code == 404
    assert client.get("/docs").status_code == 404


def test_openapi_docs_page_reads_the_yaml_spec_without_json_route(app, client):
    OpenAPI(app, json_route=None)
    assert '"/schema.yml"' in client.get("/docs").text


def test_openapi_init_app_registers_later(app, client):
    api = OpenAPI(title="Later")
    api.init_app(app)
    assert client.get("/openapi.json").json()["info"]["title"] == "Later"


def test_openapi_twice_on_one_app_is_refused(app):
    OpenAPI(app)
    with pytest.raises(RuntimeError, match="already set up for this app"):
        OpenAPI(app)


def test_openapi_unknown_theme_is_refused(app):
    with pytest.raises(ValueError, match="Unknown docs theme 'dark'; use one of: elements"):
        OpenAPI(app, theme="dark")


def test_openapi_unknown_version_is_refused(app):
    with pytest.raises(ValueError, match=r"Unsupported OpenAPI version '2\.0'"):
        OpenAPI(app, openapi="2.0")


def test_openapi_route_without_slash_is_refused(app):
    with pytest.raises(ValueError, match="must start with '/'"):
        OpenAPI(app, docs_route="docs")


def test_openapi_spec_without_app_says_what_to_do():
    with pytest.raises(RuntimeError, match="init_app"):
        _ = OpenAPI().spec


def test_openapi_docs_page_escapes_the_title(app, client):
    OpenAPI(app, title="<script>alert(1)</script>")
    page = client.get("/docs").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_openapi_default_theme_is_swagger_ui(app, client):
    OpenAPI(app)
    page = client.get("/docs").text
    assert "SwaggerUIBundle" in page
    assert "validatorUrl: null" in page


@pytest.mark.parametrize("theme", THEMES)
def test_openapi_docs_page_loads_files_from_the_app(app, client, theme):
    pytest.importorskip(PACKAGES[theme])
    OpenAPI(app, theme=theme)
    response = client.get("/docs")
    assert response.headers["content-type"].startswith("text/html")
    assert "http://" not in response.text and "https://" not in response.text
    urls = _local_urls(response.text)
    assert urls
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].split(";")[0] in ("text/javascript", "text/css")
        assert len(asset.content) > 10_000


def test_openapi_redoc_page_is_a_module_without_telemetry(app, client):
    OpenAPI(app, theme="redoc")
    page = client.get("/docs").text
    assert '<script type="module" nonce="' in page
    assert "disableTelemetry: true" in page


def test_openapi_rapidoc_page_is_a_module_without_fonts(app, client):
    OpenAPI(app, theme="rapidoc")
    page = client.get("/docs").text
    assert '<script type="module"' in page
    assert 'load-fonts="false"' in page


def test_openapi_unknown_asset_is_404(app, client):
    OpenAPI(app)
    assert client.get("/docs/assets/swaggerui/secrets.txt").status_code == 404


def test_openapi_asset_path_cannot_leave_the_package(app, client):
    OpenAPI(app)
    response = client.get("/docs/assets/swaggerui/..%2F..%2F__init__.py")
    assert response.status_code == 404


def test_openapi_own_routes_are_not_documented(app):
    assert OpenAPI(app).spec["paths"] == {}


@pytest.mark.parametrize("theme", THEMES)
def test_openapi_missing_theme_package_falls_back_to_cdn_with_sri(
    app, client, monkeypatch, caplog, fresh_warnings, theme
):
    monkeypatch.setitem(sys.modules, PACKAGES[theme], None)
    with caplog.at_level(logging.WARNING, logger="dyne.openapi"):
        OpenAPI(app, theme=theme)
    page = client.get("/docs").text
    assert "https://cdn.jsdelivr.net/npm/" in page
    assert re.search(r"sha384-[A-Za-z0-9+/]{64}", page)
    assert "/docs/assets/" not in page
    (record,) = caplog.records
    assert "loads its files from the internet" in record.getMessage()
    assert 'pip install "dyne[docs_ui]"' in record.getMessage()


def test_openapi_fallback_is_logged_once(monkeypatch, caplog, fresh_warnings, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "star_openapi_redoc", None)
    with caplog.at_level(logging.WARNING, logger="dyne.openapi"):
        OpenAPI(dyne.App(), theme="redoc")
        OpenAPI(dyne.App(), theme="redoc")
    assert len(caplog.records) == 1


def test_openapi_fallback_script_tags_are_cross_origin(app, client, monkeypatch, fresh_warnings):
    monkeypatch.setitem(sys.modules, "swagger_ui_bundle", None)
    OpenAPI(app)
    page = client.get("/docs").text
    assert page.count('crossorigin="anonymous"') == 2


def test_openapi_module_fallback_carries_integrity_in_the_import_map(
    app, client, monkeypatch, fresh_warnings
):
    monkeypatch.setitem(sys.modules, "star_openapi_redoc", None)
    OpenAPI(app, theme="redoc")
    page = client.get("/docs").text
    imports = json.loads(
        re.search(r'<script type="importmap" nonce="[^"]+">(.*?)</script>', page).group(1)
    )
    (url,) = imports["integrity"]
    assert imports["imports"]["redoc"] == url
    assert imports["integrity"][url].startswith("sha384-")


def test_openapi_locating_assets_does_not_import_the_package(app):
    sys.modules.pop("swagger_ui_bundle", None)
    OpenAPI(app)
    assert "swagger_ui_bundle" not in sys.modules


def test_openapi_docs_page_uses_the_root_path(app):
    from dyne.testing import TestClient

    OpenAPI(app)
    with TestClient(app, root_path="/api") as client:
        page = client.get("/docs").text
    assert '"/api/openapi.json"' in page
    assert 'href="/api/docs/assets/swaggerui/swagger-ui.css"' in page


def test_openapi_docs_page_allows_no_outside_origin(app, client):
    OpenAPI(app)
    policy = client.get("/docs").headers["content-security-policy"]
    assert "img-src 'self' data: blob:" in policy
    assert "https://" not in policy


def test_openapi_fallback_page_allows_only_the_cdn(app, client, monkeypatch, fresh_warnings):
    monkeypatch.setitem(sys.modules, "swagger_ui_bundle", None)
    OpenAPI(app)
    policy = client.get("/docs").headers["content-security-policy"]
    assert "script-src 'self' https://cdn.jsdelivr.net 'nonce-" in policy
    assert "connect-src 'self'" in policy
