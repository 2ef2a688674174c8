"""The core's seams, seen from outside: hooks made async once, sessions saved through the
response's header callbacks, mounts reached without an exception, ``include()`` all or
nothing, and the aliases that were removed."""

from __future__ import annotations

import threading

import dyne


def test_a_sync_before_request_hook_runs_in_the_thread_pool_not_on_the_event_loop(app):
    seen: dict[str, int] = {}

    @app.before_request
    def hook(req, resp):
        seen["hook"] = threading.get_ident()

    @app.route("/")
    async def view(req, resp):
        seen["view"] = threading.get_ident()
        resp.text = "ok"

    assert app.client.get("/").text == "ok"
    assert seen["hook"] != seen["view"]


def test_an_async_before_request_hook_runs_on_the_event_loop(app):
    seen: dict[str, int] = {}

    @app.before_request
    async def hook(req, resp):
        seen["hook"] = threading.get_ident()

    @app.route("/")
    async def view(req, resp):
        seen["view"] = threading.get_ident()

    app.client.get("/")
    assert seen["hook"] == seen["view"]


def test_a_sync_blueprint_hook_runs_in_the_thread_pool_and_can_refuse(app):
    bp = dyne.Blueprint("admin", "/admin")
    seen: dict[str, int] = {}

    @bp.before_request
    def hook(req, resp):
        seen["hook"] = threading.get_ident()
        if req.params.get("deny"):
            resp.status_code = 403
            resp.text = "no"

    @bp.route("/")
    async def view(req, resp):
        seen["view"] = threading.get_ident()
        resp.text = "admin"

    app.include(bp)
    assert app.client.get("/admin/").text == "admin"
    assert seen["hook"] != seen["view"]
    refused = app.client.get("/admin/?deny=1")
    assert (refused.status_code, refused.text) == (403, "no")


def test_a_sync_app_hook_that_sets_complete_skips_the_view(app):
    calls = []

    @app.before_request
    def hook(req, resp):
        resp.text = "answered by the hook"
        resp.complete = True

    @app.route("/")
    def view(req, resp):
        calls.append("view")

    assert app.client.get("/").text == "answered by the hook"
    assert calls == []
