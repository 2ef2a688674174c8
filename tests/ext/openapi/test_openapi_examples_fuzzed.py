"""Schemathesis in "all" mode over every example app documented with OpenAPI: positive and
negative data, every check, bounded examples. ``examples/openapi_app.py`` has its own
document; the other examples built on ``@input``/``@output`` get one here, as a user would
add it. (``test_example_app.py`` keeps the fast positive-only run.)"""

from __future__ import annotations

import base64

import pytest

from support import EXAMPLES, forgetting_models, load_module

for package in ("pydantic", "marshmallow", "apispec", "sqlalchemy"):
    pytest.importorskip(package)
schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

from dyne.ext.openapi import OpenAPI  # noqa: E402

# openapi_app's writers need an admin; the other examples ignore the header.
ADMIN = "Basic " + base64.b64encode(b"admin:password123").decode()
FUZZED = ["openapi_app", "pydantic_api", "marshmallow_api", "books_db"]


@pytest.fixture
def example_app(request, monkeypatch, tmp_path):
    """The example's app, serving (startup run: books_db has its table) from a temporary
    folder, with an OpenAPI document."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("UPLOADS_DIR", str(tmp_path / "uploads"))
    monkeypatch.delenv("ALCHEMICAL_DATABASE_URL", raising=False)
    name = request.param
    with forgetting_models():
        app = load_module(EXAMPLES / f"{name}.py", f"example_{name}_fuzzed").app
        if app.extensions.get("openapi") is None:
            OpenAPI(app)
        with app.client:
            yield app


def _has_file(operation) -> bool:
    body = operation.definition.raw.get("requestBody") or {}
    return "multipart/form-data" in body.get("content", {})


def _fuzz(operation) -> None:
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )
    # An upload's allowed extensions cannot be said in a JSON Schema, so a schema-valid
    # upload may get its documented 400: that one check is left out for uploads only.
    excluded = [positive_data_acceptance] if _has_file(operation) else []

    @given(case=strategy)
    @settings(
        max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def survives(case):
        case.call_and_validate(headers={"Authorization": ADMIN}, excluded_checks=excluded)

    survives()


@pytest.mark.parametrize("example_app", FUZZED, indirect=True)
def test_openapi_examples_survive_schemathesis_all_modes(example_app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", example_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations
    for operation in operations:
        _fuzz(operation)
