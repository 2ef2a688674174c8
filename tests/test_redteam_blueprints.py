"""Red-team regressions for blueprints: a blueprint's before_request hooks never leave a
route of that blueprint silently open."""

from __future__ import annotations

import pytest

import dyne
from dyne import Blueprint
from dyne.routing import RouteError


async def _secret_app(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"secret files"})


def _refuse_anonymous(req, resp):
    if "authorization" not in req.headers:
        resp.status_code = 401
        resp.text = "log in"


@pytest.fixture
def app(tmp_path, monkeypatch) -> dyne.App:
    monkeypatch.chdir(tmp_path)
    return dyne.App()


def test_redteam_blueprint_hook_with_a_mount_raises_at_include(app):
    bp = Blueprint("admin", prefix="/admin")
    bp.before_request()(_refuse_anonymous)
    bp.mount("/files", _secret_app)
    with pytest.raises(RouteError, match="before_request hooks"):
        app.include(bp)
    # Nothing was served unprotected.
    assert app.client.get("/admin/files/a").status_code == 404


def test_redteam_blueprint_parent_hook_with_a_nested_mount_raises_at_include(app):
    parent = Blueprint("admin", prefix="/admin")
    parent.before_request()(_refuse_anonymous)
    child = Blueprint("files", prefix="/files")
    child.mount("/raw", _secret_app)
    parent.include(child)
    with pytest.raises(RouteError, match="before_request hooks"):
        app.include(parent)


def test_redteam_blueprint_websocket_hook_with_a_mount_raises_at_include(app):
    bp = Blueprint("live", prefix="/live")

    @bp.before_request(websocket=True)
    async def refuse(ws):
        await ws.close()

    bp.mount("/raw", _secret_app)
    with pytest.raises(RouteError, match="before_request hooks"):
        app.include(bp)


def test_redteam_blueprint_mount_without_hooks_is_served(app):
    bp = Blueprint("public", prefix="/public")
    bp.mount("/files", _secret_app)
    app.include(bp)
    assert app.client.get("/public/files/a").text == "secret files"
