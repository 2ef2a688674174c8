"""Errors raised by Dyne: HTTP errors for clients, and missing optional dependencies."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, NoReturn

__all__ = ["HTTPException", "MissingDependency", "abort"]


class HTTPException(Exception):
    """An HTTP error answered to the client with ``status_code`` and an optional ``detail``.

    Without an error handler for it, the answer is ``detail`` as text, or ``media`` as
    JSON when given (validation errors carry ``{"errors": {...}}`` there).
    """

    def __init__(
        self,
        status_code: int,
        detail: str | None = None,
        headers: dict[str, str] | None = None,
        *,
        media: Any = None,
    ) -> None:
        try:
            phrase = HTTPStatus(status_code).phrase
        except ValueError:
            phrase = "Error"
        self.status_code = status_code
        self.detail = detail if detail is not None else phrase
        self.headers = headers
        self.media = media
        super().__init__(status_code, self.detail)

    def __str__(self) -> str:
        return f"{self.status_code}: {self.detail}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code!r}, detail={self.detail!r})"


def abort(
    status_code: int,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    *,
    media: Any = None,
) -> NoReturn:
    """Stop handling the request and answer with ``status_code`` (and ``detail``, or
    ``media`` as JSON) instead."""
    raise HTTPException(status_code, detail=detail, headers=headers, media=media)


class MissingDependency(ImportError):
    """An optional dependency is not installed; the message names the pip extra to install."""

    def __init__(self, package: str, extra: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(
            f"{package!r} is required for this feature but is not installed; "
            f'install it with: pip install "dyne[{extra}]"'
            # pip before 23.3 (the one a Python 3.12.1 venv brings) skips extras spelled
            # with '_': their metadata name is normalized to '-'.
            " (with pip 23.3 or newer: python -m pip install -U pip)",
            name=package,
        )
