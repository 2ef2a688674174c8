"""The tour's samples for Alchemical, CRUDMixin and @db.transaction, run as written.

Adapted only where the tour slips (each marked ``# tour:``): missing imports, and
``req.media()`` called without ``await`` in the transaction samples.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Column, Float, Integer, String  # tour: imports the samples leave out
from sqlalchemy.orm import Mapped, mapped_column

from dyne import App
from dyne.exceptions import abort  # tour: create_user uses abort without importing it
from dyne.ext.db.alchemical import Alchemical, CRUDMixin, Model


def test_tour_env_file_configures_extension(tmp_path, monkeypatch, database):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        'ALCHEMICAL_DATABASE_URL="sqlite:///app.db"\nALCHEMICAL_AUTOCOMMIT=true\n'
    )
    app = App()
    db = Alchemical(app)
    assert app.state.db is db
    assert db.autocommit is True


def test_tour_users_list_and_create(app, database):
    db = Alchemical(app)

    class User(Model):
        id: Mapped[int] = mapped_column(primary_key=True)
        username: Mapped[str] = mapped_column(String(64), unique=True)

    @app.on_event("startup")
    async def create_tables():
        await db.create_all()

    @app.route("/users")
    async def list_users(req, resp):
        session = await req.db
        result = await session.execute(User.select())
        users = result.scalars().all()
        resp.media = [{"id": u.id, "username": u.username} for u in users]

    @app.route("/users", methods=["POST"])
    async def create_user(req, resp):
        data = await req.media()
        if "username" not in data:
            abort(400, "username required")
        user = User(username=data["username"])
        session = await req.db
        session.add(user)
        await session.commit()  # Or not at all if auto commit is True
        resp.status_code = 201
        resp.media = {"message": "User created"}

    client = app.client
    assert client.post("/users", json={}).status_code == 400
    response = client.post("/users", json={"username": "dyne"})
    assert (response.status_code, response.json()) == (201, {"message": "User created"})
    assert client.get("/users").json() == [{"id": 1, "username": "dyne"}]


def test_tour_binds_config_routes_event_model(app, database, tmp_path):
    # tour: "postgresql+asyncpg://..." is a placeholder; a real URL of this run is used.
    analytics = f"sqlite:///{tmp_path / 'analytics.db'}"
    ALCHEMICAL_BINDS = {"analytics": analytics if database.kind == "sqlite" else database.url}
    app.config["ALCHEMICAL_BINDS"] = ALCHEMICAL_BINDS
    db = Alchemical(app)

    class Event(Model):
        __bind_key__ = "analytics"
        id: Mapped[int] = mapped_column(primary_key=True)

    @app.on_event("startup")
    async def create_tables():
        await db.create_all()

    @app.route("/events", methods=["POST"])
    async def add(req, resp):
        session = await req.db
        session.add(Event())
        await session.commit()
        resp.media = len((await session.scalars(Event.select())).all())

    assert app.client.post("/events").json() == 1
    assert set(db.bind_names()) == {"analytics"}


@pytest.fixture
def crud_users(app, database):
    db = Alchemical(app)

    class User(CRUDMixin, Model):
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column()

    @app.on_event("startup")
    async def create_tables():
        await db.create_all()

    return db, User


def test_tour_crud_create_user(app, crud_users):
    _, User = crud_users

    @app.route("/users", methods=["POST"])
    async def create_user(req, resp):
        session = await req.db
        user = await User.create(name="Dyne User")
        await session.commit()
        resp.media = {"id": user.id}

    assert app.client.post("/users").json() == {"id": 1}


def test_tour_crud_promote_user(app, crud_users):
    _, User = crud_users

    @app.route("/users", methods=["POST"])
    async def create_user(req, resp):
        session = await req.db
        user = await User.create(name="Dyne User")
        await session.commit()
        resp.media = {"id": user.id}

    @app.route("/user/{id}/promote", methods=["POST"])
    async def promote_user(req, resp, id):
        await req.db
        user = await User.find(id=int(id))
        if not user:
            resp.status_code = 404
            return
        await user.patch(role="admin")
        resp.media = {"status": "promoted"}

    client = app.client
    user_id = client.post("/users").json()["id"]
    assert client.post(f"/user/{user_id}/promote").json() == {"status": "promoted"}
    assert client.post("/user/999/promote").status_code == 404


def test_tour_crud_instance_and_class_methods(app, crud_users):
    _, User = crud_users

    @app.route("/walkthrough", methods=["POST"])
    async def walkthrough(req, resp):
        await req.db
        user = User(name="Dyne")
        saved = await user.save()
        await user.patch(name="Updated Name", role="admin")
        other = await User.create(name="New User")
        users = await User.all()
        found = await User.find(name="Updated Name")
        await other.destroy()
        resp.media = {
            "saved": saved is user,
            "names": sorted(u.name for u in users),
            "found": found is user,
            "left": [u.name for u in await User.all()],
        }

    assert app.client.post("/walkthrough").json() == {
        "saved": True,
        "names": ["New User", "Updated Name"],
        "found": True,
        "left": ["Updated Name"],
    }


def test_tour_crud_without_session_error_message(app, crud_users):
    _, User = crud_users

    @app.route("/")
    async def view(req, resp):
        try:
            await User.all()
        except RuntimeError as error:
            resp.text = f"RuntimeError: {error}"

    assert (
        app.client.get("/").text
        == "RuntimeError: No active database session. Did you await req.db?"
    )


@pytest.fixture
def books(app, database):
    class Config:
        ALCHEMICAL_DATABASE_URL = "sqlite:///app.db"

    app.config.from_object(Config)
    db = Alchemical(app)

    @app.on_event("startup")
    async def setup_db():
        await db.create_all()

    class Book(CRUDMixin, Model):
        __tablename__ = "books"
        id = Column(Integer, primary_key=True)
        price = Column(Float)
        title = Column(String)

    return db, Book


def _book_routes(app, db, Book, transactional):
    if transactional:

        @app.route("/create", methods=["POST"])
        @db.transaction
        async def create(req, resp):
            """Create book"""
            data = await req.media()  # tour: req.media() is a coroutine
            book = await Book.create(**data)
            resp.media = {"id": book.id, "title": book.title, "price": book.price}

        @app.route("/update-price/{id}", methods=["PATCH"])
        @db.transaction
        async def update_book_price(req, resp, id):
            """Update book price."""
            data = await req.media()  # tour: req.media() is a coroutine
            book = await Book.get(id)
            if not book:
                abort(404)
            await book.patch(**data)
            resp.status_code = 201
            resp.media = {"id": book.id, "title": book.title, "price": book.price}

    else:

        @app.route("/create", methods=["POST"])
        async def create(req, resp):
            """Create book"""
            data = await req.media()  # tour: req.media() is a coroutine
            session = await req.db
            book = await Book.create(**data)
            await session.commit()
            resp.media = {"id": book.id, "title": book.title, "price": book.price}

        @app.route("/update-price/{id}", methods=["PATCH"])
        async def update_book_price(req, resp, id):
            """Update book price."""
            data = await req.media()  # tour: req.media() is a coroutine
            session = await req.db
            book = await Book.get(id)
            if not book:
                abort(404)
            await book.modify(**data)
            await session.commit()
            resp.status_code = 201
            resp.media = {"id": book.id, "title": book.title, "price": book.price}

    @app.route("/books/{id}")
    async def show(req, resp, id):
        await req.db
        book = await Book.get(id)
        resp.media = {"title": book.title, "price": book.price}


@pytest.mark.parametrize("transactional", [False, True], ids=["manual", "decorator"])
def test_tour_transaction_create_and_update(app, books, transactional):
    db, Book = books
    _book_routes(app, db, Book, transactional)
    client = app.client
    created = client.post("/create", json={"title": "Dyne", "price": 9.5}).json()
    assert created == {"id": 1, "title": "Dyne", "price": 9.5}
    response = client.patch(
        "/update-price/1",
        content=json.dumps({"price": 12.0}),
        headers={"content-type": "application/json"},
    )
    assert (response.status_code, response.json()["price"]) == (201, 12.0)
    assert client.patch("/update-price/404", json={"price": 1}).status_code == 404
    assert client.get("/books/1").json() == {"title": "Dyne", "price": 12.0}
