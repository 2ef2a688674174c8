"""What only the pydantic adapter and FileField do."""

from __future__ import annotations

import pytest

pytest.importorskip("pydantic")

from pydantic import BaseModel, Field

from dyne.ext.io import File
from dyne.ext.io.pydantic import input
from dyne.ext.io.pydantic.adapter import PydanticAdapter
from dyne.ext.io.pydantic.fields import FileField

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 16


class Author(BaseModel):
    name: str = Field(description="Full name")


class Book(BaseModel):
    title: str
    author: Author
    tags: list[str] = []


class Cover(FileField):
    allowed_extensions = {"png"}


class WithCover(BaseModel):
    cover: Cover


def test_adapter_name_and_many():
    adapter = PydanticAdapter(Book)
    assert (adapter.name, adapter.many) == ("Book", False)


def test_adapter_accepts_a_model_instance():
    assert PydanticAdapter(Author(name="x")).schema is Author


def test_json_schema_refs_nested_models_under_prefix():
    schema, definitions = PydanticAdapter(Book).json_schema("#/components/schemas/")
    assert schema["properties"]["author"] == {"$ref": "#/components/schemas/Author"}
    assert definitions["Author"]["properties"]["name"]["description"] == "Full name"
    assert "$defs" not in schema


def test_json_schema_file_field_is_binary_string():
    schema, _ = PydanticAdapter(WithCover).json_schema("#/c/")
    cover = schema["properties"]["cover"]
    assert (cover["type"], cover["format"]) == ("string", "binary")


def test_has_file():
    assert PydanticAdapter(WithCover).has_file()
    assert not PydanticAdapter(Book).has_file()


def test_has_file_through_optional_and_nested_model():
    class Nested(BaseModel):
        inner: WithCover | None = None

    assert PydanticAdapter(Nested).has_file()


def test_parameters_use_alias_and_required():
    class Headers(BaseModel):
        x_api_key: str = Field(alias="X-API-Key", description="The key")
        x_trace: str | None = Field(None, alias="X-Trace")

    params = PydanticAdapter(Headers).parameters("header")
    assert params[0] == {
        "name": "X-API-Key",
        "in": "header",
        "required": True,
        "description": "The key",
        "schema": {"type": "string"},
    }
    assert params[1]["required"] is False


def test_wire_fields_mark_lists():
    assert PydanticAdapter(Book).wire_fields() == {"title": False, "author": False, "tags": True}


def test_load_json_falls_back_to_standard_decoder_error():
    from dyne.exceptions import HTTPException

    with pytest.raises(HTTPException) as info:
        PydanticAdapter(Author).load_json(b"{nope")
    assert info.value.status_code == 400


def test_errors_of_whole_input_go_to_schema_key():
    adapter = PydanticAdapter(Author)
    with pytest.raises(adapter.error_types) as info:
        adapter.load([1])
    assert list(adapter.errors(info.value)) == ["_schema"]


def test_tour_custom_file_validator(app, client):
    class ImageField(FileField):
        max_size = 2 * 1024 * 1024
        allowed_extensions = {"jpg", "jpeg", "png"}
        sanitize_filename = False  # optional: auto-fix unsafe filenames

        # Append the new validator method name to the registry
        file_validators = FileField.file_validators + ["validate_is_image"]  # noqa: RUF005

        @classmethod
        def validate_is_image(cls, file: File):
            # Custom logic to check MIME types
            if not file.content_type.startswith("image/"):
                raise ValueError("File is not a valid image")

    # Usage in a Model
    class ProfileUpdate(BaseModel):
        username: str
        avatar: ImageField

    @app.route("/profile", methods=["POST"])
    @input(ProfileUpdate, location="form")
    async def profile(req, resp, *, data):
        resp.media = {"user": data.username, "avatar": data.avatar.filename}

    ok = client.post(
        "/profile", data={"username": "j"}, files={"avatar": ("me.png", PNG, "image/png")}
    )
    assert ok.json() == {"user": "j", "avatar": "me.png"}
    bad = client.post(
        "/profile", data={"username": "j"}, files={"avatar": ("me.png", PNG, "text/plain")}
    )
    assert bad.status_code == 400
    assert "File is not a valid image" in bad.json()["errors"]["avatar"][0]


def test_file_validator_name_without_method_fails_clearly(app, client):
    class Broken(FileField):
        file_validators = ["validate_missing"]

    class Model(BaseModel):
        f: Broken

    with pytest.raises(TypeError, match="validate_missing"):
        Model(f=File.__new__(File))


def test_list_of_files(app, client):
    class Gallery(BaseModel):
        images: list[Cover]

    @app.route("/gallery", methods=["POST"])
    @input(Gallery, location="form")
    async def gallery(req, resp, *, data):
        resp.media = [image.filename for image in data.images]

    files = [("images", ("a.png", PNG, "image/png")), ("images", ("b.png", PNG, "image/png"))]
    assert client.post("/gallery", files=files).json() == ["a.png", "b.png"]
