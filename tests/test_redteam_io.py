"""An outside attacker's request bodies and headers: each is a clear 4xx, never a 500."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import dyne


@pytest.fixture
def echo_app(app):
    """An app whose views decode the body and send it back."""

    @app.route("/media", methods=["POST"])
    async def media(req, resp):
        resp.media = {"got": await req.media()}

    @app.route("/text", methods=["POST"])
    async def text(req, resp):
        resp.text = await req.text

    @app.route("/fields", methods=["POST"])
    async def fields(req, resp):
        form = await req.form()
        resp.media = {name: str(value) for name, value in form.items()}

    return app


def post(client, path, body, content_type):
    return client.post(path, content=body, headers={"Content-Type": content_type})


def nested(depth: int) -> bytes:
    return b'{"x": ' + b"[" * depth + b"]" * depth + b"}"


async def call_asgi(app: dyne.App, headers: list[tuple[bytes, bytes]], body: bytes) -> int:
    """Drive the app's ASGI callable with raw headers a test client would not send."""
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/media",
        "raw_path": b"/media",
        "query_string": b"",
        "headers": headers,
        "http_version": "1.1",
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 1),
        "root_path": "",
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return next(m["status"] for m in sent if m["type"] == "http.response.start")


# -- nesting -------------------------------------------------------------------------------


def test_json_nested_past_the_limit_is_400(echo_app, client):
    response = post(client, "/media", nested(300), "application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.text


def test_json_nested_up_to_the_limit_decodes(echo_app, client):
    response = post(client, "/media", nested(199), "application/json")
    assert response.status_code == 200


def test_json_many_flat_brackets_decode(echo_app, client):
    body = b"[" + b",".join([b"[]"] * 5000) + b"]"
    response = post(client, "/media", body, "application/json")
    assert response.status_code == 200
    assert len(response.json()["got"]) == 5000


def test_yaml_nested_past_the_limit_is_400(echo_app, client):
    body = b"x: " + b"[" * 250 + b"]" * 250
    response = post(client, "/media", body, "application/x-yaml")
    assert response.status_code == 400
    assert "nested too deeply" in response.text


# -- YAML values JSON cannot carry ---------------------------------------------------------


@pytest.mark.parametrize(
    "literal",
    [
        b"0b" + b"1" * 20_000,
        b"0x" + b"f" * 4000,
        b"0" + b"7" * 6000,
        b"1" + b":59" * 3000,
        b"1_0" * 3000,
    ],
    ids=["binary", "hex-short-literal", "octal", "sexagesimal", "underscored-decimal"],
)
def test_yaml_integer_too_large_for_json_is_400(echo_app, client, literal):
    response = post(client, "/media", b"a: " + literal, "application/x-yaml")
    assert response.status_code == 400
    assert "too large" in response.text


def test_yaml_large_integer_within_the_limit_decodes(echo_app, client):
    response = post(client, "/media", b"a: 0x" + b"f" * 100, "application/x-yaml")
    assert response.status_code == 200
    assert response.json()["got"]["a"] == int("f" * 100, 16)


def test_yaml_binary_value_is_400(echo_app, client):
    response = post(client, "/media", b"a: !!binary aGVsbG8=", "application/x-yaml")
    assert response.status_code == 400
    assert "!!binary" in response.text


@pytest.mark.parametrize(
    ("body", "key"),
    [(b"2001-01-01: x", "2001-01-01"), (b"2001-12-14 21:59:43: x", "2001-12-14T21:59:43")],
    ids=["date", "datetime"],
)
def test_yaml_timestamp_key_becomes_its_text(echo_app, client, body, key):
    response = post(client, "/media", body, "application/x-yaml")
    assert response.status_code == 200
    assert response.json() == {"got": {key: "x"}}


# -- Content-Length --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "length",
    [b"\xb2", b"\xb9\xb2", "\u0661".encode("utf-8")],
    ids=["superscript-two", "superscripts", "arabic-indic-digit-bytes"],
)
def test_content_length_with_non_ascii_digits_is_not_a_500(echo_app, length):
    headers = [(b"content-type", b"application/json"), (b"content-length", length)]
    status = asyncio.run(call_asgi(echo_app, headers, b'{"a": 1}'))
    assert status == 200


def test_content_length_with_thousands_of_digits_is_413(echo_app):
    headers = [(b"content-type", b"application/json"), (b"content-length", b"9" * 5000)]
    status = asyncio.run(call_asgi(echo_app, headers, b'{"a": 1}'))
    assert status == 413


def test_content_length_with_leading_zeros_is_read_as_its_value(echo_app):
    headers = [(b"content-type", b"application/json"), (b"content-length", b"0" * 30 + b"8")]
    status = asyncio.run(call_asgi(echo_app, headers, b'{"a": 1}'))
    assert status == 200


# -- charsets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "charset",
    ["unicode_escape", "raw-unicode-escape", "utf-7", "punycode", "idna", "undefined", "a\x00b"],
)
def test_text_in_a_charset_that_is_not_one_is_400(echo_app, client, charset):
    response = post(client, "/text", b"\\x3cscript\\x3e +ADw-", f"text/plain; charset={charset}")
    assert response.status_code == 400
    assert "charset" in response.text


def test_text_in_a_real_charset_decodes(echo_app, client):
    response = post(client, "/text", "café".encode("cp1252"), "text/plain; charset=windows-1252")
    assert response.status_code == 200
    assert response.text == "café"


