"""The tour's samples for validation, serialization, expect, webhooks and uploads, run as
written (the places where the tour itself slips are marked ``tour fix``)."""

from __future__ import annotations

import time

import pytest

import dyne

pytest.importorskip("pydantic")
pytest.importorskip("marshmallow")


def test_tour_pydantic_validation(app, capsys):
    from pydantic import BaseModel, Field

    from dyne.ext.io.pydantic import input

    class Book(BaseModel):
        title: str
        price: float = Field(gt=0)

    @app.route("/books", methods=["POST"])
    @input(Book)  # Default location="media", default key="data"
    async def create_book(req, resp, *, data: Book):
        # 'data' is a validated Pydantic instance
        print(f"Creating {data['title']}")
        resp.media = {"status": "created"}

    r = app.client.post("/books", json={"title": "Dune", "price": 10})
    assert r.json() == {"status": "created"}
    assert "Creating Dune" in capsys.readouterr().out
    assert app.client.post("/books", json={"title": "Dune", "price": 0}).status_code == 400


def test_tour_marshmallow_query_validation(app):
    from marshmallow import Schema, fields

    from dyne.ext.io.marshmallow import input

    class QuerySchema(Schema):
        page = fields.Int(load_default=1)
        limit = fields.Int(load_default=10)

    @app.route("/books", methods=["GET"])
    @input(QuerySchema, location="query")  # key defaults to "query"
    async def list_books(req, resp, *, query):
        # 'query' is a validated dictionary
        page = query["page"]
        resp.media = {"results": [], "page": page}

    assert app.client.get("/books?page=2").json() == {"results": [], "page": 2}
    assert app.client.get("/books").json() == {"results": [], "page": 1}


def test_tour_advanced_locations_and_keys(app, capsys):
    from pydantic import BaseModel, Field

    from dyne.ext.io.pydantic import input

    class QuerySchema(BaseModel):  # tour fix: a pydantic query schema for pydantic's input
        page: int = 1
        limit: int = 10

    class HeaderSchema(BaseModel):
        x_api_key: str = Field(alias="X-API-Key")

    @app.route("/secure-data")
    @input(HeaderSchema, location="headers")
    @input(QuerySchema, location="query", key="params")
    async def secure_endpoint(req, resp, *, headers, params):
        # Query params are available as 'params'
        print(f"API Keys: {headers['x_api_key']}")  # tour fix: the closing quote
        print(f"Query: {params}")
        resp.media = {"data": "secret stuff"}

    r = app.client.get("/secure-data?page=3", headers={"X-API-Key": "k1"})
    assert r.json() == {"data": "secret stuff"}
    out = capsys.readouterr().out
    assert "API Keys: k1" in out
    assert "'page': 3" in out
    assert app.client.get("/secure-data").status_code == 400


def _alchemical_output_app(tmp_path, schema_module, name):
    pytest.importorskip("dyne.ext.db.alchemical")
    from sqlalchemy import Column, Float, Integer, String  # tour fix: imports left out

    from dyne.ext.db.alchemical import Alchemical, Model

    class Config:
        ALCHEMICAL_DATABASE_URL = f"sqlite:///{tmp_path / 'app.db'}"

    app = dyne.App()
    app.config.from_object(Config)
    db = Alchemical(app)

    @app.on_event("startup")
    async def setup_db():
        await db.create_all()

    # Define an example SQLAlchemy model (tour fix: one name per test, as all tests share
    # Alchemical's declarative base)
    Book = type(
        name,
        (Model,),
        {
            "__tablename__": name.lower(),
            "id": Column(Integer, primary_key=True),
            "price": Column(Float),
            "title": Column(String),
        },
    )

    BookSchema, output, many = schema_module()

    @app.route("/books/{id}")
    @output(BookSchema)
    async def get_book(req, resp, id):
        # Fetch a SQLAlchemy object
        session = await req.db
        book = await session.scalar(Book.select().filter_by(id=id))
        # Assign the object to resp.obj
        # The extension converts the ORM model to JSON automatically
        resp.obj = book

    @app.route("/all-books")
    @output(many)
    async def list_all(req, resp):
        session = await req.db
        query = await session.scalars(Book.select())
        # resp.obj can also be a list or a query object
        resp.obj = query.all()

    @app.route("/seed", methods=["POST"])
    async def seed(req, resp):
        session = await req.db
        session.add_all([Book(id=1, title="Dune", price=9.5), Book(id=2, title="Emma", price=3)])
        await session.commit()
        resp.media = {"ok": True}

    return app


