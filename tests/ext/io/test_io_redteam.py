"""Hostile bodies through @input, for each schema library: a 400 in the errors shape,
never a 500 from a schema adapter walking what the decoder let through."""

from typing import Any

import pytest


def _any_schema(lib):
    """A schema with one field that takes any JSON value, in ``lib``'s own terms."""
    if lib.name == "pydantic":
        from pydantic import BaseModel

        class Anything(BaseModel):
            x: Any = None

        return Anything
    if lib.name == "marshmallow":
        from marshmallow import Schema, fields

        class AnythingSchema(Schema):
            x = fields.Raw()

        return AnythingSchema
    import msgspec

    class AnythingStruct(msgspec.Struct):
        x: Any = None

    return AnythingStruct


@pytest.fixture
def any_app(app, lib):
    @app.route("/any", methods=["POST"])
    @lib.input(_any_schema(lib))
    async def anything(req, resp, *, data):
        resp.media = {"ok": True}

    return app


def nested(depth: int) -> bytes:
    return b'{"x": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize("depth", [300, 600, 990, 1300])
def test_input_deeply_nested_json_is_400_not_500(any_app, client, lib, depth):
    response = client.post(
        "/any", content=nested(depth), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    (message,) = response.json()["errors"]["_schema"]
    assert "nested too deeply" in message


def test_input_nesting_within_the_limit_is_accepted(any_app, client, lib):
    response = client.post(
        "/any", content=nested(150), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200


def test_input_deeply_nested_yaml_is_400_not_500(any_app, client, lib):
    body = b"x: " + b"[" * 300 + b"]" * 300
    response = client.post("/any", content=body, headers={"Content-Type": "application/x-yaml"})
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["errors"]["_schema"][0]


@pytest.mark.parametrize(
    "body",
    [b"x: 0x" + b"f" * 4000, b"x: !!binary aGVsbG8=", b"x: {2001-01-01: 0b" + b"1" * 20_000 + b"}"],
    ids=["huge-hex-int", "binary", "huge-int-under-a-date-key"],
)
def test_input_yaml_value_json_cannot_carry_is_400(any_app, client, lib, body):
    response = client.post("/any", content=body, headers={"Content-Type": "application/x-yaml"})
    assert response.status_code == 400
    assert response.json()["errors"]["_schema"]


def test_input_yaml_timestamp_key_is_read_as_text(app, client, lib):
    @app.route("/echo", methods=["POST"])
    @lib.input(_any_schema(lib))
    async def echo(req, resp, *, data):
        resp.media = {"x": data["x"]}

    body = b"x: {2001-01-01: one}"
    response = client.post("/echo", content=body, headers={"Content-Type": "application/x-yaml"})
    assert response.status_code == 200
    assert response.json() == {"x": {"2001-01-01": "one"}}


def test_input_recursive_marshmallow_schema_deep_body_is_400_not_500(app, client):
    pytest.importorskip("marshmallow")
    from marshmallow import Schema, fields

    from dyne.ext.io.marshmallow import input

    class NodeSchema(Schema):
        child = fields.Nested(lambda: NodeSchema())

    @app.route("/tree", methods=["POST"])
    @input(NodeSchema)
    async def tree(req, resp, *, data):
        resp.media = {"ok": True}

    depth = 190  # within the decoders' limit; marshmallow spends several frames a level
    body = b'{"child":' * depth + b"{}" + b"}" * depth
    response = client.post("/tree", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["errors"]["_schema"][0]


@pytest.mark.parametrize("body", [b'{"x": "\\ud800"}', b'{"x": ["\\udfff"]}'])
def test_input_json_lone_surrogate_is_400_not_500(app, client, lib, body):
    @app.route("/echo", methods=["POST"])
    @lib.input(_any_schema(lib))
    async def echo(req, resp, *, data):
        resp.media = {"x": data["x"]}

    response = client.post("/echo", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "surrogate" in response.json()["errors"]["_schema"][0]


def test_input_form_list_field_reads_every_urlencoded_value(app, client, lib):
    @app.route("/query-as-form", methods=["POST"])
    @lib.input(lib.Query, location="form")
    async def view(req, resp, *, data):
        resp.media = {"tags": list(data["tags"])}

    response = client.post("/query-as-form", data={"tags": ["a", "b", "c"]})
    assert response.status_code == 200
    assert response.json() == {"tags": ["a", "b", "c"]}


def test_media_of_a_urlencoded_form_still_lets_the_last_value_win(app, client):
    @app.route("/media", methods=["POST"])
    async def media(req, resp):
        resp.media = await req.media()

    response = client.post("/media", data={"tag": ["a", "b"]})
    assert response.json() == {"tag": "b"}


def _user_header_schema(lib):
    if lib.name == "pydantic":
        from pydantic import BaseModel

        class UserHeaders(BaseModel):
            x_user: str

        return UserHeaders
    if lib.name == "marshmallow":
        from marshmallow import Schema, fields

        class UserHeadersSchema(Schema):
            x_user = fields.Str(required=True)

        return UserHeadersSchema
    import msgspec

    class UserHeadersStruct(msgspec.Struct):
        x_user: str

    return UserHeadersStruct


@pytest.mark.parametrize(
    "headers",
    [[("X-User", "alice"), ("X_User", "admin")], [("X_User", "admin"), ("X-User", "alice")]],
    ids=["underscore-last", "underscore-first"],
)
def test_input_header_sent_with_dash_and_underscore_is_400(app, client, lib, headers):
    @app.route("/who")
    @lib.input(_user_header_schema(lib), location="headers")
    async def who(req, resp, *, headers):
        resp.media = {"user": headers["x_user"]}

    response = client.get("/who", headers=headers)
    assert response.status_code == 400
    assert "sent both" in response.json()["errors"]["x_user"][0]


@pytest.mark.parametrize("name", ["X-User", "X_User", "x-user"])
def test_input_header_sent_one_way_is_read(app, client, lib, name):
    @app.route("/who")
    @lib.input(_user_header_schema(lib), location="headers")
    async def who(req, resp, *, headers):
        resp.media = {"user": headers["x_user"]}

    response = client.get("/who", headers={name: "alice"})
    assert response.json() == {"user": "alice"}


def test_input_errors_name_at_most_the_first_hundred_fields(app, client, lib):
    # every value of a list of ints is wrong: one error per item, 5,000 of them
    if lib.name == "pydantic":
        from pydantic import BaseModel

        class Numbers(BaseModel):
            n: list[int]

    elif lib.name == "marshmallow":
        from marshmallow import Schema, fields

        class Numbers(Schema):  # type: ignore[no-redef]
            n = fields.List(fields.Int(), required=True)

    else:
        import msgspec

        class Numbers(msgspec.Struct):  # type: ignore[no-redef]
            n: list[int]

    @app.route("/numbers", methods=["POST"])
    @lib.input(Numbers)
    async def numbers(req, resp, *, data):
        resp.media = {"ok": True}

    body = b'{"n": [' + b",".join([b'"x"'] * 5000) + b"]}"
    response = client.post("/numbers", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert len(errors) <= 101  # 100 fields, and _schema saying there are more
    assert len(response.content) < 20_000
    if lib.name != "msgspec":  # msgspec stops at the first error
        assert "only the first 100" in errors["_schema"][-1]


@pytest.mark.parametrize("key", ["__deepcopy__", "__html__", "__reduce_ex__"])
def test_input_data_with_a_dunder_key_still_copies_and_escapes(app, client, lib, key):
    import copy

    markupsafe = pytest.importorskip("markupsafe")

    @app.route("/copy", methods=["POST"])
    @lib.input(_any_schema(lib))
    async def copy_view(req, resp, *, data):
        copied = copy.deepcopy(data)
        resp.media = {"copied": copied["x"], "html": str(markupsafe.escape(data["x"]))}

    body = b'{"x": {"' + key.encode() + b'": "<b>"}}'
    response = client.post("/copy", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert response.json()["copied"] == {key: "<b>"}
    assert "&lt;b&gt;" in response.json()["html"]
