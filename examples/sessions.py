"""Cookie sessions: log in, see who you are, log out.

Set ``SECRET_KEY`` in the environment (or a ``.env`` file) before deploying; without it Dyne
signs sessions with a development key and logs a warning. Try::

    curl -c jar -X POST -d "username=john" http://127.0.0.1:5042/login
    curl -b jar http://127.0.0.1:5042/me          # {"username": "john", "visits": 1}
"""

from __future__ import annotations

import os

import dyne

app = dyne.App(secret_key=os.environ.get("SECRET_KEY"))


@app.route("/login", methods=["POST"])
async def login(req, resp):
    form = await req.media()
    username = form.get("username") if isinstance(form, dict) else None
    username = username.strip() if isinstance(username, str) else ""
    if not username:
        resp.status_code = 400
        resp.media = {"error": "username is required"}
        return
    resp.session["username"] = username  # sets the signed dyne-Session cookie
    resp.session["visits"] = 0
    resp.media = {"logged_in": username}


@app.route("/me")
def me(req, resp):
    username = req.session.get("username")
    if username is None:
        resp.status_code = 401
        resp.media = {"error": "not logged in"}
        return
    resp.session["visits"] = req.session.get("visits", 0) + 1
    resp.media = {"username": username, "visits": resp.session["visits"]}


@app.route("/logout", methods=["POST"])
def logout(req, resp):
    req.session.clear()  # an emptied session deletes the cookie
    resp.media = {"logged_out": True}


if __name__ == "__main__":
    app.run()
