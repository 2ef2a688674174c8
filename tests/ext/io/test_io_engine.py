"""The engine's behaviour, the same for every schema library (parametrized by ``lib``)."""

from __future__ import annotations

import logging
import threading

import pytest

from dyne import _meta
from dyne.ext.io._specs import ExpectSpec, InputSpec, OutputSpec, WebhookSpec

# -- @input: locations and keys ----------------------------------------------------------


def test_input_media_json_injects_data(app, client, lib):
    @app.route("/books", methods=["POST"])
    @lib.input(lib.Book)
    async def create(req, resp, *, data):
        resp.media = {"title": data["title"], "price": data.price}

    r = client.post("/books", json={"title": "Dune", "price": 9.5})
    assert r.status_code == 200
    assert r.json() == {"title": "Dune", "price": 9.5}


def test_input_media_yaml_body(app, client, lib):
    @app.route("/books", methods=["POST"])
    @lib.input(lib.Book)
    async def create(req, resp, *, data):
        resp.media = dict(data)

    r = client.post(
        "/books",
        content=b"title: Dune\nprice: 3\n",
        headers={"content-type": "application/x-yaml"},
    )
    assert r.json() == {"title": "Dune", "price": 3.0}


def test_input_media_urlencoded_form(app, client, lib):
    @app.route("/books", methods=["POST"])
    @lib.input(lib.Book)
    async def create(req, resp, *, data):
        resp.media = dict(data)

    r = client.post("/books", data={"title": "Dune", "price": "4.5"})
    assert r.json() == {"title": "Dune", "price": 4.5}


def test_input_form_location(app, client, lib):
    @app.route("/books", methods=["POST"])
    @lib.input(lib.Book, location="form")
    async def create(req, resp, *, data):
        resp.media = dict(data)

    r = client.post("/books", data={"title": "D", "price": "1"})
    assert r.json() == {"title": "D", "price": 1.0}


def test_input_form_extra_file_part_follows_the_library(app, client, lib):
    # An unknown part is an unknown field: pydantic models and msgspec Structs ignore it by
    # default, marshmallow schemas refuse it (unknown=RAISE).
    @app.route("/books", methods=["POST"])
    @lib.input(lib.Book, location="form")
    async def create(req, resp, *, data):
        resp.media = dict(data)

    r = client.post("/books", files={"x": ("a.txt", b"1")}, data={"title": "D", "price": "1"})
    if lib.name != "marshmallow":
        assert r.json() == {"title": "D", "price": 1.0}
    else:
        assert r.status_code == 400
        assert "x" in r.json()["errors"]


def test_input_form_location_rejects_json_body(app, client, lib):
    @app.route("/books", methods=["POST"])
    @lib.input(lib.Book, location="form")
    async def create(req, resp, *, data):
        resp.media = {}

    r = client.post("/books", json={"title": "D", "price": 1})
    assert r.status_code == 415


def test_input_query_default_key_and_defaults(app, client, lib):
    @app.route("/books")
    @lib.input(lib.Query, location="query")
    async def index(req, resp, *, query):
        resp.media = dict(query)

    r = client.get("/books?page=3")
    assert r.json() == {"page": 3, "limit": 10, "tags": []}


def test_input_query_list_field_collects_repeated_values(app, client, lib):
    @app.route("/books")
    @lib.input(lib.Query, location="query")
    async def index(req, resp, *, query):
        resp.media = {"tags": query.tags}

    assert client.get("/books?tags=a&tags=b").json() == {"tags": ["a", "b"]}
    assert client.get("/books?tags=a").json() == {"tags": ["a"]}


def test_input_params_location_injects_params(app, client, lib):
    @app.route("/books")
    @lib.input(lib.Query, location="params")
    async def index(req, resp, *, params):
        resp.media = {"page": params.page}

    assert client.get("/books?page=2").json() == {"page": 2}


@pytest.mark.parametrize("location", ["header", "headers"])
def test_input_headers_match_alias_case_insensitively(app, client, lib, location):
    @app.route("/secure")
    @lib.input(lib.Headers, location=location)
    async def secure(req, resp, **kwargs):
        resp.media = {"key": kwargs[location]["x_api_key"]}

    r = client.get("/secure", headers={"x-api-key": "s3cret"})
    assert r.json() == {"key": "s3cret"}


