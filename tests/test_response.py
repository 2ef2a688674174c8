"""Response: bodies, media negotiation, headers, cookies, redirects, streams and files."""

from __future__ import annotations

import pytest


def test_response_text_is_plain_utf8(app, client):
    @app.route("/")
    async def view(req, resp):
        resp.text = "héllo"

    response = client.get("/")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == "héllo"


def test_response_html_has_html_type(app, client):
    @app.route("/")
    async def view(req, resp):
        resp.html = "<h1>hi</h1>"

    assert client.get("/").headers["content-type"] == "text/html; charset=utf-8"


def test_response_media_is_json_by_default(app, client):
    @app.route("/")
    async def view(req, resp):
        resp.media = {"a": 1}

    response = client.get("/")
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"a": 1}


def test_response_media_is_yaml_when_accept_asks(app, client):
    @app.route("/")
    async def view(req, resp):
        resp.media = {"a": 1}

    response = client.get("/", headers={"Accept": "application/x-yaml"})
    assert response.headers["content-type"] == "application/x-yaml"
    assert response.text == "a: 1\n"


def test_response_media_encodes_datetimes_and_uuids(app, client):
    import datetime
    import uuid

    @app.route("/")
    async def view(req, resp):
        resp.media = {
            "when": datetime.date(2026, 1, 2),
            "id": uuid.UUID(int=1),
        }

    assert client.get("/").json() == {
        "when": "2026-01-02",
        "id": "00000000-0000-0000-0000-000000000001",
    }


def test_response_content_is_octet_stream(app, client):
    @app.route("/")
    async def view(req, resp):
        resp.content = b"\x00"

    assert client.get("/").headers["content-type"] == "application/octet-stream"


def test_response_mimetype_overrides_content_type(app, client):
    @app.route("/")
    async def view(req, resp):
        resp.content = b"a,b"
        resp.mimetype = "text/csv"

    assert client.get("/").headers["content-type"] == "text/csv"


def test_response_last_body_assignment_wins(app, client):
    @app.route("/")
    async def view(req, resp):
        resp.media = {"a": 1}
        resp.text = "text wins"

    assert client.get("/").text == "text wins"


def test_response_status_code_is_sent(app, client):
    @app.route("/")
    async def view(req, resp):
        resp.status_code = 201
        resp.media = {}

    assert client.get("/").status_code == 201


def test_response_204_has_no_body(app, client):
    @app.route("/")
    async def view(req, resp):
        resp.status_code = 204
        resp.text = "ignored"

    response = client.get("/")
    assert response.status_code == 204
    assert response.content == b""


def test_response_headers_are_sent(app, client):
    @app.route("/")
    async def view(req, resp):
        resp.headers["X-Pizza"] = "42"

    assert client.get("/").headers["x-pizza"] == "42"


def test_response_headers_are_case_insensitive(app, client):
    @app.route("/")
    async def view(req, resp):
        resp.headers["Content-Type"] = "text/x-special"
        resp.text = "x"
        resp.media = {"seen": resp.headers.get("content-type")}

    response = client.get("/")
    assert response.headers["content-type"] == "text/x-special"


@pytest.mark.parametrize("value", ["a\r\nSet-Cookie: evil=1", "a\nb", "a\rb", "a\x00b"])
def test_response_header_value_with_line_break_is_refused(app, client, value):
    @app.route("/")
    async def view(req, resp):
        resp.headers["X-Bad"] = value

    response = client.get("/")
    assert response.status_code == 500
    assert "evil" not in response.headers.get("set-cookie", "")
    assert "x-bad" not in response.headers


def test_response_header_name_with_colon_is_refused(app, client):
    @app.route("/")
    async def view(req, resp):
        resp.headers["X-A: b"] = "c"

    assert client.get("/").status_code == 500


def test_response_headers_replaced_by_plain_dict_are_still_checked(app, client):
    @app.route("/")
    async def view(req, resp):
        resp.headers = {"X-Bad": "a\r\nb"}

    assert client.get("/").status_code == 500


def test_response_returned_dict_becomes_media(app, client):
    @app.route("/")
    async def view(req, resp):
        return {"returned": True}

    assert client.get("/").json() == {"returned": True}


def test_response_returned_str_becomes_text(app, client):
    @app.route("/")
    def view(req, resp):
        return "returned"

    assert client.get("/").text == "returned"


def test_response_returned_bytes_becomes_content(app, client):
    @app.route("/")
    async def view(req, resp):
        return b"raw"

    assert client.get("/").content == b"raw"


def test_response_cookies_item_sets_cookie_with_defaults(app, client):
    @app.route("/")
    async def view(req, resp):
        resp.cookies["hello"] = "world"

    header = client.get("/").headers["set-cookie"]
    assert header.startswith("hello=world")
    assert "Path=/" in header
    assert "HttpOnly" in header
    assert "Secure" not in header


def test_response_set_cookie_directives(app, client):
    @app.route("/")
    async def view(req, resp):
        resp.set_cookie(
            "hello", value="world", max_age=60, domain="example.com", secure=True, path="/app"
        )

    header = client.get("/").headers["set-cookie"]
    for part in ("hello=world", "Max-Age=60", "Domain=example.com", "Secure", "Path=/app"):
        assert part in header


