"""One parametrized fixture, ``lib``, giving each schema library's decorators and the same
schemas written in that library, so common behaviours are tested once for all of them:
pydantic, marshmallow, and msgspec through the third-party adapter in
``tests/thirdparty_ext/msgspec_io.py`` (built on the public ``dyne.ext.io`` seam)."""

# No `from __future__ import annotations`: msgspec reads the Structs' annotations, and
# these classes are local to a function, out of reach of a string annotation.
from types import SimpleNamespace

import pytest


def _pydantic() -> SimpleNamespace:
    pytest.importorskip("pydantic")
    from pydantic import BaseModel, ConfigDict, Field

    from dyne.ext.io import pydantic as io
    from dyne.ext.io.pydantic.fields import FileField

    class Author(BaseModel):
        name: str

    class Book(BaseModel):
        title: str
        price: float = Field(gt=0)

    class BookWithAuthor(BaseModel):
        title: str
        author: Author

    class Query(BaseModel):
        page: int = 1
        limit: int = 10
        tags: list[str] = []

    class Headers(BaseModel):
        x_api_key: str = Field(alias="X-API-Key")

    class Cookies(BaseModel):
        session_id: str

    class BookOut(BaseModel):
        id: int
        title: str
        price: float
        model_config = ConfigDict(from_attributes=True)

    class Image(FileField):
        max_size = 1024
        allowed_extensions = {"png", "jpg"}

    class SafeImage(Image):
        sanitize_filename = True

    class Upload(BaseModel):
        description: str = ""
        image: Image

    class SafeUpload(BaseModel):
        image: SafeImage

    return SimpleNamespace(
        name="pydantic",
        io=io,
        input=io.input,
        output=io.output,
        expect=io.expect,
        webhook=io.webhook,
        Book=Book,
        BookWithAuthor=BookWithAuthor,
        Query=Query,
        Headers=Headers,
        Cookies=Cookies,
        BookOut=BookOut,
        Upload=Upload,
        SafeUpload=SafeUpload,
    )


def _marshmallow() -> SimpleNamespace:
    pytest.importorskip("marshmallow")
    from marshmallow import Schema, fields, validate

    from dyne.ext.io import marshmallow as io
    from dyne.ext.io.marshmallow.fields import FileField

    class Author(Schema):
        name = fields.Str(required=True)

    class Book(Schema):
        title = fields.Str(required=True)
        price = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False))

    class BookWithAuthor(Schema):
        title = fields.Str(required=True)
        author = fields.Nested(Author, required=True)

    class Query(Schema):
        page = fields.Int(load_default=1)
        limit = fields.Int(load_default=10)
        tags = fields.List(fields.Str(), load_default=list)

    class Headers(Schema):
        x_api_key = fields.Str(required=True, data_key="X-API-Key")

    class Cookies(Schema):
        session_id = fields.Str(required=True)

    class BookOut(Schema):
        id = fields.Int()
        title = fields.Str()
        price = fields.Float()

    class Upload(Schema):
        description = fields.Str(load_default="")
        image = FileField(required=True, allowed_extensions=["png", "jpg"], max_size=1024)

    class SafeUpload(Schema):
        image = FileField(
            required=True, allowed_extensions=["png", "jpg"], max_size=1024, sanitize_filename=True
        )

    return SimpleNamespace(
        name="marshmallow",
        io=io,
        input=io.input,
        output=io.output,
        expect=io.expect,
        webhook=io.webhook,
        Book=Book,
        BookWithAuthor=BookWithAuthor,
        Query=Query,
        Headers=Headers,
        Cookies=Cookies,
        BookOut=BookOut,
        Upload=Upload,
        SafeUpload=SafeUpload,
    )


def _msgspec() -> SimpleNamespace:
    pytest.importorskip("msgspec")
    from typing import Annotated

    import msgspec

    from thirdparty_ext import msgspec_io as io
    from thirdparty_ext.msgspec_io import FileField

    class Author(msgspec.Struct):
        name: str

    class Book(msgspec.Struct):
        title: str
        price: Annotated[float, msgspec.Meta(gt=0)]

    class BookWithAuthor(msgspec.Struct):
        title: str
        author: Author

    class Query(msgspec.Struct):
        page: int = 1
        limit: int = 10
        tags: list[str] = []

    class Headers(msgspec.Struct):
        x_api_key: str = msgspec.field(name="X-API-Key")

    class Cookies(msgspec.Struct):
        session_id: str

    class BookOut(msgspec.Struct):
        id: int
        title: str
        price: float

    Image = FileField(max_size=1024, allowed_extensions={"png", "jpg"})
    SafeImage = FileField(max_size=1024, allowed_extensions={"png", "jpg"}, sanitize_filename=True)

    class Upload(msgspec.Struct):
        image: Image
        description: str = ""

    class SafeUpload(msgspec.Struct):
        image: SafeImage

    return SimpleNamespace(
        name="msgspec",
        io=io,
        input=io.input,
        output=io.output,
        expect=io.expect,
        webhook=io.webhook,
        Book=Book,
        BookWithAuthor=BookWithAuthor,
        Query=Query,
        Headers=Headers,
        Cookies=Cookies,
        BookOut=BookOut,
        Upload=Upload,
        SafeUpload=SafeUpload,
    )


_LIBRARIES = {"pydantic": _pydantic, "marshmallow": _marshmallow, "msgspec": _msgspec}


@pytest.fixture(params=list(_LIBRARIES))
def lib(request: pytest.FixtureRequest) -> SimpleNamespace:
    """The decorators and the shared test schemas of one schema library."""
    return _LIBRARIES[request.param]()