def test_input_headers_missing_reports_wire_name(app, client, lib):
    @app.route("/secure")
    @lib.input(lib.Headers, location="headers")
    async def secure(req, resp, *, headers):
        resp.media = {}

    r = client.get("/secure")
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["X-API-Key"]


@pytest.mark.parametrize("location", ["cookie", "cookies"])
def test_input_cookies(app, client, lib, location):
    @app.route("/me")
    @lib.input(lib.Cookies, location=location)
    async def me(req, resp, **kwargs):
        resp.media = {"sid": kwargs[location].session_id}

    r = client.get("/me", headers={"cookie": "session_id=abc; other=1"})
    assert r.json() == {"sid": "abc"}


def test_input_custom_key(app, client, lib):
    @app.route("/books", methods=["POST"])
    @lib.input(lib.Book, key="book")
    async def create(req, resp, *, book):
        resp.media = {"title": book.title}

    assert client.post("/books", json={"title": "T", "price": 1}).json() == {"title": "T"}


def test_input_stacked_locations(app, client, lib):
    @app.route("/secure-data", methods=["POST"])
    @lib.input(lib.Headers, location="headers")
    @lib.input(lib.Query, location="query", key="params")
    @lib.input(lib.Book)
    async def view(req, resp, *, headers, params, data):
        resp.media = {"key": headers.x_api_key, "page": params.page, "title": data.title}

    r = client.post(
        "/secure-data?page=4", json={"title": "T", "price": 1}, headers={"X-API-Key": "k"}
    )
    assert r.json() == {"key": "k", "page": 4, "title": "T"}


def test_input_nested_data_allows_attribute_access(app, client, lib):
    @app.route("/books", methods=["POST"])
    @lib.input(lib.BookWithAuthor)
    async def create(req, resp, *, data):
        resp.media = {"author": data.author.name}

    r = client.post("/books", json={"title": "T", "author": {"name": "Frank"}})
    assert r.json() == {"author": "Frank"}


def test_input_unknown_location_fails_at_decoration(lib):
    with pytest.raises(ValueError, match="Unknown @input location 'body'"):
        lib.input(lib.Book, location="body")


def test_input_view_without_the_keyword_fails_at_decoration(lib):
    with pytest.raises(TypeError, match="does not accept the keyword 'data'"):

        @lib.input(lib.Book)
        async def view(req, resp):
            pass


def test_input_same_key_twice_fails_at_decoration(lib):
    with pytest.raises(ValueError, match="Two @input decorators inject 'data'"):

        @lib.input(lib.Book)
        @lib.input(lib.Book)
        async def view(req, resp, *, data):
            pass


def test_input_rejects_a_schema_of_the_other_kind(lib):
    with pytest.raises(TypeError, match="Expected a"):
        lib.input(dict)


# -- @input: bad input ------------------------------------------------------------------


def _book_route(app, lib, ran):
    @app.route("/books", methods=["POST"])
    @lib.input(lib.Book)
    async def create(req, resp, *, data):
        ran.append(data)
        resp.media = {"ok": True}


def test_input_wrong_type_is_400_and_view_skipped(app, client, lib):
    ran = []
    _book_route(app, lib, ran)
    r = client.post("/books", json={"title": "T", "price": "cheap"})
    assert r.status_code == 400
    assert list(r.json()) == ["errors"]
    assert list(r.json()["errors"]) == ["price"]
    assert all(isinstance(m, str) for m in r.json()["errors"]["price"])
    assert ran == []


def test_input_constraint_violation_is_400(app, client, lib):
    _book_route(app, lib, [])
    r = client.post("/books", json={"title": "T", "price": -1})
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["price"]


def test_input_missing_required_field_is_400(app, client, lib):
    _book_route(app, lib, [])
    r = client.post("/books", json={"price": 1})
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["title"]


