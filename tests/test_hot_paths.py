"""Edges of the request/response hot paths that the fast paths must keep exactly: JSON
encoding with reused encoders, the body read in one or several messages, the headers read
straight from the ASGI scope, and the validated JSON body."""

from __future__ import annotations

import json
import threading

import anyio
import pytest
from pydantic import BaseModel, field_serializer

import dyne
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


def test_encode_json_dict_subclass_with_its_own_items_is_encoded_through_them():
    class Hiding(dict):
        def items(self):
            return [(key, value) for key, value in super().items() if key != "secret"]

    assert formats.encode_json(Hiding(a=1, secret=2)) == b'{"a":1}'


def test_encode_json_plain_dict_subclass_encodes_like_a_dict():
    class Plain(dict):
        pass

    looped = Plain(b=[1, 2], a=None)
    assert formats.encode_json(looped) == b'{"b":[1,2],"a":null}'
    looped["self"] = looped
    with pytest.raises(ValueError, match="Circular reference"):
        formats.encode_json(looped)


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


# -- the body and its headers, read straight from the scope --------------------------------

JSON = (b"content-type", b"application/json")


@pytest.fixture
def media_app(app):
    """``POST /media`` echoes ``req.media()`` with the request's mimetype and encoding;
    ``POST /item`` validates the body with the plain model."""

    @app.route("/media", methods=["POST"])
    async def media(req, resp):
        resp.media = {
            "media": await req.media(),
            "mimetype": req.mimetype,
            "encoding": req.encoding,
        }

    @app.route("/item", methods=["POST"])
    @input(Plain)
    async def item(req, resp, *, data):
        resp.media = data

    return app


def decoded(result):
    status, body = result
    return status, json.loads(body) if body else None


def test_json_body_over_several_messages_is_validated(media_app):
    result = raw_call(
        media_app, "POST", "/item", [JSON], body_messages(b'{"name": "a",', b' "price": 2}')
    )
    assert decoded(result) == (200, {"name": "a", "price": 2.0, "tags": []})


def test_json_body_over_several_messages_is_decoded(media_app):
    result = raw_call(media_app, "POST", "/media", [JSON], body_messages(b"[1,", b"2]"))
    assert decoded(result)[1]["media"] == [1, 2]


def test_declared_length_over_the_limit_is_413_before_the_body_is_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    small = dyne.App(max_body_size=10)

    @small.route("/b", methods=["POST"])
    @input(Plain)
    async def view(req, resp, *, data):
        resp.media = data

    headers = [JSON, (b"content-length", b"11")]
    assert raw_call(small, "POST", "/b", headers, [])[0] == 413


def test_body_longer_than_its_declared_length_is_still_held_to_the_limit(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    small = dyne.App(max_body_size=10)

    @small.route("/b", methods=["POST"])
    @input(Plain)
    async def view(req, resp, *, data):
        resp.media = data

    headers = [JSON, (b"content-length", b"2")]
    assert raw_call(small, "POST", "/b", headers, body_messages(b"{" + b" " * 20 + b"}"))[0] == 413


def test_first_content_length_header_is_the_declared_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    small = dyne.App(max_body_size=10)

    @small.route("/b", methods=["POST"])
    async def view(req, resp):
        resp.content = await req.content

    headers = [(b"content-length", b"99"), (b"content-length", b"2")]
    assert raw_call(small, "POST", "/b", headers, body_messages(b"ab"))[0] == 413


def test_json_content_type_with_charset_is_json(media_app):
    headers = [(b"content-type", b"application/json; charset=utf-8")]
    status, answer = decoded(raw_call(media_app, "POST", "/media", headers, body_messages(b"{}")))
    assert (status, answer) == (
        200,
        {"media": {}, "mimetype": "application/json", "encoding": "utf-8"},
    )


def test_uppercase_json_content_type_is_json(media_app):
    headers = [(b"content-type", b"Application/JSON")]
    status, answer = decoded(
        raw_call(media_app, "POST", "/item", headers, body_messages(b'{"name": "u", "price": 1.5}'))
    )
    assert (status, answer) == (200, {"name": "u", "price": 1.5, "tags": []})


def test_exact_json_content_type_reads_utf8(media_app):
    status, answer = decoded(
        raw_call(media_app, "POST", "/media", [JSON], body_messages(b'"\xc3\xa9"'))
    )
    assert (status, answer) == (
        200,
        {"media": "é", "mimetype": "application/json", "encoding": "utf-8"},
    )


def test_charset_parameter_sets_the_encoding(app):
    @app.route("/text", methods=["POST"])
    async def text(req, resp):
        resp.media = {"text": await req.text, "encoding": req.encoding}

    headers = [(b"content-type", b'text/plain; Charset="latin-1"')]
    status, answer = decoded(raw_call(app, "POST", "/text", headers, body_messages(b"\xe9")))
    assert (status, answer) == (200, {"text": "é", "encoding": "latin-1"})


def test_first_of_duplicate_content_types_decides_json(media_app):
    headers = [JSON, (b"content-type", b"text/plain")]
    status, answer = decoded(
        raw_call(media_app, "POST", "/item", headers, body_messages(b'{"name": "d", "price": 3}'))
    )
    assert (status, answer) == (200, {"name": "d", "price": 3.0, "tags": []})


def test_first_of_duplicate_content_types_decides_refusal(media_app):
    headers = [(b"content-type", b"text/plain"), JSON]
    status, _ = raw_call(
        media_app, "POST", "/item", headers, body_messages(b'{"name": "d", "price": 3}')
    )
    assert status == 415


def test_json_body_without_content_type_is_415(media_app):
    status, _ = raw_call(
        media_app, "POST", "/item", [], body_messages(b'{"name": "d", "price": 3}')
    )
    assert status == 415


def test_json_body_nested_too_deeply_is_400(media_app):
    deep = b"[" * 100_000 + b"]" * 100_000
    status, body = raw_call(media_app, "POST", "/item", [JSON], body_messages(deep))
    assert (status, json.loads(body)) == (
        400,
        {"errors": {"_schema": ["The JSON document is nested too deeply."]}},
    )
