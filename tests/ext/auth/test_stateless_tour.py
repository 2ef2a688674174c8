"""The tour's "Stateless Authentication" samples, written as the tour writes them."""

from __future__ import annotations

import httpx2
import pytest


@pytest.fixture
def tour(tmp_path, monkeypatch):
    """The Basic, Token, Digest and MultiAuth samples in one app, as the tour builds it."""
    monkeypatch.chdir(tmp_path)
    import dyne
    from dyne.ext.auth import BasicAuth, authenticate

    app = dyne.App()
    users = dict(john="password", admin="password123")
    basic_auth = BasicAuth()

    @basic_auth.verify_password
    async def verify_password(username, password):
        if users.get(username) == password:
            return username
        return None

    @app.route("/greet")
    @authenticate(basic_auth)
    async def basic_greet(req, resp):
        resp.text = f"Hello, {req.state.user}!"

    from dyne.ext.auth import TokenAuth, authenticate

    token_auth = TokenAuth()

    @token_auth.verify_token
    async def verify_token(token):
        if token == "secret_key_123":
            return "David"
        return None

    @app.route("/dashboard")
    @authenticate(token_auth)
    async def secure_route(req, resp):
        resp.media = {"data": "Top Secret", "username": req.state.user}

    from dyne.ext.auth import DigestAuth, authenticate

    digest_auth = DigestAuth()

    @digest_auth.get_password
    async def get_password(username):
        return users.get(username)

    # The tour mounts this on "/greet" too; one path serves one view, so it gets its own.
    @app.route("/digest-greet")
    @authenticate(digest_auth)
    async def digest_greet(req, resp):
        resp.text = f"Hello to {req.state.user}"

    from dyne.ext.auth import MultiAuth

    # Support Token and Basic and Digest authentication
    multi_auth = MultiAuth(digest_auth, token_auth, basic_auth)

    @app.route("/{greeting}")
    @authenticate(multi_auth)
    async def multi_greet(req, resp, *, greeting):
        resp.text = f"{greeting}, {req.state.user}!"

    yield app, basic_auth
    app.client.close()


def test_tour_basic(tour):
    app, _ = tour
    assert app.client.get("/greet", auth=("john", "password")).text == "Hello, john!"


def test_tour_token(tour):
    app, _ = tour
    response = app.client.get("/dashboard", headers={"Authorization": "Bearer secret_key_123"})
    assert response.json() == {"data": "Top Secret", "username": "David"}


def test_tour_digest(tour):
    app, _ = tour
    response = app.client.get("/digest-greet", auth=httpx2.DigestAuth("john", "password"))
    assert response.text == "Hello to john"


def test_tour_multi(tour):
    app, _ = tour
    client = app.client
    assert client.get("/Hi", auth=("john", "password")).text == "Hi, john!"
    bearer = {"Authorization": "Bearer secret_key_123"}
    assert client.get("/Hi", headers=bearer).text == "Hi, David!"
    assert client.get("/Hi", auth=httpx2.DigestAuth("john", "password")).text == "Hi, john!"


def test_tour_custom_error_handler(tour):
    app, basic_auth = tour

    @basic_auth.error_handler
    async def custom_error(req, resp, status_code):
        resp.status_code = 401
        resp.media = {"error": "Custom Authentication Failed"}

    response = app.client.get("/greet", auth=("john", "wrong"))
    assert response.status_code == 401
    assert response.json() == {"error": "Custom Authentication Failed"}


def test_tour_precomputed_ha1_and_custom_nonce(app, client):
    users = dict(john="password", admin="password123")
    import hashlib

    from dyne.ext.auth import DigestAuth

    digest_auth = DigestAuth(realm="My App")

    @digest_auth.get_password
    async def get_ha1_pw(username):
        password = users.get(username)  # In reality, fetch from DB
        realm = "My App"
        # Precompute HA1: md5(username:realm:password)
        return hashlib.md5(f"{username}:{realm}:{password}".encode()).hexdigest()

    import hmac

    MY_SECRET_NONCE = "37e9292aecca04bd7e834e3e983f5d4"
    MY_SECRET_OPAQUE = "f8bf1725d7a942c6511cc7ed38c169fo"

    @digest_auth.generate_nonce
    async def gen_nonce(request):
        return MY_SECRET_NONCE

    @digest_auth.verify_nonce
    async def ver_nonce(request, nonce):
        return hmac.compare_digest(MY_SECRET_NONCE, nonce)

    @digest_auth.generate_opaque
    async def gen_opaque(request):
        return MY_SECRET_OPAQUE

    @digest_auth.verify_opaque
    async def ver_opaque(request, opaque):
        return hmac.compare_digest(MY_SECRET_OPAQUE, opaque)

    from dyne.ext.auth import authenticate

    @app.route("/greet")
    @authenticate(digest_auth)
    async def digest_greet(req, resp):
        resp.text = f"Hello to {req.state.user}"

    assert client.get("/greet", auth=httpx2.DigestAuth("admin", "password123")).status_code == 200
    assert client.get("/greet", auth=httpx2.DigestAuth("admin", "nope")).status_code == 401


def test_tour_rbac(app, client):
    users = dict(john="password", admin_user="password123")
    from dyne.ext.auth import BasicAuth, authenticate

    basic_auth = BasicAuth()
    # Define user roles (usually stored in a DB)
    roles = {"john": "user", "admin_user": ["user", "admin"]}

    @basic_auth.get_user_roles
    async def get_user_roles(user):
        # 'user' is the object returned by verify_password
        return roles.get(user)

    # The tour's RBAC sample relies on the verify_password of the Basic sample.
    @basic_auth.verify_password
    async def verify_password(username, password):
        if users.get(username) == password:
            return username
        return None

    # Both `john`` and ``admin_user`` can access this ruote
    @app.route("/dashboard")
    @authenticate(basic_auth, role="user")
    async def dashboard(req, resp):
        resp.text = f"Welcome to the user dashboard, {req.state.user}!"

    # Only ``admin_user`` can access this ruote
    @app.route("/system-settings")
    @authenticate(basic_auth, role="admin")
    async def admin_settings(req, resp):
        resp.text = "Sensitive administrative settings."

    welcome = client.get("/dashboard", auth=("john", "password"))
    assert welcome.text == "Welcome to the user dashboard, john!"
    assert client.get("/system-settings", auth=("john", "password")).status_code == 403
    admin = client.get("/system-settings", auth=("admin_user", "password123"))
    assert admin.text == "Sensitive administrative settings."


def test_tour_openapi_sample_error_handler_signature(app, client):
    users = dict(john="password", admin="password123")
    roles = {"john": "user", "admin": ["user", "admin"]}
    from dyne.ext.auth import BasicAuth, authenticate

    basic_auth = BasicAuth()

    @basic_auth.verify_password
    async def verify_password(username, password):
        if username in users and users.get(username) == password:
            return username
        return None

    @basic_auth.error_handler
    async def error_handler(req, resp, status_code=401):
        resp.text = "Invalid credentials"
        resp.status_code = status_code

    @basic_auth.get_user_roles
    async def get_user_roles(user):
        return roles.get(user)

    @app.route("/book", methods=["POST"])
    @authenticate(basic_auth, role="admin")
    async def create_book(req, resp):
        resp.status_code = 201

    assert client.post("/book", auth=("admin", "password123")).status_code == 201
    refused = client.post("/book", auth=("john", "password"))
    assert (refused.status_code, refused.text) == (403, "Invalid credentials")
    assert client.post("/book").status_code == 401
