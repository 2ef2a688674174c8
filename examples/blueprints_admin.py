"""The admin area of ``blueprints_app.py``: one blueprint, guarded once for every route.

Nothing here knows the app: the blueprint records its routes, and ``app.include(admin)``
in ``blueprints_app.py`` adds them, with the token guard, hook and error handler folded in.
"""

from dyne import Blueprint, abort
from dyne.ext.auth import TokenAuth, authenticate

# In reality: a database of API tokens.
TOKENS = {"admin-secret-token": "ada", "reader-token": "bob"}
ROLES = {"ada": ["admin"], "bob": ["reader"]}

token_auth = TokenAuth()


@token_auth.verify_token
def verify_token(token):
    """The user a token belongs to, or None."""
    return TOKENS.get(token)


@token_auth.get_user_roles
def user_roles(user):
    """The roles of ``user``."""
    return ROLES.get(user, [])


admin = Blueprint(
    "admin", prefix="/admin", tags=["admin"], guards=[authenticate(token_auth, role="admin")]
)

#: what the admin area changed, newest last
AUDIT: list[str] = []


class BookLocked(Exception):
    """The book cannot be changed right now."""


@admin.before_request()
def audit(req, resp):
    """Note every attempt on the admin area: blueprint hooks run for its routes only,
    after the app's hooks and before the guard, so refused requests are noted too."""
    AUDIT.append(f"{req.method} {req.url.path}")


@admin.error_handler(BookLocked)
async def locked(req, resp, exc):
    """A locked book is a 409 in the admin area."""
    resp.status_code = 409
    resp.media = {"error": str(exc)}


@admin.route("/")
async def dashboard(req, resp):
    """The admin's start page."""
    resp.media = {"admin": req.state.user, "actions": len(AUDIT)}


@admin.route("/books/{book_id:int}", methods=["DELETE"])
async def delete_book(req, resp, *, book_id):
    """Remove a book from the catalogue."""
    books = req.app.state.books
    if book_id not in books:
        abort(404)
    if books[book_id].get("locked"):
        raise BookLocked(f"book {book_id} is locked")
    del books[book_id]
    resp.status_code = 204
