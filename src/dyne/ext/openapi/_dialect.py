"""Schema dialects: OpenAPI 3.0's Schema Object and 3.1's JSON Schema 2020-12.

The io adapters describe their schemas in either style (pydantic speaks 2020-12; apispec
may speak 3.0). :func:`convert` brings a schema to the dialect of the document being
built, so a spec never mixes the two.
"""

from __future__ import annotations

from dyne.ext.openapi._json import JSON, JSONObject

__all__ = ["convert", "dialect_of"]

# Keywords whose value is one schema, a list of schemas, or a name → schema map.
_ONE = ("items", "not", "additionalProperties", "contains", "propertyNames", "if", "then", "else")
_MANY = ("allOf", "anyOf", "oneOf", "prefixItems")
_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")

# JSON Schema keywords the 3.0 Schema Object does not know: dropped rather than
# shipped in a document that validators reject.
_NOT_IN_30 = frozenset(
    {
        "$schema",
        "$id",
        "$anchor",
        "$comment",
        "$defs",
        "definitions",
        "$dynamicRef",
        "$dynamicAnchor",
        "const",
        "contains",
        "contentEncoding",
        "contentMediaType",
        "contentSchema",
        "dependentRequired",
        "dependentSchemas",
        "else",
        "examples",
        "if",
        "maxContains",
        "minContains",
        "patternProperties",
        "prefixItems",
        "propertyNames",
        "then",
        "unevaluatedItems",
        "unevaluatedProperties",
    }
)

_BINARY = "application/octet-stream"


def dialect_of(version: str) -> str:
    """``"3.0"`` or ``"3.1"`` for an ``openapi`` version string such as ``"3.0.3"``."""
    return "3.1" if version.startswith("3.1") else "3.0"


def convert(schema: JSON, dialect: str) -> JSON:
    """A copy of ``schema`` written in ``dialect`` (``"3.0"`` or ``"3.1"``)."""
    if not isinstance(schema, dict):
        return schema
    walked = _walk_children(schema, dialect)
    return _to_30(walked) if dialect == "3.0" else _to_31(walked)


def _walk_children(schema: JSONObject, dialect: str) -> JSONObject:
    out = dict(schema)
    for key in _ONE:
        if isinstance(out.get(key), dict):
            out[key] = convert(out[key], dialect)
    for key in _MANY:
        if isinstance(out.get(key), list):
            out[key] = [convert(item, dialect) for item in out[key]]
    for key in _MAPS:
        if isinstance(out.get(key), dict):
            out[key] = {name: convert(sub, dialect) for name, sub in out[key].items()}
    return out


def _is_null(schema: JSON) -> bool:
    # Children are converted first: a 2020-12 {"type": "null"} arrives here already as 3.0.
    return isinstance(schema, dict) and (
        schema.get("type") == "null"
        or schema in ({"enum": [None]}, {"const": None}, {"enum": [None], "nullable": True})
    )


def _is_binary(schema: JSONObject) -> bool:
    return schema.get("type") == "string" and (
        schema.get("format") == "binary"
        or "contentMediaType" in schema
        or schema.get("contentEncoding") == "binary"
    )


def _to_30(schema: JSONObject) -> JSONObject:
    out = dict(schema)
    if _is_binary(out):
        out["format"] = "binary"
    kind = out.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        if len(kinds) < len(kind):
            out["nullable"] = True
        if len(kinds) == 1:
            out["type"] = kinds[0]
        else:
            del out["type"]
            if kinds:
                out["anyOf"] = [{"type": k} for k in kinds]
    elif kind == "null":
        del out["type"]
        out["nullable"] = True
        out["enum"] = [None]
    for key in ("anyOf", "oneOf"):
        options = out.get(key)
        if isinstance(options, list) and any(_is_null(option) for option in options):
            rest = [option for option in options if not _is_null(option)]
            out["nullable"] = True
            single = _with_ref_wrapped(rest[0]) if len(rest) == 1 else None
            if single is not None and not set(single) & (set(out) - {key}):
                # {"anyOf": [X, null]} is "X or null": X's own keywords, nullable.
                del out[key]
                out.update(single)
            elif rest:
                out[key] = rest
            else:
                del out[key]
    if "const" in out:
        value = out.pop("const")
        out.setdefault("enum", [value])
    for bound, flag in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = out.get(bound)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[flag] = value
            out[bound] = True
    if "examples" in out and "example" not in out:
        examples = out["examples"]
        if isinstance(examples, list) and examples:
            out["example"] = examples[0]
    if isinstance(out.get("prefixItems"), list) and "items" not in out:
        items = out["prefixItems"]
        out["items"] = {"anyOf": items} if items else {}
    if out.get("type") == "array" and "items" not in out:
        out["items"] = {}
    for key in _NOT_IN_30:
        out.pop(key, None)
    if "$ref" in out and len(out) > 1:
        # A 3.0 Reference Object ignores its siblings: keep them by wrapping the ref.
        ref = out.pop("$ref")
        out["allOf"] = [{"$ref": ref}, *out.get("allOf", [])]
    return out


def _with_ref_wrapped(schema: JSONObject) -> JSONObject:
    if "$ref" in schema:
        return {"allOf": [{"$ref": schema["$ref"]}]}
    return dict(schema)


def _to_31(schema: JSONObject) -> JSONObject:
    out = dict(schema)
    if _is_binary(out):
        # 3.1 describes raw file content by its media type, not by a format.
        if out.get("format") == "binary":
            del out["format"]
        out.pop("contentEncoding", None)
        out.setdefault("contentMediaType", _BINARY)
    if out.pop("nullable", False):
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        elif isinstance(kind, list):
            if "null" not in kind:
                out["type"] = [*kind, "null"]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    for bound, flag in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = out.get(bound)
        if isinstance(value, bool):
            del out[bound]
            if value and flag in out:
                out[bound] = out.pop(flag)
    return out
