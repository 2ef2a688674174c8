"""What only the marshmallow adapter and FileField do."""

from __future__ import annotations

import pytest

pytest.importorskip("marshmallow")

from marshmallow import Schema, ValidationError, fields, post_load, validates_schema

from dyne.ext.io import File
from dyne.ext.io.marshmallow import input, output
from dyne.ext.io.marshmallow.adapter import MarshmallowAdapter
from dyne.ext.io.marshmallow.fields import FileField

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 16


class AuthorSchema(Schema):
    name = fields.Str(required=True, metadata={"description": "Full name"})


class BookSchema(Schema):
    title = fields.Str(required=True)
    author = fields.Nested(AuthorSchema)
    tags = fields.List(fields.Str())


class CoverSchema(Schema):
    cover = FileField(allowed_extensions=["png"])


def test_adapter_name_strips_schema_suffix():
    assert MarshmallowAdapter(BookSchema).name == "Book"


def test_adapter_many_from_instance():
    assert MarshmallowAdapter(BookSchema(many=True)).many is True
    assert MarshmallowAdapter(BookSchema).many is False


def test_json_schema_refs_nested_schemas_under_prefix():
    pytest.importorskip("apispec")
    schema, definitions = MarshmallowAdapter(BookSchema).json_schema("#/components/schemas/")
    assert schema["properties"]["author"]["$ref"] == "#/components/schemas/Author"
    assert definitions["Author"]["properties"]["name"]["description"] == "Full name"
    assert schema["required"] == ["title"]


def test_json_schema_file_field_is_binary_string():
    pytest.importorskip("apispec")
    schema, _ = MarshmallowAdapter(CoverSchema).json_schema("#/c/")
    assert schema["properties"]["cover"] == {"type": "string", "format": "binary"}


def test_has_file_through_nested_and_list():
    class Outer(Schema):
        inner = fields.Nested(CoverSchema)

    class Many(Schema):
        files = fields.List(FileField())

    assert MarshmallowAdapter(Outer).has_file()
    assert MarshmallowAdapter(Many).has_file()
    assert not MarshmallowAdapter(BookSchema).has_file()


def test_parameters_use_data_key():
    pytest.importorskip("apispec")

    class Headers(Schema):
        x_api_key = fields.Str(required=True, data_key="X-API-Key")

    params = MarshmallowAdapter(Headers).parameters("header")
    assert [(p["name"], p["in"], p["required"]) for p in params] == [("X-API-Key", "header", True)]


def test_errors_flatten_schema_level_messages():
    class Pair(Schema):
        a = fields.Int()
        b = fields.Int()

        @validates_schema
        def check(self, data, **kwargs):
            raise ValidationError("a and b disagree")

    adapter = MarshmallowAdapter(Pair)
    with pytest.raises(ValidationError) as info:
        adapter.load({"a": 1, "b": 2})
    assert adapter.errors(info.value) == {"_schema": ["a and b disagree"]}


def test_errors_flatten_list_items():
    adapter = MarshmallowAdapter(BookSchema)
    with pytest.raises(ValidationError) as info:
        adapter.load({"title": "t", "tags": ["ok", 3]})
    assert adapter.errors(info.value) == {"tags.1": ["Not a valid string."]}


def test_post_load_object_is_injected_as_is(app, client):
    class Point:
        def __init__(self, x):
            self.x = x

    class PointSchema(Schema):
        x = fields.Int()

        @post_load
        def make(self, data, **kwargs):
            return Point(**data)

    @app.route("/p", methods=["POST"])
    @input(PointSchema)
    async def view(req, resp, *, data):
        resp.media = {"type": type(data).__name__, "x": data.x}

    assert client.post("/p", json={"x": 2}).json() == {"type": "Point", "x": 2}


def test_output_many_instance_serializes_a_list(app, client):
    books = BookSchema(many=True)

    @app.route("/books")
    @output(books)
    async def index(req, resp):
        resp.obj = ({"title": t} for t in "ab")

    assert client.get("/books").json() == [{"title": "a"}, {"title": "b"}]


def test_tour_constructor_validator(app, client):
    class SecureFileField(FileField):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            # Add a custom validator to this specific instance
            self.active_file_validators.append("validate_virus_scan")

        def validate_virus_scan(self, file: File):
            if "virus" in file.filename:
                raise ValidationError("Malicious file detected.")

    # Usage in a Schema
    class SubmissionSchema(Schema):
        tax_report = SecureFileField(
            max_size=2 * 1024 * 1024,
            allowed_extensions=["pdf"],
            sanitize_filename=True,  # optional: auto-fix unsafe filenames
            required=True,
        )

    @app.route("/submit", methods=["POST"])
    @input(SubmissionSchema, location="form")
    async def submit(req, resp, *, data):
        resp.media = {"name": data.tax_report.filename}

    ok = client.post("/submit", files={"tax_report": ("../2024 report.pdf", b"%PDF", "a/pdf")})
    assert ok.json() == {"name": "2024_report.pdf"}
    bad = client.post("/submit", files={"tax_report": ("virus.pdf", b"%PDF", "a/pdf")})
    assert bad.json() == {"errors": {"tax_report": ["Malicious file detected."]}}


def test_tour_class_variable_validator(app, client):
    class SecureFileField(FileField):
        file_validators = FileField.file_validators + ["validate_virus_scan"]  # noqa: RUF005

        def validate_virus_scan(self, file: File):
            if "virus" in file.filename:
                raise ValidationError("Malicious file detected")

    class SubmissionSchema(Schema):
        report = SecureFileField(required=True)

    @app.route("/submit", methods=["POST"])
    @input(SubmissionSchema, location="form")
    async def submit(req, resp, *, data):
        resp.media = {"name": data.report.filename}

    assert client.post("/submit", files={"report": ("ok.txt", b"1")}).status_code == 200
    bad = client.post("/submit", files={"report": ("virus.txt", b"1")})
    assert bad.json() == {"errors": {"report": ["Malicious file detected"]}}


def test_file_field_dumps_filename():
    class Out(Schema):
        cover = FileField()

    from starlette.datastructures import UploadFile

    file = File(UploadFile(__import__("io").BytesIO(b"1"), filename="c.png"))
    assert Out().dump({"cover": file}) == {"cover": "c.png"}
