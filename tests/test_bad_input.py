"""Hostile and broken request bodies: always a bounded 4xx, never a 500 or a hang."""

from __future__ import annotations

import pytest

saved: list = []


@pytest.fixture
def media_app(app):
    """An app whose /media view decodes the body and whose /form view keeps the form."""
    saved.clear()

    @app.route("/media", methods=["POST"])
    async def media(req, resp):
        resp.media = {"got": await req.media()}

    @app.route("/form", methods=["POST"])
    async def form(req, resp):
        form = await req.form()
        saved.append(form)
        resp.media = {"fields": len(form)}

    return app


def post(client, path, body, content_type):
    return client.post(path, content=body, headers={"Content-Type": content_type})


# -- JSON ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"a": [1, 2',
        b'{"a": "\xff\xfe"}',
        b'{"a": "x\x00y"}',
        b"",
    ],
    ids=["malformed", "truncated", "invalid-utf8", "nul-byte", "empty"],
)
def test_json_broken_body_is_400(media_app, client, body):
    response = post(client, "/media", body, "application/json")
    assert response.status_code == 400


def test_json_deep_nesting_is_400_not_recursion_error(media_app, client):
    body = b"[" * 100_000 + b"]" * 100_000
    response = post(client, "/media", body, "application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.text


def test_json_huge_number_is_400(media_app, client):
    response = post(client, "/media", b"1" * 100_000, "application/json")
    assert response.status_code == 400


def test_json_error_message_says_what_is_wrong(media_app, client):
    response = post(client, "/media", b"{not json", "application/json")
    assert response.text.startswith("The request body is not valid JSON")


@pytest.mark.parametrize(
    "body",
    [b'{"price": NaN}', b'{"price": Infinity}', b"[-Infinity]", b'{"price": 1e400}', b"-1e999"],
    ids=["nan", "infinity", "minus-infinity", "overflow", "top-level-overflow"],
)
def test_json_non_finite_number_is_400(media_app, client, body):
    response = post(client, "/media", body, "application/json")
    assert response.status_code == 400
    assert "finite number" in response.text


def test_json_largest_finite_number_decodes(media_app, client):
    response = post(client, "/media", b"[1.7976931348623157e308]", "application/json")
    assert response.json() == {"got": [1.7976931348623157e308]}


# -- YAML ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [".inf", "-.Inf", ".NaN", "1.0e+400"])
def test_yaml_non_finite_number_is_400(media_app, client, value):
    response = post(client, "/media", f"price: {value}\n".encode(), "application/x-yaml")
    assert response.status_code == 400
    assert "finite number" in response.text


def test_yaml_quoted_inf_stays_a_string(media_app, client):
    response = post(client, "/media", b'price: ".inf"\n', "application/x-yaml")
    assert response.json() == {"got": {"price": ".inf"}}


def test_yaml_malformed_is_400(media_app, client):
    response = post(client, "/media", b"a: [1, 2\nb: {", "application/x-yaml")
    assert response.status_code == 400


def test_yaml_python_tag_is_400_and_constructs_nothing(media_app, client):
    body = b"!!python/object/apply:os.system ['echo pwned > pwned.txt']"
    response = post(client, "/media", body, "application/x-yaml")
    assert response.status_code == 400


def test_yaml_alias_bomb_is_400(media_app, client):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 10):
        previous = chr(ord("a") + index - 1)
        name = chr(ord("a") + index)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    response = post(client, "/media", "\n".join(lines).encode(), "application/x-yaml")
    assert response.status_code == 400
    assert "aliases" in response.text


def test_yaml_several_documents_is_400(media_app, client):
    response = post(client, "/media", b"a: 1\n---\nb: 2\n", "application/x-yaml")
    assert response.status_code == 400


@pytest.mark.parametrize("content_type", ["application/yaml", "text/yaml"])
def test_yaml_other_content_types_decode(media_app, client, content_type):
    response = post(client, "/media", b"a: 1\n", content_type)
    assert response.json() == {"got": {"a": 1}}


# -- urlencoded forms ---------------------------------------------------------------------


