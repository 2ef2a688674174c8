"""Two body formats: newline-delimited JSON (``application/x-ndjson``, one JSON value per
line) and MessagePack (``application/msgpack``, through msgspec)."""

from __future__ import annotations

import json
import math
from typing import Any

from dyne import App
from dyne.extension import BodyFormat, add_body_format
from dyne.formats import json_default


def _decode(body: bytes) -> list[Any]:
    return [json.loads(line) for line in body.decode("utf-8").splitlines() if line.strip()]


def _encode(value: Any) -> bytes:
    items = value if isinstance(value, list) else [value]
    return b"".join(json.dumps(item, separators=(",", ":")).encode() + b"\n" for item in items)


NDJSON = BodyFormat("ndjson", ("application/x-ndjson",), _decode, _encode)


def install_ndjson(app: App) -> None:
    """Let ``app`` read NDJSON bodies and answer ``Accept: application/x-ndjson``."""
    add_body_format(app, NDJSON)


# -- MessagePack ---------------------------------------------------------------------------


def _decode_msgpack(body: bytes) -> Any:
    """A MessagePack body, read into the data a JSON body holds; anything else is a
    ``ValueError`` (a 400): malformed or truncated bytes, binary or extension values,
    keys that are not strings, numbers that are not finite, absurd nesting."""
    import msgspec

    try:
        value = msgspec.msgpack.decode(body)
    except msgspec.DecodeError as exc:
        raise ValueError(str(exc)) from None
    except RecursionError:
        raise ValueError("the document is nested too deeply") from None
    # Views read req.media() as they read JSON, and echo it into JSON responses: refuse
    # what JSON cannot carry here rather than fail later with a 500.
    _check_plain(value, "$")
    return value


def _check_plain(value: Any, path: str) -> None:
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return
    if kind is float:
        if not math.isfinite(value):
            raise ValueError(f"{value!r} at {path} is not a finite number")
        return
    if kind is list:
        for index, item in enumerate(value):
            _check_plain(item, f"{path}[{index}]")
        return
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise ValueError(f"a map key at {path} is a {type(key).__name__}, not a string")
            _check_plain(item, f"{path}.{key}")
        return
    raise ValueError(f"the {kind.__name__} value at {path} has no JSON equivalent")


def _encode_msgpack(value: Any) -> bytes:
    """``resp.media`` as MessagePack; values JSON responses convert (datetimes, UUIDs,
    decimals, enums, dataclasses) are converted the same way."""
    import msgspec

    return msgspec.msgpack.encode(value, enc_hook=json_default)


#: ``application/msgpack`` (and the older ``application/x-msgpack``); needs msgspec.
MSGPACK = BodyFormat(
    "msgpack", ("application/msgpack", "application/x-msgpack"), _decode_msgpack, _encode_msgpack
)


def install_msgpack(app: App) -> None:
    """Let ``app`` read MessagePack bodies and answer ``Accept: application/msgpack``."""
    add_body_format(app, MSGPACK)
