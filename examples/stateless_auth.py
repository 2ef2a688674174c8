"""Stateless authentication, as the feature tour shows it: Basic, Token, Digest, several at
once, and roles.

Run ``python examples/stateless_auth.py``, then try::

    curl -u john:password http://127.0.0.1:5042/greet
    curl -H "Authorization: Bearer secret_key_123" http://127.0.0.1:5042/dashboard
    curl --digest -u john:password http://127.0.0.1:5042/digest
    curl -u john:password http://127.0.0.1:5042/Hi
    curl -u john:password http://127.0.0.1:5042/user-dashboard
    curl -u admin_user:password123 http://127.0.0.1:5042/system-settings

Set ``SECRET_KEY`` so every worker accepts the others' Digest nonces.
"""

import dyne
from dyne.ext.auth import BasicAuth, DigestAuth, MultiAuth, TokenAuth, authenticate

app = dyne.App()

# In reality these come from a database, with hashed passwords.
users = dict(john="password", admin_user="password123")
roles = {"john": "user", "admin_user": ["user", "admin"]}

# -- Basic ------------------------------------------------------------------------------

basic_auth = BasicAuth()


@basic_auth.verify_password
async def verify_password(username, password):
    """Return the user (here, the username) when the password is right."""
    if users.get(username) == password:
        return username
    return None


@basic_auth.get_user_roles
async def get_user_roles(user):
    """The roles of a user returned by ``verify_password``."""
    return roles.get(user)


@app.route("/greet")
@authenticate(basic_auth)
async def basic_greet(req, resp):
    """Greet the user who sent a right username and password."""
    resp.text = f"Hello, {req.state.user}!"


# -- Token ------------------------------------------------------------------------------

token_auth = TokenAuth()


@token_auth.verify_token
async def verify_token(token):
    """Return the user owning ``token``."""
    if token == "secret_key_123":
        return "David"
    return None


@app.route("/dashboard")
@authenticate(token_auth)
async def secure_route(req, resp):
    """Data for Bearer-token holders."""
    resp.media = {"data": "Top Secret", "username": req.state.user}


# -- Digest -----------------------------------------------------------------------------

digest_auth = DigestAuth()


@digest_auth.get_password
async def get_password(username):
    """The password (or its HA1) Digest checks the client's answer against."""
    return users.get(username)


@app.route("/digest")
@authenticate(digest_auth)
async def digest_greet(req, resp):
    """Greet a Digest-authenticated user."""
    resp.text = f"Hello to {req.state.user}"


# -- Roles ------------------------------------------------------------------------------


@app.route("/user-dashboard")
@authenticate(basic_auth, role="user")
async def dashboard(req, resp):
    """Both john and admin_user may come here."""
    resp.text = f"Welcome to the user dashboard, {req.state.user}!"


@app.route("/system-settings")
@authenticate(basic_auth, role="admin")
async def admin_settings(req, resp):
    """Only admin_user may come here; john gets a 403."""
    resp.text = "Sensitive administrative settings."


# -- Any of the three -------------------------------------------------------------------

multi_auth = MultiAuth(digest_auth, token_auth, basic_auth)


@app.route("/{greeting}")
@authenticate(multi_auth)
async def multi_greet(req, resp, *, greeting):
    """Greet with a Bearer token, Basic or Digest credentials."""
    resp.text = f"{greeting}, {req.state.user}!"


if __name__ == "__main__":
    app.run()