def test_response_set_cookie_value_defaults_to_empty(app, client):
    @app.route("/")
    async def view(req, resp):
        resp.set_cookie("flag")

    assert client.get("/").headers["set-cookie"].startswith('flag=""')


def test_response_set_cookie_with_line_break_in_domain_is_refused(app, client):
    @app.route("/")
    async def view(req, resp):
        resp.set_cookie("a", "b", domain="x.com\r\nX-Evil: 1")

    response = client.get("/")
    assert response.status_code == 500
    assert "x-evil" not in response.headers


def test_response_cookie_value_with_line_break_is_quoted_not_split(app, client):
    @app.route("/")
    async def view(req, resp):
        resp.cookies["a"] = "x\r\nX-Evil: 1"

    response = client.get("/")
    assert "x-evil" not in response.headers
    assert "\n" not in response.headers["set-cookie"]


def test_response_redirect_sets_location_and_status(app, client):
    @app.route("/old")
    async def view(req, resp):
        resp.redirect("/new")

    response = client.get("/old", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == "/new"


def test_response_redirect_percent_encodes_line_breaks(app, client):
    @app.route("/old")
    async def view(req, resp):
        resp.redirect("/new\r\nSet-Cookie: evil=1", status_code=302)

    response = client.get("/old", follow_redirects=False)
    assert response.headers["location"] == "/new%0D%0ASet-Cookie:%20evil=1"
    assert "set-cookie" not in response.headers


def test_app_redirect_sets_text(app, client):
    @app.route("/old")
    async def view(req, resp):
        app.redirect(resp, "/new", status_code=307)

    response = client.get("/old", follow_redirects=False)
    assert response.status_code == 307
    assert response.text == "Redirecting to: /new"


def test_response_stream_sends_async_generator(app, client):
    @app.route("/")
    async def view(req, resp):
        @resp.stream
        async def body():
            for part in ("a", "b", "c"):
                yield part.encode()

    assert client.get("/").content == b"abc"


def test_response_stream_accepts_arguments(app, client):
    @app.route("/")
    async def view(req, resp):
        async def count(n):
            for i in range(n):
                yield str(i)

        resp.stream(count, 3)
        resp.mimetype = "text/plain"

    response = client.get("/")
    assert response.text == "012"
    assert response.headers["content-type"].startswith("text/plain")


def test_response_file_sends_file(app, client, tmp_path):
    path = tmp_path / "data.txt"
    path.write_bytes(b"0123456789")

    @app.route("/")
    async def view(req, resp):
        resp.file(path)

    response = client.get("/")
    assert response.content == b"0123456789"
    assert response.headers["content-type"].startswith("text/plain")


def test_response_file_answers_range_requests(app, client, tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"0123456789")

    @app.route("/")
    async def view(req, resp):
        resp.file(path)

    response = client.get("/", headers={"Range": "bytes=2-4"})
    assert response.status_code == 206
    assert response.content == b"234"


def test_response_file_keeps_custom_headers(app, client, tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"x")

    @app.route("/")
    async def view(req, resp):
        resp.headers["X-Extra"] = "1"
        resp.file(path, filename="report.bin")

    response = client.get("/")
    assert response.headers["x-extra"] == "1"
    assert "report.bin" in response.headers["content-disposition"]


def test_response_unserializable_media_is_500(app, client):
    @app.route("/")
    async def view(req, resp):
        resp.media = {"x": object()}

    assert client.get("/").status_code == 500


def test_response_file_sends_length_and_validators(app, client, tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"12345")

    @app.route("/")
    async def view(req, resp):
        resp.file(path)

    headers = client.get("/").headers
    assert headers["content-length"] == "5"
    assert "etag" in headers
    assert "last-modified" in headers


@pytest.fixture
def served_file(app, tmp_path):
    """A view sending a small file; returns its path."""
    path = tmp_path / "data.txt"
    path.write_bytes(b"12345")

    @app.route("/file", methods=["GET", "POST"])
    async def view(req, resp):
        resp.file(path)

    return path


def test_response_file_if_none_match_is_304(served_file, client):
    etag = client.get("/file").headers["etag"]
    response = client.get("/file", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag


def test_response_file_other_etag_is_200(served_file, client):
    response = client.get("/file", headers={"If-None-Match": '"something-else"'})
    assert (response.status_code, response.content) == (200, b"12345")


def test_response_file_if_modified_since_is_304(served_file, client):
    last_modified = client.get("/file").headers["last-modified"]
    assert client.get("/file", headers={"If-Modified-Since": last_modified}).status_code == 304


def test_response_file_modified_after_date_is_200(served_file, client):
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get("/file", headers={"If-Modified-Since": old}).status_code == 200


def test_response_file_bad_if_modified_since_is_ignored(served_file, client):
    assert client.get("/file", headers={"If-Modified-Since": "yesterday"}).status_code == 200


def test_response_file_post_ignores_if_none_match(served_file, client):
    etag = client.get("/file").headers["etag"]
    assert client.post("/file", headers={"If-None-Match": etag}).status_code == 200


def test_response_file_missing_is_a_logged_500(app, client, tmp_path, caplog):
    @app.route("/gone")
    async def gone(req, resp):
        resp.file(tmp_path / "nope.txt")

    response = client.get("/gone")
    assert (response.status_code, response.text) == (500, "500 Internal Server Error")
    assert "nope.txt" in caplog.text
