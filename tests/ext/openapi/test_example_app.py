"""examples/openapi_app.py: pydantic and marshmallow side by side, a valid spec in both
versions, and schemathesis finding no server error and no response off its schema."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from support import load_module

for package in ("pydantic", "marshmallow", "apispec"):
    pytest.importorskip(package)
schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

ADMIN = "Basic " + base64.b64encode(b"admin:password123").decode()
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "openapi_app.py"


def _load(monkeypatch, tmp_path, **env):
    monkeypatch.chdir(tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return load_module(EXAMPLE, "example_openapi_app")


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_example_app_spec_validates(monkeypatch, tmp_path, validate, version):
    example = _load(monkeypatch, tmp_path, OPENAPI_VERSION=version)
    spec = validate(example.app.client.get("/openapi.json").json())
    assert spec["openapi"] == version
    example.app.client.close()


def test_example_app_keeps_both_books_apart(monkeypatch, tmp_path):
    spec = _load(monkeypatch, tmp_path).api.spec
    schemas = spec["components"]["schemas"]
    assert {"Book", "Book2"} <= set(schemas)
    titles = {schemas["Book"].get("title"), schemas["Book2"].get("title")}
    assert "Book" in titles  # pydantic's own title, kept on its component


def test_example_app_documents_webhooks(monkeypatch, tmp_path):
    spec = _load(monkeypatch, tmp_path, OPENAPI_VERSION="3.1.0").api.spec
    assert set(spec["webhooks"]) == {"price_changed", "book_events"}


def test_example_app_documents_the_api_key_header(monkeypatch, tmp_path):
    spec = _load(monkeypatch, tmp_path).api.spec
    parameters = spec["paths"]["/partner/events"]["post"]["parameters"]
    assert [(p["name"], p["in"], p["required"]) for p in parameters] == [
        ("X-API-Key", "header", True)
    ]


def test_example_app_lists_the_catalog(monkeypatch, tmp_path):
    example = _load(monkeypatch, tmp_path)
    response = example.app.client.get("/catalog", params={"limit": 1})
    assert response.json() == [{"id": 1, "title": "Dune", "price": 9.5, "cover": None}]
    example.app.client.close()


_example = load_module(EXAMPLE, "example_openapi_app_fuzzed")
schema = schemathesis.openapi.from_asgi("/openapi.json", _example.app)
# Valid requests only: the fast smoke test (test_openapi_examples_fuzzed.py adds invalid
# requests and every check).
schema.config.generation.update(modes=[schemathesis.GenerationMode.POSITIVE])


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_example_app_survives_schemathesis(case):
    # As the admin, so the writing operations run past authentication too. The upload's
    # allowed file extensions cannot be said in a JSON Schema, so a schema-valid upload
    # may still get its documented 400: that check is left out, the others all run.
    case.call_and_validate(
        headers={"Authorization": ADMIN}, excluded_checks=[positive_data_acceptance]
    )