def _pydantic_book_schema():
    from pydantic import BaseModel, ConfigDict

    from dyne.ext.io.pydantic import output

    class BookSchema(BaseModel):
        id: int
        title: str
        price: float
        # Required for SQLAlchemy integration
        model_config = ConfigDict(from_attributes=True)

    return BookSchema, output, BookSchema


def _marshmallow_book_schema():
    from marshmallow import Schema, fields

    from dyne.ext.io.marshmallow import output

    class BookSchema(Schema):
        id = fields.Int()
        title = fields.Str()
        price = fields.Float()

    books = BookSchema(many=True)
    return BookSchema, output, books


@pytest.mark.parametrize("schemas", [_pydantic_book_schema, _marshmallow_book_schema])
def test_tour_output_with_alchemical(tmp_path, monkeypatch, schemas):
    monkeypatch.chdir(tmp_path)
    app = _alchemical_output_app(tmp_path, schemas, f"Book{schemas.__name__.title()}")
    client = app.client
    try:
        assert client.post("/seed").status_code == 200
        assert client.get("/books/1").json() == {"id": 1, "title": "Dune", "price": 9.5}
        assert client.get("/all-books").json() == [
            {"id": 1, "title": "Dune", "price": 9.5},
            {"id": 2, "title": "Emma", "price": 3.0},
        ]
    finally:
        client.close()


def _error_schemas(library):
    if library == "pydantic":
        # Pydantic example
        from pydantic import BaseModel, Field

        class InvalidTokenSchema(BaseModel):
            error: str = Field("token_expired", description="The error code")
            message: str = Field(..., description="Details about the token failure")

        class InsufficientPermissionsSchema(BaseModel):
            error: str = "forbidden"
            required_role: str = "admin"

    else:
        # Marshmallow example
        from marshmallow import Schema, fields

        class InvalidTokenSchema(Schema):
            error = fields.String(
                dump_default="token_expired",
                metadata={"description": "The error code"},
            )
            message = fields.String(
                required=True,
                metadata={"description": "Details about the token failure"},
            )

        class InsufficientPermissionsSchema(Schema):
            error = fields.String(
                dump_default="forbidden",
                metadata={"description": "Error code"},
            )
            required_role = fields.String(
                dump_default="admin",
                metadata={"description": "Role required to access this resource"},
            )

    return InvalidTokenSchema, InsufficientPermissionsSchema


@pytest.mark.parametrize("library", ["pydantic", "marshmallow"])
def test_tour_expect_three_forms(library):
    import importlib

    from dyne import _meta

    expect = importlib.import_module(f"dyne.ext.io.{library}").expect
    InvalidTokenSchema, InsufficientPermissionsSchema = _error_schemas(library)
    app = dyne.App()

    @app.route("/secure-data", methods=["GET"])
    @expect({401: "Invalid access or refresh token", 403: "Insufficient permissions"})
    async def get_data(req, resp):
        # Logic here...
        pass

    @app.route("/secure-data-2", methods=["GET"])
    @expect({401: InvalidTokenSchema, 403: InsufficientPermissionsSchema})
    async def get_data_2(req, resp):
        pass

    @app.route("/secure-data-3", methods=["GET"])
    @expect(
        {
            401: (InvalidTokenSchema, "Invalid access or refresh token"),
            403: (InsufficientPermissionsSchema, "Requires elevated administrative privileges"),
        }
    )
    async def get_data_3(req, resp):
        pass

    first, second, third = (_meta.meta_of(v)["expect"] for v in (get_data, get_data_2, get_data_3))
    assert first[401].description == "Invalid access or refresh token"
    assert second[401].adapter.name.startswith("InvalidToken")
    assert second[401].description is None
    assert third[403].description == "Requires elevated administrative privileges"
    assert app.client.get("/secure-data").status_code == 200


