"""dyne.ext.redis against a real Redis: Digest replays, server-side sessions, broadcast."""

from __future__ import annotations

import httpx2
import pytest

import dyne
from dyne.ext.auth import DigestAuth, authenticate
from dyne.ext.redis import RedisBroadcast, RedisReplayStore, RedisSessionStore
from redis_support import free_port, private_redis, redis_client
from support import SECRET, add_chat, login_worker, with_cookie


@pytest.fixture
def url():
    from redis_support import REDIS_URL

    return REDIS_URL


def digest_worker(tmp_path, monkeypatch, store):
    """One 'worker': an app with a Digest-protected view, sharing SECRET and ``store``."""
    monkeypatch.chdir(tmp_path)
    app = dyne.App(secret_key=SECRET)
    backend = DigestAuth(replay_store=store)

    @backend.get_password
    def get_password(username):
        return {"john": "hello"}.get(username)

    @app.route("/")
    @authenticate(backend)
    async def home(req, resp):
        resp.text = req.state.user

    @app.route("/public")
    def public(req, resp):
        resp.text = "public"

    return app


def test_redis_replay_store_refuses_a_replay_on_another_worker(tmp_path, monkeypatch, url, prefix):
    store = RedisReplayStore(url, prefix=prefix)
    worker_a = digest_worker(tmp_path, monkeypatch, store)
    worker_b = digest_worker(tmp_path, monkeypatch, RedisReplayStore(url, prefix=prefix))
    answered = worker_a.client.get("/", auth=httpx2.DigestAuth("john", "hello"))
    assert answered.status_code == 200
    captured = answered.request.headers["authorization"]
    replayed = worker_b.client.get("/", headers={"Authorization": captured})
    assert replayed.status_code == 401


def test_redis_replay_store_entries_expire_with_the_nonce(
    tmp_path, monkeypatch, url, prefix, redis
):
    worker = digest_worker(tmp_path, monkeypatch, RedisReplayStore(url, prefix=prefix))
    assert worker.client.get("/", auth=httpx2.DigestAuth("john", "hello")).status_code == 200
    [key] = list(redis.scan_iter(match=prefix + "*"))
    # nonce_max_age (300 s) plus the clock skew allowed between workers (30 s)
    assert 300_000 < redis.pttl(key) <= 330_000


def test_redis_replay_store_without_redis_is_a_503_never_a_success(tmp_path, monkeypatch):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    worker = digest_worker(tmp_path, monkeypatch, RedisReplayStore(dead, timeout=0.5))
    assert worker.client.get("/", auth=httpx2.DigestAuth("john", "hello")).status_code == 503


def test_redis_down_leaves_requests_that_do_not_use_it_working(tmp_path, monkeypatch):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    worker = digest_worker(tmp_path, monkeypatch, RedisReplayStore(dead, timeout=0.5))
    assert worker.client.get("/public").text == "public"


def test_digest_replay_store_must_have_first_use():
    with pytest.raises(TypeError, match="first_use"):
        DigestAuth(replay_store=object())


def session_app(tmp_path, monkeypatch, store):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(secret_key=SECRET, session_store=store)

    @app.route("/set/{value}")
    def set_value(req, resp, value):
        resp.session["value"] = value
        resp.text = "set"

    @app.route("/get")
    def get_value(req, resp):
        resp.media = {"value": req.session.get("value"), "id": req.session.id}

    @app.route("/logout")
    def logout(req, resp):
        req.session.clear()

    @app.route("/public")
    def public(req, resp):
        resp.text = "public"

    return app


def test_redis_session_is_read_by_another_worker(tmp_path, monkeypatch, url, prefix):
    worker_a = session_app(tmp_path, monkeypatch, RedisSessionStore(url, prefix=prefix))
    worker_b = session_app(tmp_path, monkeypatch, RedisSessionStore(url, prefix=prefix))
    cookie = worker_a.client.get("/set/blue").cookies["dyne-Session"]
    answer = with_cookie(worker_b, "GET", "/get", cookie).json()
    assert answer["value"] == "blue"


def test_redis_session_cookie_carries_only_a_signed_id(tmp_path, monkeypatch, url, prefix):
    app = session_app(tmp_path, monkeypatch, RedisSessionStore(url, prefix=prefix))
    cookie = app.client.get("/set/" + "x" * 8000).cookies["dyne-Session"]
    assert "xxxx" not in cookie
    assert len(cookie) < 200