def test_input_unknown_field_follows_the_library(app, client, lib):
    _book_route(app, lib, [])
    r = client.post("/books", json={"title": "T", "price": 1, "isbn": "x"})
    # pydantic and msgspec ignore extra fields by default; marshmallow raises on unknown fields.
    if lib.name != "marshmallow":
        assert r.status_code == 200
    else:
        assert r.status_code == 400
        assert list(r.json()["errors"]) == ["isbn"]


def test_input_nested_error_has_dotted_path(app, client, lib):
    @app.route("/books", methods=["POST"])
    @lib.input(lib.BookWithAuthor)
    async def create(req, resp, *, data):
        resp.media = {}

    r = client.post("/books", json={"title": "T", "author": {"name": 5}})
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["author.name"]


def test_input_list_item_error_has_index_in_path(app, client, lib):
    @app.route("/books")
    @lib.input(lib.Query, location="query")
    async def index(req, resp, *, query):
        resp.media = {}

    r = client.get("/books?page=x")
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["page"]


def test_input_non_object_body_is_schema_error(app, client, lib):
    _book_route(app, lib, [])
    r = client.post("/books", json=[1, 2])
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["_schema"]


@pytest.mark.parametrize("body", [b"{bad", b"", b"\xff\xfe", b'{"title": "T", "price": 1'])
def test_input_invalid_json_is_400_in_errors_shape(app, client, lib, body):
    ran = []
    _book_route(app, lib, ran)
    r = client.post("/books", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["_schema"]
    assert ran == []


def test_input_unsupported_media_type_is_415(app, client, lib):
    _book_route(app, lib, [])
    r = client.post("/books", content=b"<book/>", headers={"content-type": "application/xml"})
    assert r.status_code == 415


def test_input_body_without_content_type_is_415(app, client, lib):
    # A cross-site fetch can send such a body without a preflight: it is not JSON.
    ran = []
    _book_route(app, lib, ran)
    r = client.post("/books", content=b'{"title": "T", "price": 1}')
    assert r.status_code == 415
    assert ran == []


def test_input_empty_body_without_content_type_is_400_in_errors_shape(app, client, lib):
    ran = []
    _book_route(app, lib, ran)
    r = client.post("/books", content=b"")
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["_schema"]
    assert ran == []


def test_input_body_past_the_app_limit_is_413(tmp_path, monkeypatch, lib):
    import dyne

    monkeypatch.chdir(tmp_path)
    app = dyne.App(max_body_size=100)
    _book_route(app, lib, [])
    r = app.client.post("/books", json={"title": "T" * 200, "price": 1})
    assert r.status_code == 413


# -- views of every shape -----------------------------------------------------------------


def test_input_sync_view_runs_in_thread_pool(app, client, lib):
    @app.route("/books", methods=["POST"])
    @lib.input(lib.Book)
    def create(req, resp, *, data):
        resp.media = {"main": threading.current_thread() is threading.main_thread()}

    assert client.post("/books", json={"title": "T", "price": 1}).json() == {"main": False}


def test_input_and_output_on_class_view_methods(app, client, lib):
    @app.route("/books/{id:int}")
    class BookView:
        @lib.output(lib.BookOut)
        def on_get(self, req, resp, *, id):
            resp.obj = {"id": id, "title": "T", "price": 2.0, "secret": 1}

        @lib.input(lib.Book)
        async def on_put(self, req, resp, *, id, data):
            resp.media = {"id": id, "title": data.title}

    assert client.get("/books/3").json() == {"id": 3, "title": "T", "price": 2.0}
    assert client.put("/books/3", json={"title": "U", "price": 1}).json() == {"id": 3, "title": "U"}
    assert client.put("/books/3", json={"title": "U"}).status_code == 400


@pytest.mark.parametrize("order", ["webhook-input-output-expect", "expect-output-input-webhook"])
def test_decorator_order_does_not_matter(app, client, lib, order):
    decorators = {
        "webhook": lib.webhook,
        "input": lib.input(lib.Book),
        "output": lib.output(lib.BookOut, status_code=201),
        "expect": lib.expect({404: "Book not found"}),
    }

    async def update(req, resp, id, *, data):
        resp.obj = {"id": id, "title": data.title, "price": data.price}

    view = update
    for name in reversed(order.split("-")):
        view = decorators[name](view)
    app.route("/books/{id:int}", methods=["PATCH"])(view)

    r = client.patch("/books/7", json={"title": "T", "price": 2})
    assert (r.status_code, r.json()) == (201, {"id": 7, "title": "T", "price": 2.0})
    assert client.patch("/books/7", json={"price": 2}).status_code == 400
    meta = _meta.meta_of(view)
    assert set(meta) == {"inputs", "output", "expect", "webhook"}
    assert meta["webhook"].name == "update"


def test_wrapper_keeps_the_view_name_and_doc(lib):
    @lib.output(lib.BookOut)
    @lib.input(lib.Book)
    async def create_book(req, resp, *, data):
        """Create a book."""

    assert create_book.__name__ == "create_book"
    assert create_book.__doc__ == "Create a book."


def test_stacked_inputs_and_output_merge_into_one_wrapper(lib):
    async def view(req, resp, *, data, query):
        pass

    wrapped = lib.output(lib.BookOut)(lib.input(lib.Query, "query")(lib.input(lib.Book)(view)))
    assert wrapped.__wrapped__.__wrapped__.__wrapped__ is view
    assert sorted(spec.location for spec in _meta.meta_of(wrapped)["inputs"]) == ["media", "query"]


def test_foreign_wrapper_between_io_decorators_still_runs(app, client, lib):
    import functools

    calls = []

    def traced(func):
        @functools.wraps(func)
        async def wrapper(*args, **kwargs):
            calls.append(sorted(kwargs))
            return await func(*args, **kwargs)

        return wrapper

    @app.route("/books", methods=["POST"])
    @lib.output(lib.BookOut)
    @traced
    @lib.input(lib.Book)
    async def create(req, resp, *, data):
        resp.obj = {"id": 1, "title": data.title, "price": data.price}

    assert client.post("/books", json={"title": "T", "price": 1}).json()["id"] == 1
    assert calls == [[]]


# -- @output ------------------------------------------------------------------------------


def test_output_serializes_dict_through_schema(app, client, lib):
    @app.route("/book")
    @lib.output(lib.BookOut)
    async def show(req, resp):
        resp.obj = {"id": 1, "title": "T", "price": 2.5, "password": "x"}

    r = client.get("/book")
    assert (r.status_code, r.json()) == (200, {"id": 1, "title": "T", "price": 2.5})


class _Row:
    """An ORM-like object: attributes, and a ``count`` column that is not a list count."""

    def __init__(self, id, title="T", price=1.0, count=3):
        self.id, self.title, self.price, self.count = id, title, price, count


def test_output_serializes_object_attributes(app, client, lib):
    @app.route("/book")
    @lib.output(lib.BookOut)
    async def show(req, resp):
        resp.obj = _Row(1)

    assert client.get("/book").json() == {"id": 1, "title": "T", "price": 1.0}


def test_output_object_with_count_attribute_is_one_object(app, client, lib):
    class Counted(_Row):
        def __len__(self):
            return 2

    @app.route("/book")
    @lib.output(lib.BookOut)
    async def show(req, resp):
        resp.obj = Counted(5)

    assert client.get("/book").json() == {"id": 5, "title": "T", "price": 1.0}


def test_output_list_is_serialized_item_by_item(app, client, lib):
    @app.route("/books")
    @lib.output(lib.BookOut)
    async def index(req, resp):
        resp.obj = [_Row(1), {"id": 2, "title": "U", "price": 3}]

    assert client.get("/books").json() == [
        {"id": 1, "title": "T", "price": 1.0},
        {"id": 2, "title": "U", "price": 3.0},
    ]


def test_output_empty_list(app, client, lib):
    @app.route("/books")
    @lib.output(lib.BookOut)
    async def index(req, resp):
        resp.obj = []

    assert client.get("/books").json() == []


def test_output_generator_is_a_collection(app, client, lib):
    @app.route("/books")
    @lib.output(lib.BookOut)
    async def index(req, resp):
        resp.obj = (_Row(i) for i in range(2))

    assert [b["id"] for b in client.get("/books").json()] == [0, 1]


def test_output_async_iterator_is_a_collection(app, client, lib):
    async def rows():
        for i in range(3):
            yield _Row(i)

    @app.route("/books")
    @lib.output(lib.BookOut)
    async def index(req, resp):
        resp.obj = rows()

    assert [b["id"] for b in client.get("/books").json()] == [0, 1, 2]


def test_output_sqlalchemy_scalar_result_is_a_collection(app, client, lib):
    sa = pytest.importorskip("sqlalchemy")
    from sqlalchemy.orm import Session, declarative_base

    Base = declarative_base()

    class Book(Base):
        __tablename__ = "books"
        id = sa.Column(sa.Integer, primary_key=True)
        title = sa.Column(sa.String)
        price = sa.Column(sa.Float)
        count = sa.Column(sa.Integer, default=0)

    # The test client serves from another thread: one shared connection, usable there.
    engine = sa.create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=sa.pool.StaticPool
    )
    Base.metadata.create_all(engine)
    session = Session(engine)
    session.add_all([Book(id=1, title="A", price=1, count=9), Book(id=2, title="B", price=2)])
    session.commit()

    @app.route("/books")
    @lib.output(lib.BookOut)
    async def index(req, resp):
        resp.obj = session.scalars(sa.select(Book).order_by(Book.id))

    @app.route("/one")
    @lib.output(lib.BookOut)
    async def one(req, resp):
        resp.obj = session.get(Book, 1)

    try:
        assert [b["id"] for b in client.get("/books").json()] == [1, 2]
        assert client.get("/one").json() == {"id": 1, "title": "A", "price": 1.0}
    finally:
        session.close()
        engine.dispose()


