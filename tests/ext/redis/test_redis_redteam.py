"""Red-team regressions for RedisSessionStore: a stolen cookie that was written to since
(and so moved to an id of its own) still ends when its owner logs out or is revoked."""

from __future__ import annotations

import pytest
from starlette.websockets import WebSocketDisconnect

import dyne
from dyne.ext.redis import RedisSessionStore
from redis_support import REDIS_URL, private_redis, redis_client
from support import SECRET, with_cookie
from support import login_worker as worker


def stolen_and_forked(tmp_path, monkeypatch, prefix):
    """The victim's app, the thief's app, the victim's cookie and the thief's forked one."""
    victim = worker(tmp_path, monkeypatch, RedisSessionStore(REDIS_URL, prefix=prefix))
    thief = worker(tmp_path, monkeypatch, RedisSessionStore(REDIS_URL, prefix=prefix))
    cookie = victim.client.post("/login").cookies["dyne-Session"]
    # The thief's copy is written to, so the store moves it to an id of its own.
    forked = with_cookie(thief, "GET", "/visit", cookie).cookies["dyne-Session"]
    assert with_cookie(thief, "GET", "/me", forked).json()["name"] == "alice"
    return victim, thief, cookie, forked


def test_redis_redteam_logout_ends_a_stolen_cookie_written_to_since(tmp_path, monkeypatch, prefix):
    victim, thief, cookie, forked = stolen_and_forked(tmp_path, monkeypatch, prefix)
    with_cookie(victim, "POST", "/logout", cookie)
    assert with_cookie(thief, "GET", "/me", forked).status_code == 302


def test_redis_redteam_revoke_ends_a_stolen_cookie_written_to_since(tmp_path, monkeypatch, prefix):
    victim, thief, cookie, forked = stolen_and_forked(tmp_path, monkeypatch, prefix)
    victims_id = with_cookie(victim, "GET", "/me", cookie).json()["id"]
    assert RedisSessionStore(REDIS_URL, prefix=prefix).revoke(victims_id) is True
    assert with_cookie(thief, "GET", "/me", forked).status_code == 302


def test_redis_redteam_logout_leaves_other_logins_of_the_user_alone(tmp_path, monkeypatch, prefix):
    app = worker(tmp_path, monkeypatch, RedisSessionStore(REDIS_URL, prefix=prefix))
    laptop = app.client.post("/login").cookies["dyne-Session"]
    app.client.cookies.clear()
    phone = app.client.post("/login").cookies["dyne-Session"]
    with_cookie(app, "POST", "/logout", laptop)
    assert with_cookie(app, "GET", "/me", phone).json()["name"] == "alice"


def test_redis_redteam_a_planted_cookie_cannot_end_the_login_made_with_it(
    tmp_path, monkeypatch, prefix
):
    app = worker(tmp_path, monkeypatch, RedisSessionStore(REDIS_URL, prefix=prefix))
    planted = app.client.get("/visit").cookies["dyne-Session"]  # the attacker's session
    logged_in = with_cookie(app, "POST", "/login", planted).cookies["dyne-Session"]
    # The attacker empties their own copy: the victim's login goes on.
    with_cookie(app, "POST", "/logout", planted)
    assert with_cookie(app, "GET", "/me", logged_in).json()["name"] == "alice"


def test_redis_redteam_broadcast_refuses_subscriptions_past_its_bound(
    tmp_path, monkeypatch, prefix
):
    from dyne.ext.redis import RedisBroadcast

    monkeypatch.chdir(tmp_path)
    app = dyne.App(secret_key=SECRET)
    app.broadcast.backend = RedisBroadcast(REDIS_URL, prefix=prefix, max_subscriptions=2)

    @app.route("/listen/{room}", websocket=True)
    async def listen(ws, room):
        await ws.accept()
        async with app.broadcast.subscribe(room) as messages:
            await ws.send_text("ready")
            async for message in messages:
                await ws.send_text(message)

    with app.client.websocket_connect("/listen/a") as first:
        assert first.receive_text() == "ready"
        with app.client.websocket_connect("/listen/b") as second:
            assert second.receive_text() == "ready"
            # Each subscription holds a Redis connection: a third socket gets none.
            with app.client.websocket_connect("/listen/c") as third:
                with pytest.raises(WebSocketDisconnect) as closed:
                    third.receive_text()
                assert closed.value.code == 1011
    # Closed subscriptions give their place back.
    with app.client.websocket_connect("/listen/d") as again:
        assert again.receive_text() == "ready"


def test_redis_redteam_broadcast_bound_must_be_positive():
    from dyne.ext.redis import RedisBroadcast

    with pytest.raises(ValueError, match="max_subscriptions"):
        RedisBroadcast(REDIS_URL, max_subscriptions=0)


def test_redis_redteam_read_only_redis_refuses_digest_with_503(tmp_path, monkeypatch):
    import httpx2

    from dyne.ext.auth import DigestAuth, authenticate
    from dyne.ext.redis import RedisReplayStore

    monkeypatch.chdir(tmp_path)
    with private_redis(tmp_path) as url:
        app = dyne.App(secret_key=SECRET)
        backend = DigestAuth(replay_store=RedisReplayStore(url))
        backend.get_password({"john": "hello"}.get)

        @app.route("/")
        @authenticate(backend)
        async def home(req, resp):
            resp.text = "the protected page"

        admin = redis_client(url)
        # A replica after a failover: it answers, but refuses every write (READONLY).
        admin.execute_command("REPLICAOF", "127.0.0.1", "1")
        answer = app.client.get("/", auth=httpx2.DigestAuth("john", "hello"))
        admin.close()
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"


def test_redis_redteam_a_write_racing_a_logout_does_not_revive_the_session(
    tmp_path, monkeypatch, prefix
):
    store = RedisSessionStore(REDIS_URL, prefix=prefix)
    app = worker(tmp_path, monkeypatch, store)

    @app.route("/race")
    async def race(req, resp):
        assert req.session.id is not None  # the logged-in session was loaded
        store.revoke(req.session.id)  # the owner logs out meanwhile, on another worker
        req.session["visits"] = 1  # this request then writes its copy

    cookie = app.client.post("/login").cookies["dyne-Session"]
    raced = with_cookie(app, "GET", "/race", cookie).cookies["dyne-Session"]
    assert with_cookie(app, "GET", "/me", raced).status_code == 302


def test_redis_redteam_logging_in_again_ends_a_stolen_copy_of_the_old_session(
    tmp_path, monkeypatch, prefix
):
    victim, thief, cookie, forked = stolen_and_forked(tmp_path, monkeypatch, prefix)
    with_cookie(victim, "POST", "/login", cookie)  # the victim logs in again
    assert with_cookie(thief, "GET", "/me", forked).status_code == 302
