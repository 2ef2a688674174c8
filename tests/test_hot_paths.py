"""Edges of the request/response hot paths that the fast paths must keep exactly: JSON
encoding with reused encoders, the body read in one or several messages, the headers read
straight from the ASGI scope, and the validated JSON body."""

from __future__ import annotations

import threading

import anyio
import pytest
from pydantic import BaseModel, field_serializer

from dyne import formats
from dyne.ext.io.pydantic import input


def raw_call(app, method, path, headers, messages):
    """Drive the app's ASGI callable with ``headers`` and the body ``messages``; return
    (status, body). The test client sends one message and one Content-Type only."""
    pending = list(messages)
    sent = []

    async def receive():
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": "",
        "query_string": b"",
        "headers": headers,
    }
    anyio.run(app, scope, receive, send)
    if not sent:
        return None, b""
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def body_messages(*chunks):
    """The ``http.request`` messages carrying ``chunks``, the last one closing the body."""
    return [
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    ]


# -- JSON encoding -----------------------------------------------------------------------


def test_encode_json_after_a_circular_reference_still_encodes():
    looped: dict[str, object] = {}
    looped["self"] = looped
    with pytest.raises(ValueError, match="Circular reference"):
        formats.encode_json(looped)
    # The same dict again, no longer looped: an encoder whose table kept it would refuse it.
    del looped["self"]
    looped["a"] = 1
    assert formats.encode_json([looped, looped]) == b'[{"a":1},{"a":1}]'


def test_encode_json_after_an_unserializable_value_still_encodes():
    payload: dict[str, list[object]] = {"x": [object()]}
    with pytest.raises(TypeError, match="not JSON serializable"):
        formats.encode_json(payload)
    payload["x"][0] = {"y": 2}  # the same dict and list, now encodable
    assert formats.encode_json(payload) == b'{"x":[{"y":2}]}'


def test_encode_json_shared_object_from_many_threads_is_never_called_circular():
    shared = {"items": [{"n": index, "tags": ["a", "b"]} for index in range(50)]}
    expected = formats.encode_json(shared)
    failures: list[BaseException] = []

    def work():
        try:
            for _ in range(200):
                if formats.encode_json(shared) != expected:
                    raise AssertionError("wrong encoding")
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_view_with_circular_media_is_500_and_the_next_response_encodes(app, client):
    @app.route("/loop")
    async def loop(req, resp):
        looped: dict[str, object] = {}
        looped["self"] = looped
        resp.media = looped

    @app.route("/ok")
    async def ok(req, resp):
        resp.media = {"ok": [1, 2]}

    assert client.get("/loop").status_code == 500
    response = client.get("/ok")
    assert response.status_code == 200
    assert response.json() == {"ok": [1, 2]}


# -- the validated JSON body -------------------------------------------------------------


class Plain(BaseModel):
    """Plain fields only: the adapter hands the view the instance's own values."""

    name: str
    price: float
    tags: list[str] = []


class Shown(BaseModel):
    """A field serializer: what the view receives goes through it."""

    name: str

    @field_serializer("name")
    def shout(self, value: str) -> str:
        return value.upper()


def test_plain_model_default_list_is_fresh_for_every_request(app, client):
    @app.route("/plain", methods=["POST"])
    @input(Plain)
    async def plain(req, resp, *, data):
        data.tags.append("seen")
        resp.media = data

    for _ in range(2):
        response = client.post("/plain", json={"name": "a", "price": 1})
        assert response.json() == {"name": "a", "price": 1.0, "tags": ["seen"]}


def test_plain_model_data_keeps_field_order_and_attribute_access(app, client):
    @app.route("/plain", methods=["POST"])
    @input(Plain)
    async def plain(req, resp, *, data):
        resp.media = {"keys": list(data), "name": data.name, "price": data.price}

    response = client.post("/plain", json={"tags": ["x"], "price": 2, "name": "b"})
    assert response.json() == {"keys": ["name", "price", "tags"], "name": "b", "price": 2.0}


def test_model_with_field_serializer_hands_the_view_the_serialized_value(app, client):
    @app.route("/shown", methods=["POST"])
    @input(Shown)
    async def shown(req, resp, *, data):
        resp.media = data

    assert client.post("/shown", json={"name": "quiet"}).json() == {"name": "QUIET"}


def test_plain_model_refuses_a_boolean_price(app, client):
    @app.route("/plain", methods=["POST"])
    @input(Plain)
    async def plain(req, resp, *, data):
        resp.media = data

    response = client.post("/plain", json={"name": "a", "price": True})
    assert response.status_code == 400
    assert "price" in response.json()["errors"]


def test_plain_model_refuses_a_non_finite_price(app, client):
    @app.route("/plain", methods=["POST"])
    @input(Plain)
    async def plain(req, resp, *, data):
        resp.media = data

    response = client.post(
        "/plain",
        content=b'{"name": "a", "price": 1e400}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
