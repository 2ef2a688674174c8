"""DigestAuth (RFC 7616): the handshake, HA1 passwords, nonces, opaque and replays."""

from __future__ import annotations

import hashlib

import httpx2
import pytest
from digest_helpers import digest_authorization, parse_challenge

import dyne
from dyne.ext.auth import DigestAuth, authenticate
from dyne.ext.auth.stateless.backends import _nonces
from dyne.extension import derive_key

REALM = "Authentication Required"


def make_app(users, secret_key="s3cret-for-digest-tests", **options):
    """An app with a DigestAuth-protected /greet and the backend."""
    app = dyne.App(secret_key=secret_key)
    backend = DigestAuth(**options)

    @backend.get_password
    async def get_password(username):
        return users.get(username)

    @app.route("/greet")
    @authenticate(backend)
    async def greet(req, resp):
        resp.text = f"Hello to {req.state.user}"

    return app, backend


@pytest.fixture
def digest_app(users, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app, _ = make_app(users)
    yield app
    app.client.close()


def challenge_of(client, path="/greet"):
    response = client.get(path)
    assert response.status_code == 401
    return parse_challenge(response.headers["www-authenticate"])


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256"])
def test_digest_handshake_computed_from_rfc_7616(users, tmp_path, monkeypatch, algorithm):
    monkeypatch.chdir(tmp_path)
    app, _ = make_app(users, algorithm=algorithm)
    challenge = challenge_of(app.client)
    assert challenge["algorithm"] == algorithm
    assert challenge["qop"] == "auth"
    header = digest_authorization(challenge, username="john", password="password", uri="/greet")
    response = app.client.get("/greet", headers={"Authorization": header})
    assert response.status_code == 200
    assert response.text == "Hello to john"


@pytest.mark.parametrize(
    ("algorithm", "expected"),
    [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ],
)
def test_digest_accepts_the_rfc_7616_example(app, client, algorithm, expected):
    # RFC 7616 §3.9.1, with the nonce and opaque it uses supplied through the hooks.
    nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
    opaque = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
    backend = DigestAuth(realm="http-auth@example.org", algorithm=algorithm)
    backend.get_password(lambda username: "Circle of Life" if username == "Mufasa" else None)
    backend.generate_nonce(lambda request: nonce)
    backend.verify_nonce(lambda request, value: value == nonce)
    backend.generate_opaque(lambda request: opaque)
    backend.verify_opaque(lambda request, value: value == opaque)

    @app.route("/dir/index.html")
    @authenticate(backend)
    async def index(req, resp):
        resp.text = req.state.user

    header = (
        f'Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", '
        f'algorithm={algorithm}, nonce="{nonce}", nc=00000001, '
        f'cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, '
        f'response="{expected}", opaque="{opaque}"'
    )
    response = client.get("/dir/index.html", headers={"Authorization": header})
    assert response.status_code == 200
    assert response.text == "Mufasa"


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256"])
def test_digest_handshake_with_httpx_digest_auth(users, tmp_path, monkeypatch, algorithm):
    monkeypatch.chdir(tmp_path)
    app, _ = make_app(users, algorithm=algorithm)
    auth = httpx2.DigestAuth("john", "password")
    first = app.client.get("/greet", auth=auth)
    second = app.client.get("/greet?x=1", auth=auth)  # reuses the nonce with nc=2
    assert (first.status_code, first.text) == (200, "Hello to john")
    assert second.status_code == 200


def test_digest_httpx_wrong_password_is_a_401(digest_app):
    response = digest_app.client.get("/greet", auth=httpx2.DigestAuth("john", "nope"))
    assert response.status_code == 401


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256"])
def test_digest_get_password_may_return_ha1(app, client, users, algorithm):
    backend = DigestAuth(realm="My App", algorithm=algorithm)
    digest = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}[algorithm]

    @backend.get_password
    async def get_ha1_pw(username):
        password = users.get(username)
        return digest(f"{username}:My App:{password}".encode()).hexdigest()

    @app.route("/")
    @authenticate(backend)
    async def home(req, resp):
        resp.text = req.state.user

    assert client.get("/", auth=httpx2.DigestAuth("john", "password")).text == "john"


