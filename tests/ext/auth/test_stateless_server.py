"""Digest behind a real uvicorn on 127.0.0.1: the uri the client signs is the raw target."""

from __future__ import annotations

import httpx2

from browser_support import serve
from dyne.ext.auth import DigestAuth, MultiAuth, TokenAuth, authenticate


def test_server_digest_with_an_encoded_path_and_query(app, users):
    digest_auth = DigestAuth(algorithm="SHA-256")
    digest_auth.get_password(users.get)
    token_auth = TokenAuth()
    token_auth.verify_token(lambda token: None)

    @app.route("/files/{name}")
    @authenticate(MultiAuth(digest_auth, token_auth))
    async def file(req, resp, *, name):
        resp.media = {"user": req.state.user, "name": name, "q": req.params.get("q")}

    with serve(app) as url, httpx2.Client(auth=httpx2.DigestAuth("john", "password")) as client:
        response = client.get(url + "/files/a%20b.txt?q=x%26y")
        refused = httpx2.get(url + "/files/a.txt")
    assert response.json() == {"user": "john", "name": "a b.txt", "q": "x&y"}
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith('Digest realm="Authentication Required"')