@pytest.mark.parametrize("charset", ["unicode_escape", "undefined", "utf-7", "a\x00b"])
def test_multipart_in_a_charset_that_is_not_one_is_400(echo_app, client, charset):
    body = b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\\x41\r\n--b--\r\n'
    content_type = f"multipart/form-data; boundary=b; charset={charset}"
    response = post(client, "/fields", body, content_type)
    assert response.status_code == 400
    assert "charset" in response.text


def test_multipart_in_a_real_charset_decodes(echo_app, client):
    body = b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\ncaf\xe9\r\n--b--\r\n'
    response = post(client, "/fields", body, "multipart/form-data; boundary=b; charset=latin-1")
    assert response.status_code == 200
    assert response.json() == {"a": "café"}


# -- lone surrogates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body", [b'{"s": "\\ud800"}', b'{"s": "\\uDC00x"}', b'{"\\ud800": 1}', b'["a", ["\\udbff"]]']
)
def test_json_lone_surrogate_is_400(echo_app, client, body):
    response = post(client, "/media", body, "application/json")
    assert response.status_code == 400
    assert "surrogate" in response.text


def test_json_surrogate_pair_decodes(echo_app, client):
    response = post(
        client, "/media", b'{"s": "\\ud83d\\ude00", "t": "\\\\ud800"}', "application/json"
    )
    assert response.status_code == 200
    assert response.json() == {"got": {"s": "\U0001f600", "t": "\\ud800"}}


def test_yaml_lone_surrogate_is_400(echo_app, client):
    response = post(client, "/media", b's: "\\ud800"', "application/x-yaml")
    assert response.status_code == 400
    assert "surrogate" in response.text


@pytest.mark.parametrize(
    "text", ['["\\ud800"]', b'["\\ud800"]', "[" * 300 + "]" * 300], ids=["str", "bytes", "deep"]
)
def test_parse_json_refuses_what_bodies_refuse(text):
    from dyne import formats

    with pytest.raises(ValueError):
        formats.parse_json(text)


# -- YAML cost ---------------------------------------------------------------------------------


def test_yaml_body_past_the_yaml_limit_is_413(echo_app, client):
    from dyne.formats import MAX_YAML_SIZE

    body = b"[" + b"1," * (MAX_YAML_SIZE // 2) + b"1]"
    response = post(client, "/media", body, "application/x-yaml")
    assert response.status_code == 413
    assert "send it as JSON" in response.text


def test_yaml_body_is_parsed_off_the_event_loop(echo_app, client, monkeypatch):
    import threading

    from dyne import formats

    threads: list[int] = []
    decode = formats.decode_yaml

    def recording(body: bytes) -> Any:
        threads.append(threading.get_ident())
        return decode(body)

    monkeypatch.setattr(formats, "decode_yaml", recording)

    @echo_app.route("/loop-thread")
    async def loop_thread(req, resp):
        resp.media = {"thread": threading.get_ident()}

    loop = client.get("/loop-thread").json()["thread"]
    response = post(client, "/media", b"a: [1, 2]", "application/x-yaml")
    assert response.json() == {"got": {"a": [1, 2]}}
    assert threads and threads[0] != loop


# -- native uploads ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "given"),
    [
        (b"../../etc/passwd", "passwd"),
        (b"..\\\\..\\\\boot.ini", "boot.ini"),
        (b"/abs/path.png", "path.png"),
        (b"a\x00b\x1b.png", "ab.png"),
        (b"..", ""),
        (b"photo.jpg", "photo.jpg"),
    ],
    ids=["dot-dot-slash", "backslashes", "absolute", "control-characters", "dot-dot", "plain"],
)
def test_files_format_filename_cannot_leave_the_directory(app, client, sent, given):
    @app.route("/native", methods=["POST"])
    async def native(req, resp):
        data = await req.media(format="files")
        resp.media = {"filename": data["image"]["filename"]}

    body = (
        b'--B\r\nContent-Disposition: form-data; name="image"; filename="'
        + sent
        + b'"\r\nContent-Type: image/png\r\n\r\nPNG\r\n--B--\r\n'
    )
    response = post(client, "/native", body, "multipart/form-data; boundary=B")
    assert response.status_code == 200
    assert response.json() == {"filename": given}


@pytest.mark.parametrize(
    "body", [b"!!timestamp x", b"a: !!timestamp", b"!!bool x", b'!!int ""', b'a: [!!float ""]']
)
def test_yaml_value_that_does_not_fit_its_explicit_tag_is_400(echo_app, client, body):
    response = post(client, "/media", body, "application/x-yaml")
    assert response.status_code == 400
    assert "not valid YAML" in response.text


@pytest.mark.parametrize(
    "body",
    [
        b"[" + b'"]]]]",[' * 250 + b"]" * 250 + b"]",
        b'["a\\"b", ' + b"[" * 250 + b"]" * 250 + b"]",
        b'["a\\\\", ' + b"[" * 250 + b"]" * 250 + b"]",
    ],
    ids=["closing-brackets-in-strings", "escaped-quote", "escaped-backslash"],
)
def test_json_nesting_is_counted_outside_strings(echo_app, client, body):
    response = post(client, "/media", body, "application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.text


def test_json_brackets_inside_strings_do_not_count_as_nesting(echo_app, client):
    body = b'["' + b"[" * 500 + b'", "\\\\", {"a": "{{{{"}]'
    response = post(client, "/media", body, "application/json")
    assert response.status_code == 200


def test_json_escaped_backslash_before_a_low_surrogate_is_400(echo_app, client):
    # "\\ud800" is the text \ud800, not an escape: the \udc00 after it stands alone
    response = post(client, "/media", rb'["\\ud800\udc00"]', "application/json")
    assert response.status_code == 400
    assert "surrogate" in response.text