def test_digest_use_ha1_pw_false_reads_the_value_as_a_password(app, client):
    backend = DigestAuth(use_ha1_pw=False)
    ha1 = hashlib.md5(f"john:{REALM}:password".encode()).hexdigest()
    backend.get_password(lambda username: ha1)

    @app.route("/")
    @authenticate(backend)
    async def home(req, resp):
        pass

    assert client.get("/", auth=httpx2.DigestAuth("john", "password")).status_code == 401
    assert client.get("/", auth=httpx2.DigestAuth("john", ha1)).status_code == 200


def test_digest_use_ha1_pw_true_reads_the_value_as_ha1(app, client):
    backend = DigestAuth(use_ha1_pw=True)
    backend.get_password(lambda username: "password")

    @app.route("/")
    @authenticate(backend)
    async def home(req, resp):
        pass

    assert client.get("/", auth=httpx2.DigestAuth("john", "password")).status_code == 401


def test_digest_get_password_none_is_a_401(digest_app):
    response = digest_app.client.get("/greet", auth=httpx2.DigestAuth("nobody", "password"))
    assert response.status_code == 401


def test_digest_unknown_user_and_wrong_password_answer_alike(digest_app):
    client = digest_app.client
    challenge = challenge_of(client)
    answers = []
    for username, password in (("nobody", "password"), ("john", "nope")):
        header = digest_authorization(challenge, username=username, password=password, uri="/greet")
        answers.append(client.get("/greet", headers={"Authorization": header}))
    assert answers[0].status_code == answers[1].status_code == 401
    assert answers[0].text == answers[1].text
    assert "stale" not in answers[0].headers["www-authenticate"]
    assert "stale" not in answers[1].headers["www-authenticate"]


def test_digest_wrong_uri_is_a_400(digest_app):
    client = digest_app.client
    challenge = challenge_of(client)
    header = digest_authorization(challenge, username="john", password="password", uri="/other")
    assert client.get("/greet", headers={"Authorization": header}).status_code == 400


def test_digest_replayed_nonce_count_is_refused(digest_app):
    client = digest_app.client
    challenge = challenge_of(client)
    header = digest_authorization(challenge, username="john", password="password", uri="/greet")
    assert client.get("/greet", headers={"Authorization": header}).status_code == 200
    assert client.get("/greet", headers={"Authorization": header}).status_code == 401
    following = digest_authorization(
        challenge, username="john", password="password", uri="/greet", nc="00000002"
    )
    assert client.get("/greet", headers={"Authorization": following}).status_code == 200