def test_form_invalid_utf8_is_400(media_app, client):
    response = post(client, "/media", b"name=%FF%FE", "application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_form_raw_invalid_utf8_is_400(media_app, client):
    response = post(client, "/media", b"name=\xff", "application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_form_too_many_fields_is_413(media_app, client):
    body = "&".join(f"f{i}=1" for i in range(100_000)).encode()
    response = post(client, "/media", body, "application/x-www-form-urlencoded")
    assert response.status_code == 413


def test_form_huge_field_is_413(media_app, client):
    body = b"big=" + b"x" * (10 * 1024 * 1024)
    response = post(client, "/media", body, "application/x-www-form-urlencoded")
    assert response.status_code == 413


# -- multipart ----------------------------------------------------------------------------

BOUNDARY = "dyneboundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def part(name, value, filename=None, headers=True):
    disposition = f'form-data; name="{name}"'
    if filename:
        disposition += f'; filename="{filename}"'
    head = f"Content-Disposition: {disposition}\r\n" if headers else "X-Other: 1\r\n"
    return f"--{BOUNDARY}\r\n{head}\r\n".encode() + value + b"\r\n"


END = f"--{BOUNDARY}--\r\n".encode()


def test_multipart_well_formed_body_parses(media_app, client):
    body = part("a", b"1") + part("f", b"data", filename="x.txt") + END
    assert post(client, "/form", body, MULTIPART).json() == {"fields": 2}


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", "multipart/form-data; boundary=", 'multipart/form-data; boundary=""'],
    ids=["missing", "empty", "empty-quoted"],
)
def test_multipart_missing_or_empty_boundary_is_400(media_app, client, content_type):
    body = part("a", b"1") + END
    assert post(client, "/form", body, content_type).status_code == 400


def test_multipart_part_without_content_disposition_is_400(media_app, client):
    body = part("a", b"1", headers=False) + END
    assert post(client, "/form", body, MULTIPART).status_code == 400


def test_multipart_body_that_is_not_multipart_is_400(media_app, client):
    assert post(client, "/form", b'{"a": 1}', MULTIPART).status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        part("a", b"1"),
        part("a", b"1")[:-5],
        f"--{BOUNDARY}\r\nContent-Disposition: form-da".encode(),
        part("f", b"data" * 100, filename="x.txt")[:-50],
    ],
    ids=["no-closing-delimiter", "cut-inside-part", "cut-inside-headers", "cut-inside-file"],
)
def test_multipart_truncated_body_is_400_and_nothing_kept(media_app, client, body):
    response = post(client, "/form", body, MULTIPART)
    assert response.status_code == 400
    assert saved == []


def test_multipart_too_many_parts_is_413(media_app, client):
    body = b"".join(part(f"f{i}", b"1") for i in range(10_000)) + END
    assert post(client, "/form", body, MULTIPART).status_code == 413


def test_multipart_too_many_files_is_413(media_app, client):
    body = b"".join(part(f"f{i}", b"1", filename=f"{i}.txt") for i in range(1_001)) + END
    assert post(client, "/form", body, MULTIPART).status_code == 413


def test_multipart_oversized_field_part_is_413(media_app, client):
    body = part("big", b"x" * (2 * 1024 * 1024)) + END
    assert post(client, "/form", body, MULTIPART).status_code == 413


def test_multipart_body_over_limit_is_413(media_app, client):
    body = part("f", b"x" * (17 * 1024 * 1024), filename="big.bin") + END
    assert post(client, "/form", body, MULTIPART).status_code == 413


def test_multipart_padding_before_first_boundary_is_400(media_app, client):
    body = b"\r\n" * 500_000 + part("a", b"1") + END
    assert post(client, "/form", body, MULTIPART).status_code == 400


def test_multipart_padding_after_last_boundary_is_400(media_app, client):
    body = part("a", b"1") + END + b"\r\n" * 500_000
    assert post(client, "/form", body, MULTIPART).status_code == 400


def test_multipart_pathological_boundary_is_400(media_app, client):
    boundary = '\\"' * 5_000
    content_type = f'multipart/form-data; boundary="{boundary}"'
    assert post(client, "/form", b"--" + boundary.encode() + b"--", content_type).status_code == 400


def test_multipart_media_parses_as_form(media_app, client):
    body = part("a", b"1") + END
    assert post(client, "/media", body, MULTIPART).json() == {"got": {"a": "1"}}


# -- content types and paths ----------------------------------------------------------------


def test_media_unsupported_content_type_is_415(media_app, client):
    response = post(client, "/media", b"<xml/>", "application/xml")
    assert response.status_code == 415
    assert "Unsupported media type 'application/xml'" in response.text


def test_form_on_json_content_type_is_415(media_app, client):
    assert post(client, "/form", b"{}", "application/json").status_code == 415


def test_media_unknown_format_argument_is_400(app, client):
    @app.route("/x", methods=["POST"])
    async def view(req, resp):
        resp.media = await req.media(format="xml")

    assert client.post("/x", content=b"").status_code == 400


def test_declared_content_length_over_limit_is_413_before_reading(media_app, client):
    response = client.post(
        "/media",
        content=b"{}",
        headers={"Content-Type": "application/json", "Content-Length": str(10**12)},
    )
    assert response.status_code == 413
