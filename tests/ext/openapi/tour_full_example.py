"""The tour's "Full Example: Creating a Book with File Upload", as written.

One line is added: the tour uses ``Column``, ``Integer``, ``Float`` and ``String``
without importing them from SQLAlchemy. Kept as the tour writes it, so neither import
sorting nor formatting is applied here.
"""
# ruff: noqa: I001, E501
# fmt: off

from sqlalchemy import Column, Float, Integer, String  # the line the tour leaves out

import dyne
from dyne.ext.openapi import OpenAPI
from marshmallow import Schema, fields
from dyne.ext.auth import authenticate, BasicAuth
from dyne.ext.io.marshmallow import input, output, expect
from dyne.ext.io.marshmallow.fields import FileField
from dyne.ext.db.alchemical import Alchemical, CRUDMixin, Model


class Book(CRUDMixin, Model):  # SQLAlchemy Model
    __tablename__ = "books"
    id = Column(Integer, primary_key=True)
    price = Column(Float)
    title = Column(String)
    cover = Column(String, nullable=True)


# Define your schemas
class BookSchema(Schema):
    id = fields.Integer(dump_only=True)
    price = fields.Float()
    title = fields.Str()
    cover_url = fields.Str()


class BookCreateSchema(Schema):
    price = fields.Float(required=True)
    title = fields.Str(required=True)
    # FileField is automatically documented as a 'binary' format string
    image = FileField(allowed_extensions=["png", "jpg"], max_size=5 * 1024 * 1024)


description = """
User Management API
This API allows for comprehensive management of users and books.
**Base URL:** `https://api.example.com/v1`
**Support:** `support@example.com`
"""


class Config:
    ALCHEMICAL_DATABASE_URL = "sqlite:///app.db"


app = dyne.App()
app.config.from_object(Config)
db = Alchemical(app)
api = OpenAPI(app, description=description)

users = dict(john="password", admin="password123")
roles = {"john": "user", "admin": ["user", "admin"]}

basic_auth = BasicAuth()


@basic_auth.verify_password
async def verify_password(username, password):
    if username in users and users.get(username) == password:
        return username
    return None


@basic_auth.error_handler
async def error_handler(req, resp, status_code=401):
    resp.text = "Invalid credentials"
    resp.status_code = status_code


@basic_auth.get_user_roles
async def get_user_roles(user):
    return roles.get(user)


@app.route("/book", methods=["POST"])
@authenticate(basic_auth, role="admin")
@input(BookCreateSchema, location="form")
@output(BookSchema, status_code=201)
@expect({401: "Unauthorized", 400: "Invalid file format"})
@db.transaction
async def create_book(req, resp, *, data):
    """
    Create a new Book
    ---
    This endpoint allows admins to upload a book cover and metadata.
    """

    image = data.pop("image")
    await image.asave(f"uploads/{image.filename}")  # The image is already validated for extension and size.

    book = await Book.create(**data, cover=image.filename)
    resp.obj = book
# fmt: on
