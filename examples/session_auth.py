"""Session authentication: a login form, remember-me, and an admin-only page.

Run ``SECRET_KEY=change-me python examples/session_auth.py``, open
http://127.0.0.1:5042/dashboard and log in as ``ada`` / ``lovelace`` (a user) or
``grace`` / ``hopper`` (an admin). Tick "Remember me" to stay logged in after the browser
forgets its session cookie; ``/admin`` is for admins only.
"""

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from html import escape

import dyne
from dyne.ext.auth import LoginManager

app = dyne.App()
if not app.config.get("SECRET_KEY"):
    # A throwaway key keeps the example runnable; sessions then end when it restarts.
    app.secret_key = secrets.token_urlsafe(32)

auth = LoginManager(app, login_url="/login")


def hash_password(password: str, salt: bytes) -> bytes:
    """A slow, salted hash: never keep passwords themselves."""
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 100_000)


@dataclass
class User:
    """A user as a database would return it."""

    id: int
    username: str
    salt: bytes
    password_hash: bytes
    roles: tuple[str, ...]

    def check_password(self, password: str) -> bool:
        """Whether ``password`` is this user's (compared in constant time)."""
        return hmac.compare_digest(hash_password(password, self.salt), self.password_hash)


def make_user(id: int, username: str, password: str, *roles: str) -> User:
    """A user with a freshly salted password hash."""
    salt = os.urandom(16)
    return User(id, username, salt, hash_password(password, salt), roles)


USERS = {
    1: make_user(1, "ada", "lovelace", "user"),
    2: make_user(2, "grace", "hopper", "user", "admin"),
}


@auth.user_loader
async def load_user(user_id: str):
    """Find the user whose id the session (or remember-me cookie) holds."""
    return USERS.get(int(user_id))


@auth.get_user_roles
async def get_roles(user):
    """The roles ``login_required(role=...)`` checks."""
    return user.roles


LOGIN_FORM = """<!doctype html>
<title>Log in</title>
<h1>Log in</h1>
<p>{message}</p>
<form method="post">
  <label>Username <input name="username" autocomplete="username"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <label><input name="remember" type="checkbox" value="yes"> Remember me</label>
  <button>Log in</button>
</form>
"""


@app.route("/login", methods=["GET", "POST"])
async def login(req, resp):
    """Show the form; on POST, check the password and log the user in.

    The form posts back to this URL, ``?next=`` included, so after logging in the user
    lands on the page that sent them here (when it is a page of this site).
    """
    message = "Please log in."
    if req.method == "POST":
        form = await req.form()
        username, password = form.get("username", ""), form.get("password", "")
        # Validate before use: a file part (or anything but text) is the client's mistake.
        if not isinstance(username, str) or not isinstance(password, str):
            resp.status_code = 400
            message = "Send the username and password as text form fields."
        else:
            user = next((u for u in USERS.values() if u.username == username), None)
            if user is not None and user.check_password(password):
                remember = form.get("remember") == "yes"
                await auth.login(req, resp, user, remember_me=remember, redirect_url="/dashboard")
                return
            message = "Wrong username or password."
    resp.html = LOGIN_FORM.format(message=escape(message))


@app.route("/logout", methods=["POST"])
async def logout(req, resp):
    """Log out and go back to the login page."""
    await auth.logout(req, resp)
    resp.redirect("/login", status_code=303)


@app.route("/dashboard")
@auth.login_required
async def dashboard(req, resp):
    """Any logged-in user."""
    resp.html = (
        f"<h1>Hello, {escape(req.state.user.username)}</h1>"
        '<form method="post" action="/logout"><button>Log out</button></form>'
    )


@app.route("/admin")
@auth.login_required(role="admin")
async def admin(req, resp):
    """Admins only: others get 403."""
    resp.html = "<h1>Admin</h1><p>Only admins see this.</p>"


@app.route("/api/me")
@auth.login_required
async def me(req, resp):
    """The current user as JSON; API clients get 401 instead of a redirect."""
    return {"id": req.state.user.id, "username": req.state.user.username}


if __name__ == "__main__":
    app.run()