def test_output_status_code(app, client, lib):
    @app.route("/books", methods=["POST"])
    @lib.output(lib.BookOut, status_code=201)
    async def create(req, resp):
        resp.obj = _Row(1)

    assert client.post("/books").status_code == 201


def test_output_status_set_by_view_wins(app, client, lib):
    @app.route("/books", methods=["POST"])
    @lib.output(lib.BookOut, status_code=201)
    async def create(req, resp):
        resp.obj = _Row(1)
        resp.status_code = 202

    assert client.post("/books").status_code == 202


def test_output_returned_object_is_serialized(app, client, lib):
    @app.route("/book")
    @lib.output(lib.BookOut)
    async def show(req, resp):
        return _Row(4)

    assert client.get("/book").json()["id"] == 4


def test_output_without_obj_leaves_response_alone(app, client, lib):
    @app.route("/book")
    @lib.output(lib.BookOut)
    async def show(req, resp):
        resp.text = "plain"

    r = client.get("/book")
    assert (r.status_code, r.text) == (200, "plain")


def test_output_sync_view_runs_in_thread_pool(app, client, lib):
    seen = []

    @app.route("/book")
    @lib.output(lib.BookOut)
    def show(req, resp):
        seen.append(threading.current_thread() is threading.main_thread())
        resp.obj = _Row(1)

    assert client.get("/book").json()["id"] == 1
    assert seen == [False]