def test_redis_session_forged_id_reads_as_empty(tmp_path, monkeypatch, url, prefix, redis):
    app = session_app(tmp_path, monkeypatch, RedisSessionStore(url, prefix=prefix))
    app.client.get("/set/blue")
    [key] = [k for k in redis.scan_iter(match=prefix + "*") if b":family:" not in k]
    sid = key.decode()[len(prefix) :]
    # The bare id, unsigned, is not a session cookie.
    answer = with_cookie(app, "GET", "/get", sid).json()
    assert answer == {"value": None, "id": None}


def test_redis_session_revoke_ends_it(tmp_path, monkeypatch, url, prefix):
    store = RedisSessionStore(url, prefix=prefix)
    app = session_app(tmp_path, monkeypatch, store)
    app.client.get("/set/blue")
    sid = app.client.get("/get").json()["id"]
    assert store.revoke(sid) is True
    assert app.client.get("/get").json()["value"] is None


def test_redis_session_cleared_is_deleted_from_redis(tmp_path, monkeypatch, url, prefix, redis):
    app = session_app(tmp_path, monkeypatch, RedisSessionStore(url, prefix=prefix))
    app.client.get("/set/blue")
    app.client.get("/logout")
    assert list(redis.scan_iter(match=prefix + "*")) == []


def test_redis_session_write_moves_to_a_new_id(tmp_path, monkeypatch, url, prefix):
    app = session_app(tmp_path, monkeypatch, RedisSessionStore(url, prefix=prefix))
    planted = app.client.get("/set/anonymous").cookies["dyne-Session"]
    app.client.get("/set/logged-in")
    # The id an attacker could have planted before the login never holds the new data.
    answer = with_cookie(app, "GET", "/get", planted).json()
    assert answer["value"] == "anonymous"


def test_redis_session_store_down_at_start_is_a_503_at_first_use(tmp_path, monkeypatch):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    app = session_app(tmp_path, monkeypatch, RedisSessionStore(dead, timeout=0.5))
    assert app.client.get("/public").text == "public"
    assert app.client.get("/set/blue").status_code == 503


def test_redis_lost_mid_request_is_a_503_without_a_cookie(tmp_path, monkeypatch):
    with private_redis(tmp_path) as url:
        store = RedisSessionStore(url, timeout=0.5)
        app = session_app(tmp_path, monkeypatch, store)
        stopper = redis_client(url)

        @app.route("/lose")
        def lose(req, resp):
            req.session.get("value")  # read while Redis is up
            stopper.shutdown(nosave=True)  # Redis goes away before the write
            resp.session["value"] = "half"

        response = app.client.get("/lose")
        assert response.status_code == 503
        assert "dyne-Session" not in response.cookies


def test_redis_url_is_checked():
    with pytest.raises(ValueError, match="redis://"):
        RedisSessionStore("http://127.0.0.1:6379")


def broadcast_worker(tmp_path, monkeypatch, backend):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(secret_key=SECRET)
    app.broadcast.backend = backend
    add_chat(app, "news")
    return app


def test_redis_broadcast_reaches_a_websocket_on_another_worker(tmp_path, monkeypatch, url, prefix):
    worker_a = broadcast_worker(tmp_path, monkeypatch, RedisBroadcast(url, prefix=prefix))
    worker_b = broadcast_worker(tmp_path, monkeypatch, RedisBroadcast(url, prefix=prefix))
    with worker_b.client.websocket_connect("/listen") as ws:
        assert ws.receive_text() == "ready"
        assert worker_a.client.post("/say/hello").text == "sent"
        assert ws.receive_text() == "hello"


def test_redis_broadcast_publish_without_redis_is_a_503(tmp_path, monkeypatch):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    app = broadcast_worker(tmp_path, monkeypatch, RedisBroadcast(dead, timeout=0.5))
    assert app.client.post("/say/hello").status_code == 503


def test_redis_session_logout_revokes_a_copied_cookie(tmp_path, monkeypatch, url, prefix):
    worker_a = login_worker(tmp_path, monkeypatch, RedisSessionStore(url, prefix=prefix))
    worker_b = login_worker(tmp_path, monkeypatch, RedisSessionStore(url, prefix=prefix))
    cookie = worker_a.client.post("/login").cookies["dyne-Session"]
    assert with_cookie(worker_b, "GET", "/me", cookie).json()["name"] == "alice"
    worker_b.client.post("/logout")
    # A copy of the cookie taken before the logout no longer logs anyone in.
    copied = with_cookie(worker_a, "GET", "/me", cookie)
    assert copied.status_code == 302
    assert copied.headers["location"].startswith("/login")