def test_digest_flooded_window_never_forgets_a_captured_request(users, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app, _ = make_app(users, replay_window=3)
    client = app.client
    challenge = challenge_of(client)

    def request(nc):
        header = digest_authorization(
            challenge, username="john", password="password", uri="/greet", nc=nc
        )
        return client.get("/greet", headers={"Authorization": header})

    assert request("00000001").status_code == 200  # the request an attacker captured
    for nc in ("00000002", "00000003", "00000004", "00000005"):
        request(nc)  # the attacker floods the window with their own uses
    replayed = request("00000001")
    assert replayed.status_code == 401
    assert "Hello" not in replayed.text


def test_digest_full_window_answers_stale_for_new_requests(users, tmp_path, monkeypatch, caplog):
    monkeypatch.chdir(tmp_path)
    app, _ = make_app(users, replay_window=1)
    client = app.client
    challenge = challenge_of(client)
    first = digest_authorization(challenge, username="john", password="password", uri="/greet")
    assert client.get("/greet", headers={"Authorization": first}).status_code == 200
    second = digest_authorization(
        challenge, username="john", password="password", uri="/greet", nc="00000002"
    )
    response = client.get("/greet", headers={"Authorization": second})
    assert response.status_code == 401
    assert parse_challenge(response.headers["www-authenticate"])["stale"] == "true"
    assert "replay window" in caplog.text


def test_digest_window_forgets_uses_only_after_they_expire():
    window = _nonces.NonceCountWindow(ttl=10, max_entries=1)
    assert window.record("n", "c", "1", now=0) == "new"
    assert window.record("n", "c", "2", now=5) == "full"
    assert window.record("n", "c", "1", now=5) == "replay"
    assert window.record("n", "c", "2", now=11) == "new"


def test_digest_replay_hook_replaces_the_window(users, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app, backend = make_app(users)
    seen = []

    @backend.verify_nonce_count
    async def first_use(request, nonce, cnonce, nc):
        seen.append((nonce, cnonce, nc))
        return len(seen) == 1

    challenge = challenge_of(app.client)
    header = digest_authorization(challenge, username="john", password="password", uri="/greet")
    assert app.client.get("/greet", headers={"Authorization": header}).status_code == 200
    other = digest_authorization(
        challenge, username="john", password="password", uri="/greet", nc="00000009"
    )
    assert app.client.get("/greet", headers={"Authorization": other}).status_code == 401
    assert seen == [
        (challenge["nonce"], "0a4f113b", "00000001"),
        (challenge["nonce"], "0a4f113b", "00000009"),
    ]


def test_digest_expired_nonce_answers_stale(digest_app):
    key = derive_key(digest_app, _nonces.key_purpose(REALM))
    old = {"realm": REALM, "nonce": _nonces.make_nonce(key, now=1_000_000)}
    old["opaque"] = parse_challenge(digest_app.client.get("/greet").headers["www-authenticate"])[
        "opaque"
    ]
    header = digest_authorization(old, username="john", password="password", uri="/greet")
    response = digest_app.client.get("/greet", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].endswith("stale=true")
    fresh = parse_challenge(response.headers["www-authenticate"])
    assert fresh["nonce"] != old["nonce"]


def test_digest_expired_nonce_with_wrong_password_is_not_stale(digest_app):
    key = derive_key(digest_app, _nonces.key_purpose(REALM))
    old = {"realm": REALM, "nonce": _nonces.make_nonce(key, now=1_000_000)}
    old["opaque"] = challenge_of(digest_app.client)["opaque"]
    header = digest_authorization(old, username="john", password="nope", uri="/greet")
    response = digest_app.client.get("/greet", headers={"Authorization": header})
    assert response.status_code == 401
    assert "stale" not in response.headers["www-authenticate"]


def test_digest_nonce_from_another_secret_is_refused(users, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    issuer, _ = make_app(users, secret_key="the-first-secret-key")
    verifier, _ = make_app(users, secret_key="the-second-secret-key")
    challenge = challenge_of(issuer.client)
    header = digest_authorization(challenge, username="john", password="password", uri="/greet")
    assert verifier.client.get("/greet", headers={"Authorization": header}).status_code == 401


def test_digest_two_workers_with_one_secret_accept_each_others_nonces(users, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    worker_a, _ = make_app(users, secret_key="a-shared-secret-key")
    worker_b, _ = make_app(users, secret_key="a-shared-secret-key")
    challenge = challenge_of(worker_a.client)
    header = digest_authorization(challenge, username="john", password="password", uri="/greet")
    response = worker_b.client.get("/greet", headers={"Authorization": header})
    assert response.status_code == 200


def test_digest_secret_key_from_config(users, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "from-config-long-enough")
    worker_a, _ = make_app(users, secret_key=None)
    worker_b, _ = make_app(users, secret_key=None)
    challenge = challenge_of(worker_a.client)
    header = digest_authorization(challenge, username="john", password="password", uri="/greet")
    assert worker_b.client.get("/greet", headers={"Authorization": header}).status_code == 200


def test_digest_short_secret_key_set_later_is_a_logged_500(users, tmp_path, monkeypatch, caplog):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app, _ = make_app(users, secret_key=None)
    app.config["SECRET_KEY"] = "short"
    from dyne.testing import TestClient

    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level("ERROR"):
        response = client.get("/greet")
    assert response.status_code == 500
    assert "SECRET_KEY is 5 bytes long" in caplog.text


def test_digest_without_secret_uses_a_process_key(users, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app, _ = make_app(users, secret_key=None)
    assert app.client.get("/greet", auth=httpx2.DigestAuth("john", "password")).status_code == 200


def test_digest_missing_opaque_is_refused(digest_app):
    challenge = challenge_of(digest_app.client)
    del challenge["opaque"]
    header = digest_authorization(challenge, username="john", password="password", uri="/greet")
    assert digest_app.client.get("/greet", headers={"Authorization": header}).status_code == 401


def test_digest_wrong_opaque_is_refused(digest_app):
    challenge = challenge_of(digest_app.client)
    challenge["opaque"] = "0" * 32
    header = digest_authorization(challenge, username="john", password="password", uri="/greet")
    assert digest_app.client.get("/greet", headers={"Authorization": header}).status_code == 401


@pytest.mark.parametrize(
    "change",
    [
        lambda h: h.replace("qop=auth", "qop=auth-int"),
        lambda h: h.replace("nc=00000001", "nc=1"),
        lambda h: h.replace(f'realm="{REALM}"', 'realm="Other"'),
        lambda h: h.replace("algorithm=MD5", "algorithm=SHA-256"),
        lambda h: h.replace('cnonce="0a4f113b", ', ""),
        lambda h: h + ', nc="00000002"',
        lambda h: h.replace('username="john"', 'username="jo\\"hn'),
        lambda h: "Digest " + "x" * 9000,
        lambda h: "Digest garbage",
        lambda h: "Digest ,,,",
    ],
    ids=[
        "qop",
        "short-nc",
        "realm",
        "algorithm",
        "no-cnonce",
        "duplicate",
        "unterminated",
        "huge",
        "garbage",
        "commas",
    ],
)
def test_digest_malformed_response_is_a_401(digest_app, change):
    challenge = challenge_of(digest_app.client)
    header = digest_authorization(challenge, username="john", password="password", uri="/greet")
    response = digest_app.client.get("/greet", headers={"Authorization": change(header)})
    assert response.status_code == 401


def test_digest_username_star_is_decoded(app, client):
    backend = DigestAuth()
    backend.get_password(lambda username: "pw" if username == "jürgen" else None)

    @app.route("/")
    @authenticate(backend)
    async def home(req, resp):
        resp.text = req.state.user

    challenge = challenge_of(client, "/")
    header = digest_authorization(challenge, username="jürgen", password="pw", uri="/")
    header = header.replace('username="jürgen"', "username*=UTF-8''j%C3%BCrgen")
    response = client.get("/", headers={"Authorization": header})
    assert response.text == "jürgen"


def test_digest_raw_utf8_username_is_decoded(app, client):
    backend = DigestAuth()
    backend.get_password(lambda username: "pw" if username == "jürgen" else None)

    @app.route("/")
    @authenticate(backend)
    async def home(req, resp):
        resp.text = req.state.user

    challenge = challenge_of(client, "/")
    header = digest_authorization(challenge, username="jürgen", password="pw", uri="/")
    response = client.get("/", headers=[(b"authorization", header.encode("utf-8"))])
    assert response.text == "jürgen"


def test_digest_tour_nonce_and_opaque_hooks(app, client, users):
    import hmac

    my_secret_nonce = "37e9292aecca04bd7e834e3e983f5d4"
    my_secret_opaque = "f8bf1725d7a942c6511cc7ed38c169fo"
    digest_auth = DigestAuth()
    digest_auth.get_password(users.get)

    @digest_auth.generate_nonce
    async def gen_nonce(request):
        return my_secret_nonce

    @digest_auth.verify_nonce
    async def ver_nonce(request, nonce):
        return hmac.compare_digest(my_secret_nonce, nonce)

    @digest_auth.generate_opaque
    async def gen_opaque(request):
        return my_secret_opaque

    @digest_auth.verify_opaque
    async def ver_opaque(request, opaque):
        return hmac.compare_digest(my_secret_opaque, opaque)

    @app.route("/")
    @authenticate(digest_auth)
    async def home(req, resp):
        resp.text = req.state.user

    challenge = challenge_of(client, "/")
    assert challenge["nonce"] == my_secret_nonce
    assert challenge["opaque"] == my_secret_opaque
    assert client.get("/", auth=httpx2.DigestAuth("john", "password")).text == "john"
    # A second client starts again at nc=1 with its own cnonce: not a replay.
    assert client.get("/", auth=httpx2.DigestAuth("john", "password")).status_code == 200
    challenge["nonce"] = "forged"
    forged = digest_authorization(challenge, username="john", password="password", uri="/")
    assert client.get("/", headers={"Authorization": forged}).status_code == 401


def test_digest_half_registered_nonce_hooks_are_a_500(app):
    backend = DigestAuth()
    backend.get_password(lambda username: "pw")
    backend.generate_nonce(lambda request: "n")

    @app.route("/")
    @authenticate(backend)
    async def home(req, resp):
        pass

    from dyne.testing import TestClient

    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/").status_code == 500


def test_digest_unsupported_algorithm_is_refused():
    with pytest.raises(ValueError, match="Unsupported Digest algorithm 'SHA-1'"):
        DigestAuth(algorithm="SHA-1")


def test_digest_describes_itself_for_openapi():
    assert DigestAuth().security_scheme == {"type": "http", "scheme": "digest"}
    assert DigestAuth().security_scheme_name == "digestAuth"
