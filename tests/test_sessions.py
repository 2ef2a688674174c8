"""Cookie sessions: the signed ``dyne-Session`` cookie behind ``req.session``/``resp.session``."""

from __future__ import annotations

import base64
import json
import logging
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

import dyne
from dyne.sessions import SESSION_COOKIE, SessionCodec, codec_for
from support import load_example

KEY = "a-session-key-for-the-tests"
#: The constant earlier Dyne versions signed sessions with when no key was set.
PUBLISHED_KEY = "dyne-development-secret-key-do-not-use-in-production"


def session_app(app: dyne.App) -> dyne.App:
    @app.route("/login")
    def login(req, resp):
        resp.session["username"] = "john"

    @app.route("/whoami")
    def whoami(req, resp):
        resp.media = req.session

    @app.route("/logout")
    def logout(req, resp):
        resp.session.clear()

    return app


@pytest.fixture
def sapp(tmp_path, monkeypatch) -> dyne.App:
    monkeypatch.chdir(tmp_path)
    return session_app(dyne.App(secret_key=KEY))


def whoami(app: dyne.App, cookie: str):
    client = app.client
    client.cookies.clear()
    header = f"{SESSION_COOKIE}={cookie}".encode("latin-1")
    return client.get("/whoami", headers={"cookie": header})


def test_session_tour_sample_round_trip(sapp):
    r = sapp.client.get("/login")
    assert SESSION_COOKIE in r.cookies
    assert sapp.client.get("/whoami").json() == {"username": "john"}


def test_session_cookie_directives(sapp):
    header = sapp.client.get("/login").headers["set-cookie"]
    assert header.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in header
    assert "Path=/" in header
    assert f"Max-Age={14 * 24 * 3600}" in header
    assert "SameSite=lax" in header
    assert "Secure" not in header


def test_session_cookie_is_signed_not_plain(sapp):
    value = sapp.client.get("/login").cookies[SESSION_COOKIE]
    assert "john" not in value  # encoded
    assert value.count(".") == 2  # payload.timestamp.signature


def test_session_is_empty_without_a_cookie(sapp):
    assert sapp.client.get("/whoami").json() == {}


def test_session_read_only_request_sets_no_cookie(sapp):
    sapp.client.get("/login")
    r = sapp.client.get("/whoami")
    assert "set-cookie" not in r.headers


def test_session_untouched_request_sets_no_cookie(sapp):
    @sapp.route("/plain")
    def plain(req, resp):
        resp.text = "plain"

    assert "set-cookie" not in sapp.client.get("/plain").headers


def test_session_resp_session_is_req_session(sapp):
    @sapp.route("/same")
    def same(req, resp):
        resp.media = {"same": resp.session is req.session}

    assert sapp.client.get("/same").json() == {"same": True}


def test_session_tampered_cookie_gives_empty_session(sapp):
    value = sapp.client.get("/login").cookies[SESSION_COOKIE]
    _payload, stamp, signature = value.split(".")
    forged = base64.urlsafe_b64encode(json.dumps({"username": "admin"}).encode()).decode()
    r = whoami(sapp, f"{forged.rstrip('=')}.{stamp}.{signature}")
    assert r.status_code == 200
    assert r.json() == {}


def test_session_flipped_signature_gives_empty_session(sapp):
    value = sapp.client.get("/login").cookies[SESSION_COOKIE]
    head, _, signature = value.rpartition(".")
    # Change the signature's first character: the last one may only carry padding bits,
    # which base64 decoding ignores.
    flipped = f"{head}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    assert whoami(sapp, flipped).json() == {}


