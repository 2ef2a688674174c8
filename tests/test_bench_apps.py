"""The benchmark apps answer every scenario correctly (correctness only, never timing).

A benchmark that compares wrong answers measures nothing, so each framework's bench app
is called in-process, through the same driver ``bench/inprocess.py`` times, and its answer
is checked against the scenario.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH_APPS = Path(__file__).resolve().parents[1] / "bench" / "apps"
PACKAGE = "_dyne_bench_apps"


def _load_package() -> ModuleType:
    """Import ``bench/apps`` under a private name, without putting ``bench`` on sys.path."""
    if PACKAGE in sys.modules:
        return sys.modules[PACKAGE]
    spec = importlib.util.spec_from_file_location(
        PACKAGE, BENCH_APPS / "__init__.py", submodule_search_locations=[str(BENCH_APPS)]
    )
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = package
    spec.loader.exec_module(package)
    return package


apps = _load_package()
harness: Any = importlib.import_module(f"{PACKAGE}._harness")
common: Any = importlib.import_module(f"{PACKAGE}._common")

REQUIRES = {
    "dyne": "dyne",
    "dyne_blueprints": "dyne",
    "dyne_observed": "dyne",
    "starlette": "starlette",
    "fastapi": "fastapi",
    "raw": "pydantic",
}


def bench_module(framework: str) -> Any:
    """Return the bench app module of ``framework``, skipping when its framework is absent."""
    pytest.importorskip(REQUIRES[framework])
    return apps.load(framework)


def serve(
    module: Any,
    routes: int,
    method: str,
    path: str,
    body: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
) -> Any:
    """Build ``module``'s app with ``routes`` routes, run lifespan, send one request."""

    async def run() -> Any:
        app = module.create_app(routes)
        lifespan = harness.Lifespan(app)
        state = await lifespan.start()
        scope = harness.build_scope(method, path, headers or list(harness.BASE_HEADERS))
        try:
            return await harness.call(app, scope, body, state)
        finally:
            await lifespan.stop()

    return asyncio.run(run())


@pytest.mark.parametrize("framework", apps.FRAMEWORKS)
@pytest.mark.parametrize("scenario", harness.SCENARIOS, ids=lambda s: s.key)
def test_bench_app_answers_scenario(framework: str, scenario: Any) -> None:
    """Each framework's app gives each scenario the answer the scenario expects."""
    module = bench_module(framework)
    if scenario.needs_post and module.POST_SKIP_REASON is not None:
        pytest.skip(module.POST_SKIP_REASON)
    answer = serve(
        module,
        scenario.routes,
        scenario.method,
        scenario.path,
        scenario.body,
        scenario.request_headers(),
    )
    assert harness.check(scenario, answer) is None


@pytest.mark.parametrize("framework", apps.FRAMEWORKS)
def test_bench_app_rejects_invalid_post(framework: str) -> None:
    """A POST body that fails the pydantic model gets a 4xx, not the echo."""
    module = bench_module(framework)
    if module.POST_SKIP_REASON is not None:
        pytest.skip(module.POST_SKIP_REASON)
    post = harness.SCENARIOS_BY_KEY["post"]
    headers = [*harness.BASE_HEADERS, (b"content-type", b"application/json")]
    answer = serve(module, post.routes, "POST", "/items", harness.BAD_POST_BODY, headers)
    assert 400 <= answer.status < 500


@pytest.mark.parametrize("framework", apps.FRAMEWORKS)
def test_bench_app_static_filler_answers_its_name(framework: str) -> None:
    """The last static filler route of the large app is really routed (not a 404)."""
    module = bench_module(framework)
    last = [p for kind, p, _ in common.filler_routes(common.LARGE_ROUTES) if kind == "static"][-1]
    answer = serve(module, common.LARGE_ROUTES, "GET", f"/{last}")
    assert (answer.status, answer.body) == (200, last.encode())


@pytest.mark.parametrize("framework", apps.FRAMEWORKS)
def test_bench_app_int_route_refuses_non_int(framework: str) -> None:
    """The int-param filler route does not answer a non-integer id with a 200."""
    module = bench_module(framework)
    path = common.target_path(common.SMALL_ROUTES).rsplit("/", 1)[0] + "/abc"
    answer = serve(module, common.SMALL_ROUTES, "GET", path)
    assert answer.status in (404, 422)


def test_filler_routes_fill_the_app_to_the_total() -> None:
    """Scenario routes plus fillers make exactly the advertised route counts."""
    for total in (common.SMALL_ROUTES, common.LARGE_ROUTES):
        fillers = list(common.filler_routes(total))
        assert len(fillers) + common.CORE_ROUTES == total


def test_post_scenario_body_is_valid_for_the_model() -> None:
    """The POST scenario's body is one the shared model accepts, and its echo is expected."""
    post = harness.SCENARIOS_BY_KEY["post"]
    item = common.Item.model_validate_json(post.body)
    assert item.model_dump() == json.loads(post.body) == post.expected_json