def test_output_object_that_does_not_fit_is_500_and_logged(app, client, lib, caplog):
    @app.route("/book")
    @lib.output(lib.BookOut)
    async def show(req, resp):
        resp.obj = {"id": "not a number", "title": "T", "price": 1}

    with caplog.at_level(logging.ERROR, logger="dyne"):
        r = client.get("/book")
    assert r.status_code == 500
    assert "not a number" not in r.text
    assert "does not fit the @output schema" in caplog.text


def test_output_yaml_when_asked(app, client, lib):
    @app.route("/book")
    @lib.output(lib.BookOut)
    async def show(req, resp):
        resp.obj = _Row(1)

    r = client.get("/book", headers={"accept": "application/x-yaml"})
    assert "title: T" in r.text


def test_output_header_schema_checks_response_headers(app, client, lib):
    @app.route("/ok")
    @lib.output(lib.BookOut, header=lib.Headers)
    async def ok(req, resp):
        resp.headers["X-API-Key"] = "k"
        resp.obj = _Row(1)

    @app.route("/missing")
    @lib.output(lib.BookOut, headers=lib.Headers)
    async def missing(req, resp):
        resp.obj = _Row(1)

    assert client.get("/ok").status_code == 200
    assert client.get("/missing").status_code == 500


def test_output_twice_fails_at_decoration(lib):
    with pytest.raises(ValueError, match="only one @output"):

        @lib.output(lib.BookOut)
        @lib.output(lib.BookOut)
        async def view(req, resp):
            pass