@pytest.mark.parametrize("library", ["pydantic", "marshmallow"])
def test_tour_webhooks(library, app, capsys):
    import importlib

    from dyne import _meta

    io = importlib.import_module(f"dyne.ext.io.{library}")
    webhook, input = io.webhook, io.input
    if library == "pydantic":
        from pydantic import BaseModel

        class BookSchema(BaseModel):
            title: str
    else:
        from marshmallow import Schema, fields

        class BookSchema(Schema):
            title = fields.Str()

    @app.route("/events", methods=["POST"])
    @webhook
    async def handle_event(req, resp):
        pass

    @app.route("/transaction", methods=["POST"])
    @webhook(name="transaction_callback")
    async def process_payment(req, resp):
        pass

    @app.route("/purchase", methods=["POST"])
    @webhook(name="transaction")
    @input(BookSchema)
    async def purchase_book(req, resp, *, data):
        """
        Receives a book purchase notification and processes it asynchronously.
        """

        @app.background.task
        def process(book):
            # Simulate heavy processing
            time.sleep(0.01)
            print(f"Processing webhook for: {book['title']}")

        process(data)
        resp.media = {"status": "Received!"}

    assert _meta.meta_of(handle_event)["webhook"].name == "handle_event"
    assert _meta.meta_of(process_payment)["webhook"].name == "transaction_callback"
    assert _meta.meta_of(purchase_book)["webhook"].name == "transaction"
    with app.client as client:
        assert client.post("/purchase", json={"title": "Dune"}).json() == {"status": "Received!"}
    assert "Processing webhook for: Dune" in capsys.readouterr().out


def test_tour_grouping_decorators(tmp_path, monkeypatch):
    pytest.importorskip("dyne.ext.db.alchemical")
    pytest.importorskip("dyne.ext.openapi")
    monkeypatch.chdir(tmp_path)
    from pydantic import BaseModel, ConfigDict
    from sqlalchemy import Column, Float, Integer, String  # tour fix: names left undefined

    from dyne.exceptions import abort
    from dyne.ext.db.alchemical import Alchemical, Model
    from dyne.ext.io.pydantic import expect, input, output, webhook
    from dyne.ext.openapi import OpenAPI

    description = "Books"  # tour fix: defined in an earlier section

    class PriceUpdateSchema(BaseModel):  # tour fix: the schemas are not shown
        price: float

    class BookSchema(BaseModel):
        id: int
        title: str
        price: float
        model_config = ConfigDict(from_attributes=True)

    app = dyne.App()
    app.config.from_object(type("C", (), {"ALCHEMICAL_DATABASE_URL": "sqlite:///app.db"}))
    db = Alchemical(app)
    api = OpenAPI(app, description=description)

    class GroupedBook(Model):  # tour fix: Book is not defined in the sample
        __tablename__ = "grouped_books"
        id = Column(Integer, primary_key=True)
        price = Column(Float)
        title = Column(String)

    Book = GroupedBook

    @app.on_event("startup")
    async def setup_db():
        await db.create_all()

    @app.route("/update-price/{id}", methods=["PATCH"])
    @webhook  # Documents this endpoint as a webhook.
    @input(PriceUpdateSchema)  # Validate request body.
    @output(BookSchema)  # Serialize updated ORM object.
    @expect(
        {  # Document potential errors.
            403: "Insufficient permissions",
            404: "Book not found",
        }
    )
    async def update_book_price(req, resp, id, *, data):
        session = await req.db
        book = await session.scalar(Book.select().filter_by(id=id))
        if not book:
            abort(404)
        book.price = data.price
        await session.commit()
        # The updated 'book' object is serialized back to the client
        resp.obj = book

    @app.route("/seed", methods=["POST"])
    async def seed(req, resp):
        session = await req.db
        session.add(Book(id=1, title="Dune", price=9.5))
        await session.commit()

    with app.client as client:
        client.post("/seed")
        r = client.patch("/update-price/1", json={"price": 12})
        assert r.json() == {"id": 1, "title": "Dune", "price": 12.0}
        assert client.patch("/update-price/2", json={"price": 12}).status_code == 404
        assert client.patch("/update-price/1", json={"price": "x"}).status_code == 400
    operation = api.spec["paths"]["/update-price/{id}"]["patch"]
    assert api.spec["info"]["description"] == "Books"
    assert "requestBody" in operation


