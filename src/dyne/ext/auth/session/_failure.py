"""Why ``login_required`` refused a request, and the default answer to it."""

from __future__ import annotations

from enum import StrEnum
from urllib.parse import quote, urlencode

from dyne.problems import Problem, problem_details_enabled
from dyne.request import Request
from dyne.response import Response

__all__ = ["AuthFailureReason", "default_failure", "wants_json"]


class AuthFailureReason(StrEnum):
    """The reason handed to ``on_failure`` handlers."""

    #: nobody is logged in
    UNAUTHENTICATED = "unauthenticated"
    #: the user is logged in but lacks the roles the route requires
    UNAUTHORIZED = "unauthorized"


def wants_json(req: Request) -> bool:
    """Whether the client asked for JSON rather than a page (an API call, not a browser)."""
    accept = req.headers.get("accept", "").lower()
    return "json" in accept and "text/html" not in accept


def _login_redirect(req: Request, login_url: str) -> str:
    scope = req.scope
    target = quote(scope["path"])
    query = scope.get("query_string", b"")
    if query:
        target += "?" + query.decode("latin-1")
    separator = "&" if "?" in login_url else "?"
    return f"{login_url}{separator}{urlencode({'next': target})}"


def default_failure(
    req: Request, resp: Response, reason: AuthFailureReason, login_url: str | None
) -> None:
    """Answer a refused request: redirect to the login page, 401 or 403.

    Anonymous browsers go to ``login_url?next=<path>`` (302 for GET/HEAD, 303 otherwise,
    so a refused POST is retried as a GET of the login page); clients asking for JSON, or
    any client when there is no ``login_url``, get 401. A user without the required
    roles gets 403.
    """
    if reason == AuthFailureReason.UNAUTHENTICATED:
        if login_url is not None and not wants_json(req):
            status = 302 if req.method in ("GET", "HEAD") else 303
            resp.redirect(_login_redirect(req, login_url), status_code=status)
            return
        resp.status_code = 401
        message = "Authentication required; log in and try again."
    else:
        resp.status_code = 403
        message = "You do not have the role this page requires."
    if problem_details_enabled(req.app):
        Problem(resp.status_code, message).render(resp)
        return
    if wants_json(req):
        resp.media = {"error": message}
    else:
        resp.text = message
