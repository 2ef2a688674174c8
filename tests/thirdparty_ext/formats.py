"""Newline-delimited JSON (``application/x-ndjson``): one JSON value per line."""

from __future__ import annotations

import json
from typing import Any

from dyne import App
from dyne.extension import BodyFormat, add_body_format


def _decode(body: bytes) -> list[Any]:
    return [json.loads(line) for line in body.decode("utf-8").splitlines() if line.strip()]


def _encode(value: Any) -> bytes:
    items = value if isinstance(value, list) else [value]
    return b"".join(json.dumps(item, separators=(",", ":")).encode() + b"\n" for item in items)


NDJSON = BodyFormat("ndjson", ("application/x-ndjson",), _decode, _encode)


def install_ndjson(app: App) -> None:
    """Let ``app`` read NDJSON bodies and answer ``Accept: application/x-ndjson``."""
    add_body_format(app, NDJSON)
