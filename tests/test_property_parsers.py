"""Property tests for the request parsers: cookies, urlencoded and multipart forms, YAML
and JSON bodies."""

from __future__ import annotations

import http.cookies
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dyne
from dyne.exceptions import HTTPException
from dyne.formats import decode_json, decode_urlencoded, decode_yaml, encode_json
from dyne.headers import parse_cookie_header

_COOKIE_CHARS = st.sampled_from(list('ab1 ;="\\\\0123457\t,é'))


def _reference_cookies(header: str) -> dict[str, str]:
    """The semantics Dyne keeps: Starlette's (Django's) lenient split, stdlib unquoting."""
    cookies: dict[str, str] = {}
    for chunk in header.split(";"):
        key, val = chunk.split("=", 1) if "=" in chunk else ("", chunk)
        key, val = key.strip(), val.strip()
        if key or val:
            cookies[key] = http.cookies._unquote(val)  # fine on short input
    return cookies


@given(header=st.text(_COOKIE_CHARS, max_size=40))
def test_cookie_parser_matches_the_reference(header):
    assert parse_cookie_header(header) == _reference_cookies(header)


@given(value=st.text(st.sampled_from(list('a"\\\\01= \x7fé')), max_size=30))
def test_cookie_parser_reads_back_what_http_cookies_quotes(value):
    assert parse_cookie_header(f"k={http.cookies._quote(value)}") == {"k": value}


_FIELD_NAMES = st.text(st.sampled_from(list("abcxyz_-09")), min_size=1, max_size=8)
_FIELD_VALUES = st.text(max_size=20)


@given(pairs=st.lists(st.tuples(_FIELD_NAMES, _FIELD_VALUES), max_size=8))
def test_urlencoded_round_trips_last_value_wins(pairs):
    body = urlencode(pairs).encode("utf-8")
    assert decode_urlencoded(body, max_fields=100, max_field_size=1000) == dict(pairs)


@given(count=st.integers(min_value=1, max_value=30), limit=st.integers(min_value=0, max_value=30))
def test_urlencoded_field_limit_is_413_past_it(count, limit):
    body = "&".join(f"f{i}=v" for i in range(count)).encode()
    if count <= limit:
        assert len(decode_urlencoded(body, max_fields=limit, max_field_size=10)) == count
    else:
        with pytest.raises(HTTPException) as refused:
            decode_urlencoded(body, max_fields=limit, max_field_size=10)
        assert refused.value.status_code == 413


@given(body=st.binary(max_size=60))
def test_urlencoded_garbage_is_a_client_error_or_a_dict(body):
    try:
        result = decode_urlencoded(body, max_fields=10, max_field_size=10)
    except HTTPException as exc:
        assert exc.status_code in (400, 413)
    else:
        assert isinstance(result, dict)


BOUNDARY = "dyne-property-boundary"


def _multipart(fields: list[tuple[str, str]]) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields
    ]
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode("utf-8")


@pytest.fixture(scope="module")
def form_app():
    app = dyne.App(static_dir=None, max_form_fields=10)

    @app.route("/form", methods=["POST"])
    async def form(req, resp):
        resp.media = [[k, v] for k, v in (await req.form()).multi_items()]

    yield app
    app.client.close()


def _post(app: dyne.App, body: bytes):
    return app.client.post(
        "/form",
        content=body,
        headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
    )


_VALUES_WITHOUT_BOUNDARY = _FIELD_VALUES.filter(lambda v: BOUNDARY not in v and "\r" not in v)


@settings(max_examples=40)
@given(fields=st.lists(st.tuples(_FIELD_NAMES, _VALUES_WITHOUT_BOUNDARY), min_size=1, max_size=5))
def test_multipart_round_trips_fields(form_app, fields):
    response = _post(form_app, _multipart(fields))
    assert response.status_code == 200
    assert [tuple(pair) for pair in response.json()] == fields


@settings(max_examples=40)
@given(
    fields=st.lists(st.tuples(_FIELD_NAMES, _VALUES_WITHOUT_BOUNDARY), min_size=1, max_size=3),
    cut=st.integers(min_value=1, max_value=200),
)
def test_multipart_truncated_body_is_400_never_500(form_app, fields, cut):
    body = _multipart(fields)
    truncated = body[: max(0, len(body) - cut)]
    response = _post(form_app, truncated)
    if len(body) - len(truncated) <= 2:  # only the final CRLF went: still well framed
        assert response.status_code == 200
    else:
        assert response.status_code == 400


@settings(max_examples=40)
@given(body=st.binary(max_size=200))
def test_multipart_garbage_is_a_client_error(form_app, body):
    assert _post(form_app, body).status_code in (400, 413)


@settings(max_examples=20)
@given(count=st.integers(min_value=11, max_value=30))
def test_multipart_field_limit_is_413(form_app, count):
    body = _multipart([(f"f{i}", "v") for i in range(count)])
    assert _post(form_app, body).status_code == 413


# -- YAML and JSON bodies --------------------------------------------------------------------

_YAML_TOKENS = st.sampled_from(
    [
        *["a", ":", " ", "\n", "- ", "[", "]", "{", "}", ",", "? ", "'", '"', "#", "|", ">"],
        *["!!set", "!!omap", "!!pairs", "!!timestamp", "!!str", "!!int", "!!float", "!!bool"],
        *["!!null", "!!map", "!!seq", "!!binary", "&a", "*a", "<<", "---", "...", "\\u", "\\x"],
        *["2001-01-01", "12:30:45", "1:20", "0x1F", "0o7", "0b1", "1_000", ".inf", "~", "yes"],
    ]
)


@given(text=st.lists(_YAML_TOKENS, max_size=25).map("".join))
def test_yaml_body_decodes_to_json_values_or_is_a_client_error(text):
    try:
        value = decode_yaml(text.encode("utf-8"))
    except HTTPException as exc:
        assert 400 <= exc.status_code < 500
        return
    # whatever decodes can be sent back: no bytes, no date keys, no unprintable numbers
    decode_json(encode_json(value))


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(value=_JSON_VALUES)
def test_json_body_round_trips(value):
    assert decode_json(encode_json(value)) == value
