"""The bare package: routing, media, YAML, sessions, uploads, auth, WebSockets, background, CLI."""

from __future__ import annotations

import subprocess
import sys

from _check import check, status

import dyne
from dyne.ext.auth import BasicAuth, TokenAuth, authenticate


def main() -> None:
    """Exercise the core through the public API."""
    app = dyne.App(secret_key="smoke-test-secret-key-0123456789abcdef")
    done: list[str] = []

    @app.route("/hello/{who}")
    async def hello(req, resp, *, who):
        resp.media = {"hello": who}

    @app.route("/count/{n:int}")
    def count(req, resp, *, n):
        req.session["n"] = n
        resp.media = {"double": n * 2}

    @app.route("/session")
    async def session(req, resp):
        resp.media = {"n": req.session.get("n")}

    @app.route("/upload", methods=["POST"])
    async def upload(req, resp):
        files = await req.media(format="files")
        resp.media = {"name": files["doc"]["filename"], "size": len(files["doc"]["content"])}

    @app.background.task
    def job():
        done.append("job")

    @app.route("/later", methods=["POST"])
    async def later(req, resp):
        job()  # scheduled; shutdown (client.close) waits for it
        resp.status_code = 202

    basic = BasicAuth()

    @basic.verify_password
    async def verify_password(username, password):
        return username if (username, password) == ("john", "secret") else None

    tokens = TokenAuth()

    @tokens.verify_token
    async def verify_token(token):
        return "david" if token == "t0k3n" else None

    @app.route("/basic")
    @authenticate(basic)
    async def basic_view(req, resp):
        resp.text = f"hi {req.state.user}"

    @app.route("/token")
    @authenticate(tokens)
    async def token_view(req, resp):
        resp.media = {"user": req.state.user}

    @app.route("/ws", websocket=True)
    async def ws(ws):
        await ws.accept()
        await ws.send_text("hello " + await ws.receive_text())
        await ws.close()

    client = app.client
    check(
        status(client.get("/hello/world"), 200, "GET /hello").json() == {"hello": "world"},
        "JSON body",
    )
    yaml_reply = client.get("/hello/yaml", headers={"Accept": "application/x-yaml"})
    check("hello: yaml" in status(yaml_reply, 200, "YAML").text, "YAML body")
    check(status(client.get("/count/21"), 200, "int path").json() == {"double": 42}, "sync view")
    check(status(client.get("/session"), 200, "session").json() == {"n": 21}, "cookie session")
    status(client.get("/count/x"), 404, "int converter refuses text")
    reply = client.post("/upload", files={"doc": ("notes.txt", b"x" * 1000, "text/plain")})
    check(status(reply, 200, "upload").json() == {"name": "notes.txt", "size": 1000}, "upload")
    status(client.post("/later"), 202, "background")
    status(client.get("/basic"), 401, "basic without credentials")
    check(status(client.get("/basic", auth=("john", "secret")), 200, "basic").text == "hi john", "")
    status(client.get("/basic", auth=("john", "wrong")), 401, "basic with a wrong password")
    reply = client.get("/token", headers={"Authorization": "Bearer t0k3n"})
    check(status(reply, 200, "token").json() == {"user": "david"}, "token auth")
    with client.websocket_connect("/ws") as socket:
        socket.send_text("ws")
        check(socket.receive_text() == "hello ws", "websocket echo")
    client.close()
    check(done == ["job"], f"background task did not run: {done}")

    version = subprocess.run(
        [sys.executable, "-m", "dyne", "--version"], capture_output=True, text=True, check=True
    )
    check(version.stdout.strip() == f"dyne {dyne.__version__}", f"--version: {version.stdout}")


if __name__ == "__main__":
    main()