def test_tour_marshmallow_upload(app, client):
    from marshmallow import Schema, fields

    from dyne.ext.io.marshmallow import input
    from dyne.ext.io.marshmallow.fields import FileField

    class UploadSchema(Schema):
        description = fields.Str()
        image = FileField(
            allowed_extensions=["png", "jpg", "jpeg"],
            max_size=5 * 1024 * 1024,  # 5MB  (tour fix: the comma)
            sanitize_filename=False,  # optional: auto-fix unsafe filenames if True
        )

    @app.route("/upload", methods=["POST"])
    @input(UploadSchema, location="form")
    async def upload(req, resp, *, data):
        image = data.pop("image")  # 'image' is a validated File object.
        await image.asave(image.filename)
        resp.media = {"success": True}

    files = {"image": ("photo.jpg", b"jpeg bytes", "image/jpeg")}
    r = client.post("/upload", data={"description": "A beautiful sunset"}, files=files)
    assert r.json() == {"success": True}
    with open("photo.jpg", "rb") as saved:
        assert saved.read() == b"jpeg bytes"


def test_tour_pydantic_upload(app, client):
    from pydantic import BaseModel, ConfigDict

    from dyne.ext.io.pydantic import input
    from dyne.ext.io.pydantic.fields import FileField

    class Image(FileField):
        max_size = 5 * 1024 * 1024
        allowed_extensions = {"jpg", "jpeg", "png"}
        sanitize_filename = True  # optional flag for auto-normalizing filenames

    class UploadSchema(BaseModel):
        description: str
        image: Image

        model_config = ConfigDict(from_attributes=True, arbitrary_types_allowed=True)

    @app.route("/upload", methods=["POST"])
    @input(UploadSchema, location="form")
    async def upload(req, resp, *, data):
        image = data.pop("image")  # 'image' is a validated File object.
        await image.asave(image.filename)
        resp.media = {"success": True}

    files = {"image": ("../sun set.png", b"png bytes", "image/png")}
    r = client.post("/upload", data={"description": "A beautiful sunset"}, files=files)
    assert r.json() == {"success": True}
    with open("sun_set.png", "rb") as saved:
        assert saved.read() == b"png bytes"


def test_tour_native_upload_and_client_request(app):
    with open("photo.jpg", "wb") as photo:
        photo.write(b"native bytes")

    @app.route("/native-upload", methods=["POST"])
    async def upload_file(req, resp):
        @app.background.task
        def process_file(file_data):
            with open(f"./{file_data['filename']}", "wb") as f:
                f.write(file_data["content"])

        # Extracts files from the multipart request
        data = await req.media(format="files")
        file_obj = data["image"]
        process_file(file_obj)
        resp.media = {"status": "processing"}

    with app.client:
        files = {"image": ("copy.jpg", open("photo.jpg", "rb"), "image/jpeg")}  # noqa: SIM115
        data = {"description": "A beautiful sunset"}
        r = app.client.post("http://;/native-upload", data=data, files=files)
        files["image"][1].close()
        print(r.json())
        assert r.json() == {"status": "processing"}
    with open("copy.jpg", "rb") as copied:
        assert copied.read() == b"native bytes"