def test_session_truncated_cookie_gives_empty_session(sapp):
    value = sapp.client.get("/login").cookies[SESSION_COOKIE]
    for cut in (1, len(value) // 2, len(value) - 3):
        r = whoami(sapp, value[:cut])
        assert r.status_code == 200
        assert r.json() == {}


@pytest.mark.parametrize(
    "garbage",
    ["x", "....", "a.b.c", "%%%", "\u00e9\u00e9", "eyJ.....", "0" * 5000, '"quoted"'],
)
def test_session_random_cookie_gives_empty_session(sapp, garbage):
    r = whoami(sapp, garbage)
    assert r.status_code == 200
    assert r.json() == {}


def test_session_unsigned_cookie_gives_empty_session(sapp):
    unsigned = base64.urlsafe_b64encode(b'{"username":"admin"}').decode().rstrip("=")
    assert whoami(sapp, unsigned).json() == {}


def test_session_cookie_signed_with_another_key_is_ignored(sapp, tmp_path):
    other = session_app(dyne.App(secret_key="another-key-long-enough-to-sign"))
    value = other.client.get("/login").cookies[SESSION_COOKIE]
    assert whoami(sapp, value).json() == {}


def test_session_expired_cookie_gives_empty_session(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = session_app(dyne.App(secret_key=KEY, session_max_age=60))
    codec = codec_for(app)
    with monkeypatch.context() as past:
        past.setattr(time, "time", lambda: 1_000_000_000.0)  # signed long ago
        old = codec.dumps({"username": "john"})
    assert whoami(app, old).json() == {}
    assert whoami(app, codec.dumps({"username": "john"})).json() == {"username": "john"}


def test_session_max_age_is_configurable(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = session_app(dyne.App(secret_key=KEY, session_max_age=300))
    assert "Max-Age=300" in app.client.get("/login").headers["set-cookie"]


def test_session_https_only_marks_cookie_secure(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = session_app(dyne.App(secret_key=KEY, session_https_only=True))
    assert "Secure" in app.client.get("/login").headers["set-cookie"]


def test_session_cookie_is_secure_over_https(sapp):
    header = sapp.client.get("https://;/login").headers["set-cookie"]
    assert "Secure" in header
    assert "HttpOnly" in header
    assert "SameSite=lax" in header


def test_session_cookie_deletion_is_secure_over_https(sapp):
    sapp.client.get("https://;/login")
    assert "Secure" in sapp.client.get("https://;/logout").headers["set-cookie"]


def test_session_cleared_session_deletes_the_cookie(sapp):
    sapp.client.get("/login")
    r = sapp.client.get("/logout")
    assert "Max-Age=0" in r.headers["set-cookie"]
    assert sapp.client.get("/whoami").json() == {}


def test_session_changes_accumulate_across_requests(sapp):
    @sapp.route("/count")
    def count(req, resp):
        resp.session["n"] = req.session.get("n", 0) + 1
        resp.media = {"n": resp.session["n"]}

    assert [sapp.client.get("/count").json()["n"] for _ in range(3)] == [1, 2, 3]


def test_session_nested_change_needs_modified_flag(sapp):
    @sapp.route("/cart")
    def cart(req, resp):
        req.session.setdefault("items", [])
        req.session["items"].append(req.params["item"])
        req.session.modified = True
        resp.media = req.session["items"]

    sapp.client.get("/cart?item=a")
    assert sapp.client.get("/cart?item=b").json() == ["a", "b"]


def test_session_secret_key_from_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    from_config = session_app(dyne.App())
    explicit = session_app(dyne.App(secret_key="from-the-environment"))
    value = from_config.client.get("/login").cookies[SESSION_COOKIE]
    assert whoami(explicit, value).json() == {"username": "john"}


def test_session_without_key_logs_warning_when_not_debug(tmp_path, monkeypatch, caplog):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = session_app(dyne.App(debug=False))
    with caplog.at_level(logging.WARNING, logger="dyne.sessions"):
        app.client.get("/login")
    assert "random key made for this process" in caplog.text
    assert "not shared between workers" in caplog.text


def test_session_without_key_is_no_warning_in_debug(tmp_path, monkeypatch, caplog):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = session_app(dyne.App(debug=True))
    with caplog.at_level(logging.WARNING, logger="dyne.sessions"):
        app.client.get("/login")
    assert "random key" not in caplog.text


def test_session_without_key_still_round_trips(tmp_path, monkeypatch, caplog):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = session_app(dyne.App(debug=True))
    app.client.get("/login")
    assert app.client.get("/whoami").json() == {"username": "john"}


def test_session_without_key_refuses_cookie_signed_with_published_key(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = session_app(dyne.App(debug=True))
    forged = SessionCodec(PUBLISHED_KEY).dumps({"username": "admin"})
    assert whoami(app, forged).json() == {}


def test_session_own_key_is_quiet(sapp, caplog):
    with caplog.at_level(logging.WARNING, logger="dyne.sessions"):
        sapp.client.get("/login")
    assert "random key" not in caplog.text


@pytest.mark.parametrize("key", ["short", "fifteen-bytes!!", "\u00e9" * 7])
def test_session_short_secret_key_is_refused(tmp_path, monkeypatch, key):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="shorter than the 16 bytes"):
        dyne.App(secret_key=key)


def test_session_short_secret_key_from_environment_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "hunter2")
    with pytest.raises(ValueError, match="SECRET_KEY is 7 bytes long"):
        dyne.App()


def test_session_key_of_sixteen_bytes_is_accepted(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = session_app(dyne.App(secret_key="x" * 16))
    app.client.get("/login")
    assert app.client.get("/whoami").json() == {"username": "john"}


def test_session_short_key_set_later_in_config_fails_at_first_use(tmp_path, monkeypatch, caplog):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = session_app(dyne.App(debug=False))
    app.config["SECRET_KEY"] = "short"
    with caplog.at_level(logging.ERROR):
        r = app.client.get("/login")
    assert r.status_code == 500
    assert SESSION_COOKIE not in r.cookies
    assert "SECRET_KEY is 5 bytes long" in caplog.text


def test_session_unserialisable_value_is_a_500_not_a_crash(tmp_path, monkeypatch, caplog):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(secret_key=KEY, debug=False)

    @app.route("/")
    def view(req, resp):
        resp.session["when"] = object()

    with caplog.at_level(logging.ERROR):
        r = app.client.get("/")
    assert r.status_code == 500


def test_session_example_logs_in_and_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "example-key-long-enough-to-sign")
    app = load_example("sessions").app
    client = app.client
    assert client.get("/me").status_code == 401
    assert client.post("/login", data={"username": ""}).status_code == 400
    assert client.post("/login", data={"username": "john"}).json() == {"logged_in": "john"}
    assert client.get("/me").json() == {"username": "john", "visits": 1}
    assert client.get("/me").json() == {"username": "john", "visits": 2}
    client.post("/logout")
    assert client.get("/me").status_code == 401
    client.close()


# -- properties ------------------------------------------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
_sessions = st.dictionaries(st.text(max_size=12), _json_values, max_size=6)


@given(data=_sessions)
def test_session_codec_round_trips_any_json_session(data):
    codec = SessionCodec(KEY)
    assert codec.loads(codec.dumps(data)) == data


@given(data=_sessions, position=st.integers(min_value=0), char=st.characters())
def test_session_codec_never_yields_other_data_from_an_altered_cookie(data, position, char):
    codec = SessionCodec(KEY)
    value = codec.dumps(data)
    index = position % len(value)
    altered = value[:index] + char + value[index + 1 :]
    # Only base64 padding bits can change without changing the data: anything else is {}.
    assert codec.loads(altered) in ({}, data)


@given(value=st.text(max_size=200))
def test_session_codec_reads_any_string_as_a_dict(value):
    assert isinstance(SessionCodec(KEY).loads(value), dict)


@given(data=_sessions)
def test_session_codec_refuses_cookies_signed_with_another_key(data):
    value = SessionCodec("another-key-long-enough-to-sign").dumps(data)
    assert SessionCodec(KEY).loads(value) == {}
