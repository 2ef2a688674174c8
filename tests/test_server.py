"""Dyne behind a real uvicorn on 127.0.0.1: what only a real server and socket show."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import httpx2
import pytest

from browser_support import serve


@pytest.fixture
def live(app):
    """The app served by uvicorn; yields its base URL."""

    @app.route("/")
    async def hello(req, resp):
        resp.text = "Hello, world!"

    @app.route("/echo", methods=["POST"])
    async def echo(req, resp):
        resp.media = await req.media()

    @app.route("/split")
    async def split(req, resp):
        resp.headers["X-Bad"] = "a\r\nSet-Cookie: evil=1"

    with serve(app) as url:
        yield url


def raw_request(url: str, payload: bytes) -> bytes:
    """Send ``payload`` over a plain socket and return everything the server answers."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_server_answers_hello(live):
    response = httpx2.get(live + "/")
    assert (response.status_code, response.text) == (200, "Hello, world!")


def test_server_refuses_header_splitting_from_a_view(live):
    answer = raw_request(
        live, b"GET /split HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    assert answer.startswith(b"HTTP/1.1 500")
    assert b"evil" not in answer


def test_server_survives_a_body_cut_short(live):
    answer = raw_request(
        live,
        b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"a": 1',
    )
    assert b"HTTP/1.1 500" not in answer
    assert httpx2.get(live + "/").status_code == 200


def test_server_rejects_deep_json_with_400(live):
    body = b"[" * 100_000 + b"]" * 100_000
    response = httpx2.post(
        live + "/echo", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


def test_server_rejects_oversized_declared_body_with_413(live):
    answer = raw_request(
        live,
        b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000000000000\r\nConnection: close\r\n\r\n{}",
    )
    assert answer.startswith(b"HTTP/1.1 413")
