"""Form parsing with limits: urlencoded through the standard library, multipart through
Starlette's streaming parser, with the checks that parser leaves out (a valid boundary,
the closing delimiter, no padding around the parts)."""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TYPE_CHECKING

from python_multipart.multipart import parse_options_header
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException, MultiPartParser

from dyne import formats
from dyne.exceptions import HTTPException

if TYPE_CHECKING:
    from dyne.request import Request

__all__ = ["MAX_PART_HEADERS", "MAX_PART_HEADER_SIZE", "parse_form"]

#: The most bytes of headers one multipart part may carry (names and values together).
MAX_PART_HEADER_SIZE = 16 * 1024
#: The most headers one multipart part may carry.
MAX_PART_HEADERS = 32

# RFC 2046 section 5.1.1: 1 to 70 characters from this set, not ending with a space.
_BOUNDARY = re.compile(rb"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
_EDGE = 256  # bytes kept from each end of the body to check its framing
_PADDING = 4  # CR/LF bytes tolerated before the first and after the last delimiter
_TOO_LARGE = ("Too many", "exceeded maximum size")


async def parse_form(req: Request) -> FormData:
    """Parse the request's form body, enforcing the app's limits (413) and framing (400)."""
    limits = req.app.limits
    mimetype = req.mimetype
    if mimetype == "application/x-www-form-urlencoded":
        body = await req.content
        # Every pair, as the multipart parser keeps them: a list field of @input reads all
        # of a repeated name's values (req.media() still lets the last one win).
        pairs = formats.decode_urlencoded_pairs(
            body, max_fields=limits.max_form_fields, max_field_size=limits.max_part_size
        )
        return FormData(list[tuple[str, str | UploadFile]](pairs))
    if mimetype != "multipart/form-data":
        raise HTTPException(
            415,
            f"Expected a form (multipart/form-data or application/x-www-form-urlencoded), "
            f"got {mimetype or 'no Content-Type'!r}.",
        )
    content_type = req.headers.get("content-type", "")
    boundary = _boundary_of(content_type)
    _check_charset(content_type)
    framing = _Framing()
    parser = _BoundedParser(
        req.headers,
        framing.watch(req.stream()),
        max_files=limits.max_form_files,
        max_fields=limits.max_form_fields,
        max_part_size=limits.max_part_size,
    )
    try:
        form = await parser.parse()
    except (MultiPartException, StarletteHTTPException) as exc:
        message = str(getattr(exc, "message", None) or getattr(exc, "detail", ""))
        status = 413 if any(marker in message for marker in _TOO_LARGE) else 400
        raise HTTPException(status, f"Malformed multipart body: {message}") from None
    if not framing.is_well_framed(boundary):
        await form.close()
        # A part cut off mid-file never reached the form: close its spooled file too.
        for spooled in getattr(parser, "_files_to_close_on_error", ()):
            spooled.close()
        raise HTTPException(
            400,
            "Malformed multipart body: it must start with the boundary and end with the "
            "closing delimiter; the body may be truncated.",
        )
    return form


class _BoundedParser(MultiPartParser):
    """Starlette's parser with bounds on each part's headers, which it leaves open (16 MiB
    of one header, grown by concatenation, or a million tiny headers, fit in a body)."""

    _header_bytes = 0
    _header_count = 0

    def on_part_begin(self) -> None:
        super().on_part_begin()
        self._header_bytes = 0
        self._header_count = 0

    def _count(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > MAX_PART_HEADER_SIZE:
            raise MultiPartException(
                f"Part headers exceeded maximum size of {MAX_PART_HEADER_SIZE} bytes."
            )

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._count(end - start)
        super().on_header_field(data, start, end)

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._count(end - start)
        super().on_header_value(data, start, end)

    def on_header_end(self) -> None:
        self._header_count += 1
        if self._header_count > MAX_PART_HEADERS:
            raise MultiPartException(
                f"Too many headers in one part. Maximum number is {MAX_PART_HEADERS}."
            )
        super().on_header_end()


def _boundary_of(content_type: str) -> bytes:
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary or not _BOUNDARY.fullmatch(boundary):
        raise HTTPException(
            400, "Malformed multipart body: the Content-Type has a missing or invalid boundary."
        )
    return boundary


def _check_charset(content_type: str) -> None:
    """Refuse a ``charset`` parameter that names no character set: Starlette decodes the
    part names, filenames and values with it, so an escape-expanding codec would turn
    ``..\\x2f`` into ``../`` behind a filter's back, and a malformed name is a 500 there."""
    _, options = parse_options_header(content_type)
    charset = options.get(b"charset")
    if charset is None:
        return
    name = charset.decode("latin-1")
    if formats.text_codec(name) is None:
        raise HTTPException(
            400,
            f"Malformed multipart body: the charset {name[:40]!r} is not supported; send UTF-8.",
        )


class _Framing:
    """Keeps the first and last bytes of a streamed body to check its delimiters."""

    def __init__(self) -> None:
        self.head = b""
        self.tail = b""

    async def watch(self, stream: AsyncIterator[bytes]) -> AsyncGenerator[bytes, None]:
        async for chunk in stream:
            if len(self.head) < _EDGE:
                self.head += chunk[: _EDGE - len(self.head)]
            self.tail = (self.tail + chunk)[-_EDGE:]
            yield chunk

    def is_well_framed(self, boundary: bytes) -> bool:
        head = self.head.lstrip(b"\r\n")
        tail = self.tail.rstrip(b"\r\n")
        return (
            len(self.head) - len(head) <= _PADDING
            and len(self.tail) - len(tail) <= _PADDING
            and head.startswith(b"--" + boundary)
            and tail.endswith(b"--" + boundary + b"--")
        )
