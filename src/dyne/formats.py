"""Body codecs by name: decode request bodies and encode response media.

Every decoder turns malformed input into an :class:`~dyne.exceptions.HTTPException`
with a 4xx status: a client's mistake never becomes a 500.
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime
import decimal
import enum
import json
import math
import re
import sys
import uuid
from array import array
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import accumulate
from typing import Any
from urllib.parse import parse_qsl

import yaml

from dyne.exceptions import HTTPException
from dyne.headers import accepts

__all__ = [
    "JSON_TYPES",
    "MAX_NESTING",
    "MAX_YAML_SIZE",
    "YAML_TYPES",
    "BodyFormat",
    "decode_json",
    "decode_urlencoded",
    "decode_urlencoded_pairs",
    "decode_yaml",
    "encode_json",
    "encode_yaml",
    "is_json",
    "json_body_is_plain",
    "json_default",
    "parse_json",
    "preferred_format",
    "text_codec",
]

JSON_TYPES = frozenset({"application/json"})
YAML_TYPES = frozenset({"application/x-yaml", "application/yaml", "text/yaml"})
#: The deepest nesting of arrays/objects a decoded request body may have (pydantic's own
#: JSON parser stops at the same depth). Deeper bodies are a 400: the code that walks the
#: data afterwards (validation, the view) recurses, and Python's stack is about 1,000 deep.
MAX_NESTING = 200
#: The largest YAML request body decoded, in bytes (413 past it). PyYAML parses a few
#: hundred kilobytes a second at worst (``[1,1,1,...]``), so the app-wide body limit would
#: let one request keep a CPU busy for minutes; send JSON for larger documents.
MAX_YAML_SIZE = 256 * 1024


@dataclass(frozen=True, slots=True)
class BodyFormat:
    """A body format an app adds (``dyne.extension.add_body_format``): ``await
    req.media()`` decodes a body whose Content-Type is one of ``mimetypes`` (or
    ``req.media(format=name)``), and ``resp.media`` is encoded with it when the client's
    ``Accept`` names one of them. JSON stays the default.

    :param name: the format's name (``"msgpack"``), for ``req.media(format=...)``.
    :param mimetypes: the Content-Types it reads; the first is the one responses carry.
    :param decode: ``bytes -> value``; raise ``ValueError`` for a malformed body (a 400).
    :param encode: ``value -> bytes``, or None when the format is only read.
    """

    name: str
    mimetypes: tuple[str, ...]
    decode: Callable[[bytes], Any]
    encode: Callable[[Any], bytes] | None = None

    def read(self, body: bytes) -> Any:
        """Decode ``body``; a malformed one is a 400 naming the format."""
        try:
            value = self.decode(body)
        except (ValueError, TypeError) as exc:
            raise HTTPException(400, f"Malformed {self.name} body: {exc}.") from None
        except RecursionError:
            raise HTTPException(400, f"The {self.name} document is nested too deeply.") from None
        try:
            _check_nesting(value, self.name)
        except _Refused as exc:
            raise HTTPException(400, str(exc)) from None
        return value


#: Python codecs that are no character set: they expand escapes (``\\x3c`` → ``<``) or
#: shift-encode markup (UTF-7's ``+ADw-``), so text a filter in front of the app saw as
#: harmless would reach the view as something else. Browsers never send them.
_NOT_CHARSETS = frozenset(
    {"unicode-escape", "raw-unicode-escape", "utf-7", "punycode", "idna", "undefined"}
)


def text_codec(charset: str) -> str | None:
    """The Python codec for a ``charset`` parameter, or None when it names no character
    set (unknown, malformed, a bytes-to-bytes codec, or one that expands escapes)."""
    try:
        info = codecs.lookup(charset)
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        return None
    name: str = info.name
    if name in _NOT_CHARSETS or not getattr(info, "_is_text_encoding", True):
        return None
    return name


def preferred_format(accept: str, body_formats: Mapping[str, BodyFormat]) -> BodyFormat | None:
    """The added format (that can encode) the ``Accept`` header names, or None."""
    lowered = accept.lower()
    for body_format in body_formats.values():
        if body_format.encode is None:
            continue
        for mimetype in body_format.mimetypes:
            if mimetype in lowered and accepts(accept, mimetype):
                return body_format
    return None


def is_json(mimetype: str) -> bool:
    """Whether a Content-Type without parameters (``req.mimetype``) names a JSON body:
    ``application/json`` or any ``*/*+json``. No Content-Type is never JSON."""
    return mimetype in JSON_TYPES or mimetype.endswith("+json")


def json_default(value: Any) -> Any:
    """Turn common non-JSON values (datetimes, UUIDs, decimals, sets, enums, dataclasses)
    into JSON-compatible ones; anything else is a programming error (``TypeError``)."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_dumps = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=json_default
).encode


try:  # the C encoder json.dumps uses, called without JSONEncoder's per-call Python setup
    from _json import encode_basestring as _c_encode_string
    from _json import make_encoder as _c_make_encoder
except ImportError:  # pragma: no cover - an interpreter without the C accelerator
    _c_make_encoder = None  # type: ignore[misc,assignment]


def _new_encoder() -> Callable[[Any, int], Any]:
    """A C encoder with the options of ``_dumps`` and its own circular-reference table."""
    encoder: Callable[[Any, int], Any] = _c_make_encoder(
        {}, json_default, _c_encode_string, None, ":", ",", False, False, False
    )
    return encoder


#: Encoders not in use. Building one costs about as much as encoding a small document, so
#: they are reused: each call pops one (or builds one) and puts it back only after a
#: successful encoding, when its circular-reference table is empty again. A failed encoding
#: may leave entries in the table, so that encoder is dropped. ``list.pop``/``append`` are
#: atomic, so two threads never share an encoder, and a nested call (``json_default``
#: encoding on its own) simply takes another one.
_idle_encoders: list[Callable[[Any, int], Any]] = []


#: dict subclass → whether it reads its items as dict does (no own ``items``/``__iter__``),
#: so ``dict(value)`` holds exactly what the encoder would walk; decided once per class.
_PLAIN_DICT_TYPES: dict[type, bool] = {}


def _is_plain_dict_type(kind: type) -> bool:
    plain = (
        getattr(kind, "items", None) is dict.items
        and getattr(kind, "__iter__", None) is dict.__iter__
    )
    if len(_PLAIN_DICT_TYPES) < 256:  # classes made on the fly must not grow it forever
        _PLAIN_DICT_TYPES[kind] = plain
    return plain


def encode_json(value: Any) -> bytes:
    """Encode ``value`` as compact UTF-8 JSON."""
    if _c_make_encoder is None:  # pragma: no cover
        return _dumps(value).encode("utf-8")
    kind = type(value)
    if kind is not dict and isinstance(value, dict):
        plain = _PLAIN_DICT_TYPES.get(kind)
        if plain is None:
            plain = _is_plain_dict_type(kind)
        if plain:
            # The C encoder walks a dict subclass through a list of its items() tuples; a
            # copy into a dict (one C-level merge) is cheaper and encodes the same.
            value = dict(value)
    try:
        encoder = _idle_encoders.pop()
    except IndexError:
        encoder = _new_encoder()
    chunks = encoder(value, 0)
    _idle_encoders.append(encoder)
    return "".join(chunks).encode("utf-8")


def encode_yaml(value: Any) -> bytes:
    """Encode ``value`` as UTF-8 YAML (through JSON types, so both encodings agree)."""
    plain = json.loads(encode_json(value))
    return yaml.safe_dump(plain, allow_unicode=True, sort_keys=False).encode("utf-8")


class _Refused(ValueError):
    """What a body's grammar allows but no JSON response could carry back: ``NaN``,
    ``Infinity``, a number past the float range or the digit limit, nesting past
    :data:`MAX_NESTING`, a lone surrogate."""


def _refuse_constant(name: str) -> Any:
    raise _Refused(
        f"The request body contains {name}, which is not a JSON number; send a finite number."
    )


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(
            f"The number {text[:64]} in the request body is too large to be a JSON number; "
            "send a finite number."
        )
    return value


_loads = json.JSONDecoder(parse_float=_finite_float, parse_constant=_refuse_constant).decode


def _nesting_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests dicts/lists more than ``limit`` deep (an explicit stack,
    not recursion: the point is to refuse what recursion could not walk)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        depth += 1
        if depth > limit:
            return True
        for child in children:
            if isinstance(child, dict | list | tuple | set):
                stack.append((child, depth))
    return False


#: A JSON escape of a UTF-16 surrogate (``\\ud800``): alone, it decodes to no character.
# Whether a JSON text holds a lone surrogate escape, read from its bytes: once escaped
# backslashes (\\\\) are gone, every backslash left starts an escape; once the pairs (an
# emoji as ensure_ascii encoders write it) are gone, any surrogate escape left is alone.
_ANY_SURROGATE_ESCAPE = r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}"
_SURROGATE_PAIR_ESCAPE = r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"
_SURROGATE_ESCAPE = re.compile(_ANY_SURROGATE_ESCAPE.encode("ascii"))
_SURROGATE_PAIRS = re.compile(_SURROGATE_PAIR_ESCAPE.encode("ascii"))
_SURROGATE_ESCAPE_TEXT = re.compile(_ANY_SURROGATE_ESCAPE)
_SURROGATE_PAIRS_TEXT = re.compile(_SURROGATE_PAIR_ESCAPE)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_text_has_lone_surrogate(text: bytes | str) -> bool:
    if isinstance(text, bytes):
        unpaired = _SURROGATE_PAIRS.sub(b"", text.replace(b"\\\\", b""))
        return _SURROGATE_ESCAPE.search(unpaired) is not None
    unpaired_text = _SURROGATE_PAIRS_TEXT.sub("", text.replace("\\\\", ""))
    return _SURROGATE_ESCAPE_TEXT.search(unpaired_text) is not None


# A JSON text's nesting, read from its bytes without walking the decoded value: strings
# removed, "[" and "{" made +1, "]" and "}" -1, everything else deleted, then the highest
# running sum (C loops all along; a walk of a 15 MB body's values took a second).
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET_STEPS = (
    bytes.maketrans(b"[]{}", b"\x01\xff\x01\xff"),
    bytes(set(range(256)) - set(b"[]{}")),
)


def _json_text_nests_past(body: bytes, limit: int) -> bool:
    """Whether a valid JSON text nests arrays/objects more than ``limit`` deep."""
    steps = array("b", _JSON_STRING.sub(b"", body).translate(*_BRACKET_STEPS))
    return max(accumulate(steps), default=0) > limit


def _has_lone_surrogate(value: Any) -> bool:
    """Whether a string (or key) in ``value`` holds a lone surrogate: no UTF-8 can encode
    it, so the response, a log line or a database write would fail on it later."""
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set):
            stack.extend(item)
    return False


_LONE_SURROGATE_MESSAGE = (
    "The {name} document contains a lone UTF-16 surrogate (such as \\ud800), which is no "
    "Unicode character; send valid text."
)


def _check_text(value: Any, name: str) -> None:
    if _has_lone_surrogate(value):
        raise _Refused(_LONE_SURROGATE_MESSAGE.format(name=name))


def json_body_is_plain(body: bytes) -> bool:
    """Whether the checks :func:`decode_json` adds to the JSON grammar (nesting up to
    :data:`MAX_NESTING`, no lone surrogate escapes) certainly pass for ``body``, judged
    cheaply from its bytes; when False, decode it with :func:`decode_json` (a schema
    library's own parser does not make these checks)."""
    return (
        body.count(b"[") + body.count(b"{") <= MAX_NESTING
        and _SURROGATE_ESCAPE.search(body) is None
    )


def _check_nesting(value: Any, name: str) -> None:
    if isinstance(value, dict | list | tuple | set) and _nesting_exceeds(value, MAX_NESTING):
        raise _Refused(
            f"The {name} document is nested too deeply (more than {MAX_NESTING} levels); "
            "send a flatter document.",
        )


def parse_json(text: str | bytes) -> Any:
    """Parse JSON text as the JSON grammar says: ``NaN``, ``Infinity`` and numbers past the
    float range raise ``ValueError`` like any other malformed input, and so do nesting past
    :data:`MAX_NESTING` and lone surrogate escapes (``\\ud800``), as in request bodies."""
    if isinstance(text, bytes):
        return _checked_json(text, _loads(text.decode("utf-8")))
    value = _loads(text)
    if text.count("[") + text.count("{") > MAX_NESTING:
        _check_json_nesting(text.encode("utf-8"))
    if _SURROGATE_ESCAPE_TEXT.search(text) is not None and _json_text_has_lone_surrogate(text):
        raise _Refused(_LONE_SURROGATE_MESSAGE.format(name="JSON"))
    return value


def _checked_json(body: bytes, value: Any) -> Any:
    """``value``, decoded from ``body``, once the checks beyond the grammar pass."""
    # Only a body with more brackets than the limit can nest past it, and only one with a
    # surrogate escape can hold a lone surrogate: C-speed scans spare the common body a walk.
    if body.count(b"[") + body.count(b"{") > MAX_NESTING:
        _check_json_nesting(body)
    if _SURROGATE_ESCAPE.search(body) is not None and _json_text_has_lone_surrogate(body):
        raise _Refused(_LONE_SURROGATE_MESSAGE.format(name="JSON"))
    return value


def _check_json_nesting(body: bytes) -> None:
    if _json_text_nests_past(body, MAX_NESTING):
        raise _Refused(
            f"The JSON document is nested too deeply (more than {MAX_NESTING} levels); "
            "send a flatter document."
        )


def decode_json(body: bytes) -> Any:
    """Decode a JSON request body; malformed, non-UTF-8 or absurd input is a 400.

    JSON has no ``NaN`` or ``Infinity``: those words, and a number too large for a float
    (``1e400``), are a 400 too, so a decoded body never holds a number no JSON response
    could carry back.
    """
    if not body:
        raise HTTPException(400, "The request body is empty; expected a JSON document.")
    try:
        return _checked_json(body, _loads(body.decode("utf-8")))
    except _Refused as exc:
        raise HTTPException(400, str(exc)) from None
    except UnicodeDecodeError:
        raise HTTPException(400, "The request body is not valid UTF-8.") from None
    except RecursionError:
        raise HTTPException(400, "The JSON document is nested too deeply.") from None
    except ValueError as exc:
        # JSONDecodeError and the int-digits limit both land here.
        raise HTTPException(400, f"The request body is not valid JSON: {exc}.") from None


class _NoAliasLoader(yaml.SafeLoader):
    """A safe YAML loader that reads only what JSON can carry: no aliases (so a "billion
    laughs" body cannot expand), no ``!!binary``, no non-finite floats, no integer too
    large to print, timestamps as keys read as their text."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            # types-PyYAML leaves peek_event unannotated: a typed local keeps --strict quiet.
            peek_event: Callable[[], Any] = self.peek_event
            event = peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases are not accepted in request bodies", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_finite_float(self, node: Any) -> float:
        """A YAML float, refusing ``.inf``, ``.nan`` and literals past the float range."""
        value: float = self.construct_yaml_float(node)
        if not math.isfinite(value):
            raise _Refused(
                f"The request body contains {node.value[:64]!r}, which is not a finite "
                "number; send a finite number."
            )
        return value

    def construct_printable_int(self, node: Any) -> int:
        """A YAML integer no larger than a JSON number Python can print back.

        Base 2, 8 and 16 literals and sexagesimal ones (``1:59:59``) skip the digit limit
        Python puts on decimal ones, so a short body could make an integer no response
        could encode; the literal's length is checked first, so building it stays cheap.
        """
        limit = sys.get_int_max_str_digits() or 100_000
        if len(node.value) > limit:
            raise _Refused(_too_large(node.value))
        value: int = self.construct_yaml_int(node)
        if value.bit_length() > 64:
            try:
                str(value)  # raises at once, without converting, past the digit limit
            except ValueError:
                raise _Refused(_too_large(node.value)) from None
        return value

    def construct_binary_refused(self, node: Any) -> Any:
        """``!!binary`` builds bytes, which no JSON value is."""
        raise yaml.constructor.ConstructorError(
            None,
            None,
            "!!binary values are not accepted in request bodies; send the base64 text as a "
            "plain string",
            node.start_mark,
        )

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        """A mapping whose timestamp keys (``2001-01-01: x``) are their text, as a JSON
        object's keys are: a date object is no key a JSON response can carry."""
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        if all(type(key) is str for key in mapping):
            return mapping
        return {
            key.isoformat() if isinstance(key, datetime.date) else key: value
            for key, value in mapping.items()
        }


def _too_large(literal: str) -> str:
    return (
        f"The number {literal[:64]}... in the request body is too large to be a JSON "
        f"number (more than {sys.get_int_max_str_digits()} digits); send a smaller number."
    )


_NoAliasLoader.add_constructor("tag:yaml.org,2002:float", _NoAliasLoader.construct_finite_float)
_NoAliasLoader.add_constructor("tag:yaml.org,2002:int", _NoAliasLoader.construct_printable_int)
_NoAliasLoader.add_constructor("tag:yaml.org,2002:binary", _NoAliasLoader.construct_binary_refused)


def decode_yaml(body: bytes) -> Any:
    """Decode a YAML request body safely: one document, no tags that build objects, no aliases.

    ``.inf``, ``.nan`` and floats past the float range are a 400, as in JSON bodies, and
    so are ``!!binary``, integers too large to print and nesting past :data:`MAX_NESTING`;
    timestamp keys are read as their ISO text. A body past :data:`MAX_YAML_SIZE` is a 413.
    """
    if not body:
        raise HTTPException(400, "The request body is empty; expected a YAML document.")
    if len(body) > MAX_YAML_SIZE:
        raise HTTPException(
            413,
            f"The YAML body is larger than {MAX_YAML_SIZE} bytes, the most Dyne parses as "
            "YAML; send it as JSON.",
        )
    try:
        text = body.decode("utf-8")
        loader = _NoAliasLoader(text)
        try:
            value = loader.get_single_data()
        finally:
            loader.dispose()
        _check_nesting(value, "YAML")
        _check_text(value, "YAML")
    except _Refused as exc:
        raise HTTPException(400, str(exc)) from None
    except UnicodeDecodeError:
        raise HTTPException(400, "The request body is not valid UTF-8.") from None
    except RecursionError:
        raise HTTPException(400, "The YAML document is nested too deeply.") from None
    except (yaml.YAMLError, ValueError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise HTTPException(400, f"The request body is not valid YAML: {message}.") from None
    except (LookupError, AttributeError, TypeError):
        # PyYAML's constructors fail this way on a scalar that does not fit the tag it was
        # given explicitly (``!!timestamp x``, ``!!bool x``, ``!!int ""``).
        raise HTTPException(
            400,
            "The request body is not valid YAML: a value does not fit the tag it was given "
            "(such as !!timestamp, !!bool or !!int).",
        ) from None
    return value


def decode_urlencoded(body: bytes, *, max_fields: int, max_field_size: int) -> dict[str, str]:
    """Decode an ``application/x-www-form-urlencoded`` body; the last value of a key wins.

    More than ``max_fields`` fields or a field above ``max_field_size`` bytes is a 413;
    bytes that are not UTF-8 once percent-decoded are a 400.
    """
    return dict(decode_urlencoded_pairs(body, max_fields=max_fields, max_field_size=max_field_size))


def decode_urlencoded_pairs(
    body: bytes, *, max_fields: int, max_field_size: int
) -> list[tuple[str, str]]:
    """Like :func:`decode_urlencoded`, keeping every ``(name, value)`` pair in order (a
    repeated name, as a multi-select or checkboxes send, keeps all its values)."""
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=max_fields,
        )
    except UnicodeDecodeError:
        raise HTTPException(400, "The form data is not valid UTF-8.") from None
    except ValueError:
        raise HTTPException(
            413, f"Too many form fields; at most {max_fields} are accepted."
        ) from None
    for name, value in pairs:
        if len(value) > max_field_size or len(name) > max_field_size:
            raise HTTPException(
                413, f"Form field {name[:64]!r} is larger than {max_field_size} bytes."
            )
    return pairs