# -- metadata -----------------------------------------------------------------------------


def test_metadata_inputs_spec(lib):
    @lib.input(lib.Headers, location="headers")
    @lib.input(lib.Book)
    async def view(req, resp, *, data, headers):
        pass

    inputs = _meta.meta_of(view)["inputs"]
    assert all(isinstance(spec, InputSpec) for spec in inputs)
    assert sorted((s.location, s.key) for s in inputs) == [("header", "headers"), ("media", "data")]
    assert all(s.adapter.name and s.adapter.many is False for s in inputs)


def test_metadata_output_spec(lib):
    @lib.output(lib.BookOut, status_code=201, header=lib.Headers, description="Created")
    async def view(req, resp):
        pass

    spec = _meta.meta_of(view)["output"]
    assert isinstance(spec, OutputSpec)
    assert (spec.status_code, spec.description) == (201, "Created")
    assert spec.headers.parameters("header")[0]["name"] == "X-API-Key"


def test_expect_description_only(lib):
    @lib.expect({401: "Invalid access or refresh token", 403: "Insufficient permissions"})
    async def view(req, resp):
        pass

    expect = _meta.meta_of(view)["expect"]
    assert expect == {
        401: ExpectSpec(None, "Invalid access or refresh token"),
        403: ExpectSpec(None, "Insufficient permissions"),
    }


def test_expect_schema_only(lib):
    @lib.expect({401: lib.Book})
    async def view(req, resp):
        pass

    spec = _meta.meta_of(view)["expect"][401]
    assert spec.description is None
    assert spec.adapter.json_schema("#/c/")[0]["properties"].keys() >= {"title", "price"}


def test_expect_schema_and_description(lib):
    @lib.expect({404: (lib.Book, "Book not found")})
    async def view(req, resp):
        pass

    spec = _meta.meta_of(view)["expect"][404]
    assert spec.description == "Book not found"
    assert spec.adapter is not None


def test_expect_has_no_runtime_effect(app, client, lib):
    @app.route("/x")
    @lib.expect({403: "Forbidden", 404: lib.Book})
    async def view(req, resp):
        resp.text = "fine"

    r = client.get("/x")
    assert (r.status_code, r.text) == (200, "fine")


def test_expect_bad_entry_fails_at_decoration(lib):
    with pytest.raises(TypeError, match="status codes"):
        lib.expect({"teapot": "x"})
    with pytest.raises(TypeError, match=r"\(schema, description\)"):
        lib.expect({404: (lib.Book,)})


def test_webhook_without_parentheses_uses_function_name(lib):
    @lib.webhook
    async def handle_event(req, resp):
        pass

    assert _meta.meta_of(handle_event)["webhook"] == WebhookSpec("handle_event")


def test_webhook_with_name(app, client, lib):
    @app.route("/transaction", methods=["POST"])
    @lib.webhook(name="transaction_callback")
    async def process_payment(req, resp):
        resp.text = "ok"

    assert _meta.meta_of(process_payment)["webhook"].name == "transaction_callback"
    assert client.post("/transaction").text == "ok"


def test_input_errors_reach_the_apps_400_handler(app, client, lib):
    @app.error_handler(400)
    async def bad_request(req, resp, exc):
        resp.status_code = 422
        resp.media = {"problems": exc.media["errors"]}

    _book_route(app, lib, [])
    r = client.post("/books", json={"title": "T", "price": "cheap"})
    assert r.status_code == 422
    assert list(r.json()["problems"]) == ["price"]
