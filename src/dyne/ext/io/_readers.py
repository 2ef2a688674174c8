"""Reading each ``@input`` location (body, form, query, headers, cookies) into plain data
for a schema adapter, decided once per decorator."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.datastructures import FormData, UploadFile

from dyne.formats import decode_json, is_json, json_body_is_plain
from dyne.request import Request

from .files import File

__all__ = ["FORM_TYPES", "MAX_ERROR_FIELDS", "Invalid", "Reader", "make_reader"]

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})

Reader = Callable[[Request], Awaitable[Any]]

#: The most fields a 400's ``errors`` names; the rest are counted in ``_schema``. A body
#: of a million wrong list items would otherwise get a million-entry answer (a 4 MB body
#: made an 85 MB response and a gigabyte of memory).
MAX_ERROR_FIELDS = 100


class Invalid(Exception):
    """A location failed validation; carries the flattened messages (at most
    :data:`MAX_ERROR_FIELDS` fields of them)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        errors = _capped(errors)
        super().__init__(errors)
        self.errors = errors


def _capped(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    if len(errors) <= MAX_ERROR_FIELDS:
        return errors
    kept = dict(list(errors.items())[:MAX_ERROR_FIELDS])
    note = f"More fields have errors; only the first {MAX_ERROR_FIELDS} are listed."
    kept.setdefault("_schema", []).append(note)
    return kept


def _form_to_dict(form: FormData, multi: Mapping[str, bool]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in form:
        values = [_form_value(value) for value in form.getlist(name)]
        values = [value for value in values if value is not None]
        if not values:
            continue
        data[name] = values if multi.get(name) else values[-1]
    return data


def _form_value(value: Any) -> Any:
    if isinstance(value, UploadFile):
        # Browsers send an unnamed, empty part for a file input left blank: that is no file.
        if not value.filename and not value.size:
            return None
        return File(value)
    return value


def _multidict_to_dict(values: Any, multi: Mapping[str, bool]) -> dict[str, Any]:
    return {name: values.getlist(name) if multi.get(name) else values[name] for name in values}


def make_reader(adapter: Any, location: str) -> Reader:
    """A coroutine function that reads ``location`` from a request and validates it with
    ``adapter``, raising :class:`Invalid` with the messages when it does not fit."""
    load = adapter.load
    multi = adapter.wire_fields()
    error_types = adapter.error_types

    def validated(data: Any) -> Any:
        try:
            return load(data)
        except error_types as exc:
            raise Invalid(adapter.errors(exc)) from None

    if location == "media":
        load_json = getattr(adapter, "load_json", None)
        # Decided once: a parser that refuses deep nesting and lone surrogates itself
        # needs no scan of every body before it.
        check_limits = not getattr(adapter, "json_limits_checked", False)

        async def read_media(req: Request) -> Any:
            mimetype = req.mimetype
            if mimetype in FORM_TYPES:
                return validated(_form_to_dict(await req.form(), multi))
            # No Content-Type is not JSON: req.media() answers it (415, or 400 when empty),
            # so a cross-site request cannot slip a JSON body past CORS as text/plain-like.
            if load_json is not None and (mimetype == "application/json" or is_json(mimetype)):
                body = await req.content
                if check_limits and not json_body_is_plain(body):
                    # A library's own parser may read what the core refuses (msgspec goes
                    # ~1,000 levels deep; lone surrogates that no response can encode):
                    # the core's decoder decides, as for every other body.
                    decode_json(body)
                try:
                    return load_json(body)
                except error_types as exc:
                    raise Invalid(adapter.errors(exc)) from None
            return validated(await req.media())

        return read_media

    if location == "form":

        async def read_form(req: Request) -> Any:
            return validated(_form_to_dict(await req.form(), multi))

        return read_form

    if location == "query":

        async def read_query(req: Request) -> Any:
            return validated(_multidict_to_dict(req.params, multi))

        return read_query

    # Headers and cookies carry much besides the schema's fields: only its fields are
    # passed on, so a strict schema does not reject the User-Agent.
    if location == "header":
        names: dict[str, str] = {}
        for wire in multi:
            names[wire.lower()] = wire
            names.setdefault(wire.lower().replace("_", "-"), wire)

        async def read_headers(req: Request) -> Any:
            data: dict[str, Any] = {}
            spelling: dict[str, str] = {}
            for name, value in req.headers.items():
                lowered = name.lower()
                wire = names.get(lowered)
                if wire is None:
                    continue
                # x_user and x-user both fill the field x_user. Sent both ways, one is
                # likely a client's forgery of a header a proxy set (proxies rarely strip
                # the underscore spelling): refuse rather than let either win.
                if spelling.setdefault(wire, lowered) != lowered:
                    raise Invalid(
                        {
                            wire: [
                                f"The header was sent both as {spelling[wire]!r} and as "
                                f"{lowered!r}; send it once."
                            ]
                        }
                    )
                if multi[wire]:
                    data.setdefault(wire, []).append(value)
                else:
                    data[wire] = value
            return validated(data)

        return read_headers

    async def read_cookies(req: Request) -> Any:
        cookies = req.cookies
        return validated({wire: cookies[wire] for wire in multi if wire in cookies})

    return read_cookies
