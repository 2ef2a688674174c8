"""Property tests for the auth parsers, through the public API: any Authorization header is
a 400/401 (never a 500, never a login), Basic and Digest credentials round-trip whatever
characters they hold, and a ``next=`` target accepted as safe stays on the site."""

from __future__ import annotations

import base64
import hashlib
import string
from urllib.parse import urljoin, urlsplit

import pytest
from digest_helpers import parse_challenge
from hypothesis import example, given
from hypothesis import strategies as st

import dyne
from dyne.ext.auth import BasicAuth, DigestAuth, MultiAuth, TokenAuth, authenticate
from dyne.ext.auth.session import is_safe_redirect

SECRET = "a-secret-key-for-the-property-tests"

# What a server hands a header value: latin-1 text without CR, LF or NUL.
_header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=300,
)
_schemes = st.sampled_from(["Basic", "basic", "Bearer", "Digest", "digest", "Token", ""])


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


@pytest.fixture(scope="module")
def refusing_app():
    """Every backend present, every credential refused."""
    app = dyne.App(secret_key=SECRET)
    basic, token, digest = BasicAuth(), TokenAuth(), DigestAuth()
    basic.verify_password(lambda username, password: None)
    token.verify_token(lambda value: None)
    digest.get_password(lambda username: None)

    @app.route("/guarded")
    @authenticate(MultiAuth(basic, token, digest))
    async def guarded(req, resp):
        resp.text = "inside"

    yield app
    app.client.close()


@given(scheme=_schemes, rest=_header_text)
@example(scheme="Digest", rest='username="a", realm="x", nonce=""' + ", x=y" * 40)
@example(scheme="Digest", rest='username="\\')
@example(scheme="Basic", rest="%%%")
@example(scheme="Digest", rest="username*=UTF-8''%ff, realm=\"x\"")
def test_auth_any_authorization_header_is_refused_cleanly(refusing_app, scheme, rest):
    value = f"{scheme} {rest}" if scheme else rest
    response = refusing_app.client.get(
        "/guarded", headers={"Authorization": value.encode("latin-1")}
    )
    assert response.status_code in (400, 401)
    assert response.text != "inside"


@pytest.fixture(scope="module")
def echo_basic():
    app = dyne.App(secret_key=SECRET)
    backend = BasicAuth()
    backend.verify_password(lambda username, password: {"u": username, "p": password})

    @app.route("/echo")
    @authenticate(backend)
    async def echo(req, resp):
        resp.media = req.state.user

    yield app
    app.client.close()


@given(
    username=st.text(st.characters(exclude_characters=":", exclude_categories=["Cs"])),
    password=st.text(st.characters(exclude_categories=["Cs"])),
)
def test_auth_basic_credentials_round_trip(echo_basic, username, password):
    raw = f"{username}:{password}".encode()
    header = "Basic " + base64.b64encode(raw).decode()
    response = echo_basic.client.get("/echo", headers={"Authorization": header})
    assert response.json() == {"u": username, "p": password}


_printable_names = st.text(
    string.ascii_letters + string.digits + string.punctuation + " ", min_size=1, max_size=40
).filter(lambda name: name.strip() == name)


# An empty password is no password: Digest refuses it (tests/test_redteam_auth.py).
@given(username=_printable_names, password=st.text(min_size=1, max_size=30))
@example(username='quo"te\\back', password="pw")
def test_auth_digest_credentials_round_trip(username, password):
    app = dyne.App(secret_key=SECRET)
    backend = DigestAuth()
    backend.get_password(lambda name: password if name == username else None)

    @app.route("/greet")
    @authenticate(backend)
    async def greet(req, resp):
        resp.media = {"user": req.state.user}

    client = app.client
    challenge = parse_challenge(client.get("/greet").headers["www-authenticate"])
    header = _digest_for(challenge, username, password)
    response = client.get("/greet", headers={"Authorization": header.encode("utf-8")})
    client.close()
    assert response.status_code == 200
    assert response.json() == {"user": username}


def _digest_for(challenge: dict[str, str], username: str, password: str) -> str:
    """A Digest header whose username is a quoted-string with escapes (RFC 7616)."""

    def h(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    ha1 = h(f"{username}:{challenge['realm']}:{password}")
    ha2 = h("GET:/greet")
    nc, cnonce = "00000001", "0a4f113b"
    response = h(f"{ha1}:{challenge['nonce']}:{nc}:{cnonce}:auth:{ha2}")
    return (
        f'Digest username="{_quote(username)}", realm="{_quote(challenge["realm"])}", '
        f'nonce="{challenge["nonce"]}", uri="/greet", algorithm=MD5, '
        f'response="{response}", qop=auth, nc={nc}, cnonce="{cnonce}", '
        f'opaque="{challenge["opaque"]}"'
    )


# -- redirects ---------------------------------------------------------------------------

SITE = "https://site.example/login"


def _as_browser_resolves(url: str) -> str:
    # WHATWG URL parsing: tabs and newlines are dropped, backslashes read as slashes.
    cleaned = url.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    return urljoin(SITE, cleaned.strip())


_redirect_pieces = st.sampled_from(
    [
        "/",
        "//",
        "\\",
        "/\\",
        "evil.com",
        "https:",
        "http:",
        "javascript:",
        ":",
        "@",
        "%2F",
        "%5C",
        "\t",
        " ",
        ".",
        "..",
        "?",
        "#",
        "next",
        "\u3002",
        "\uff0f",
    ]
)
_redirects = st.one_of(
    st.lists(_redirect_pieces, max_size=6).map("".join),
    st.text(max_size=40),
)


@given(url=_redirects)
@example(url="//evil.com")
@example(url="/\\evil.com")
@example(url="https://evil.com")
@example(url="/\t/evil.com")
@example(url="https:evil.com")
def test_auth_safe_redirect_target_stays_on_the_site(url):
    if is_safe_redirect(url):
        assert urlsplit(_as_browser_resolves(url)).netloc == "site.example"
