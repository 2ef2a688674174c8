"""An app in two modules: public routes on a ``books`` blueprint here, an admin area
guarded by one line in ``blueprints_admin.py``.

Run ``python examples/blueprints_app.py``, then try::

    curl http://127.0.0.1:5042/books/
    curl http://127.0.0.1:5042/admin/                                   # 401
    curl -H "Authorization: Bearer reader-token" http://127.0.0.1:5042/admin/       # 403
    curl -H "Authorization: Bearer admin-secret-token" http://127.0.0.1:5042/admin/
    curl -X DELETE -H "Authorization: Bearer admin-secret-token" http://127.0.0.1:5042/admin/books/2
"""

from blueprints_admin import admin

import dyne
from dyne import Blueprint, abort

BOOKS = {
    1: {"title": "Dune", "locked": False},
    2: {"title": "Solaris", "locked": False},
    3: {"title": "Foundation", "locked": True},
}

books = Blueprint("books", prefix="/books", tags=["books"])


@books.route("/")
async def index(req, resp):
    """Every book, with a link to each."""
    resp.media = [
        {"title": book["title"], "url": req.app.url_for("books.show", book_id=book_id)}
        for book_id, book in BOOKS.items()
    ]


@books.route("/{book_id:int}")
async def show(req, resp, *, book_id):
    """One book."""
    if book_id not in BOOKS:
        abort(404)
    resp.media = BOOKS[book_id]


app = dyne.App()
app.state.books = BOOKS
app.include(books)
app.include(admin)


@app.route("/")
async def home(req, resp):
    """Where to go from here."""
    resp.media = {"books": app.url_for(index), "admin": app.url_for("admin.dashboard")}


if __name__ == "__main__":
    app.run()
