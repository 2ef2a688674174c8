"""Schemas are written in the dialect of the document: OpenAPI 3.0 or JSON Schema 2020-12."""

from __future__ import annotations

from openapi_fakes import FakeAdapter, out

from dyne.ext.openapi import OpenAPI


def _component(app, schema, openapi, named=None):
    @app.route("/thing")
    @out(FakeAdapter("Thing", schema, named=named or {}))
    async def thing(req, resp):
        pass

    return OpenAPI(app, openapi=openapi).spec


def test_dialect_30_turns_a_null_union_into_nullable(app, validate):
    schema = {
        "type": "object",
        "properties": {"cover": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
    }
    spec = validate(_component(app, schema, "3.0.3"))
    cover = spec["components"]["schemas"]["Thing"]["properties"]["cover"]
    assert cover == {"type": "string", "nullable": True}


def test_dialect_30_turns_a_type_list_into_nullable(app, validate):
    schema = {"type": "object", "properties": {"n": {"type": ["integer", "null"]}}}
    spec = validate(_component(app, schema, "3.0.3"))
    assert spec["components"]["schemas"]["Thing"]["properties"]["n"] == {
        "type": "integer",
        "nullable": True,
    }


def test_dialect_30_wraps_a_nullable_reference(app, validate):
    schema = {
        "type": "object",
        "properties": {
            "author": {"anyOf": [{"$ref": "#/components/schemas/Author"}, {"type": "null"}]}
        },
    }
    named = {"Author": {"type": "object", "properties": {"name": {"type": "string"}}}}
    spec = validate(_component(app, schema, "3.0.3", named))
    assert spec["components"]["schemas"]["Thing"]["properties"]["author"] == {
        "allOf": [{"$ref": "#/components/schemas/Author"}],
        "nullable": True,
    }


def test_dialect_30_keeps_a_reference_with_siblings_valid(app, validate):
    schema = {
        "type": "object",
        "properties": {"author": {"$ref": "#/components/schemas/Author", "description": "Who"}},
    }
    named = {"Author": {"type": "object"}}
    spec = validate(_component(app, schema, "3.0.3", named))
    assert spec["components"]["schemas"]["Thing"]["properties"]["author"] == {
        "description": "Who",
        "allOf": [{"$ref": "#/components/schemas/Author"}],
    }


def test_dialect_30_writes_const_as_enum(app, validate):
    schema = {"type": "object", "properties": {"kind": {"const": "book"}}}
    spec = validate(_component(app, schema, "3.0.3"))
    assert spec["components"]["schemas"]["Thing"]["properties"]["kind"] == {"enum": ["book"]}


def test_dialect_30_writes_exclusive_bounds_as_flags(app, validate):
    schema = {"type": "object", "properties": {"price": {"type": "number", "exclusiveMinimum": 0}}}
    spec = validate(_component(app, schema, "3.0.3"))
    assert spec["components"]["schemas"]["Thing"]["properties"]["price"] == {
        "type": "number",
        "minimum": 0,
        "exclusiveMinimum": True,
    }


def test_dialect_30_writes_examples_as_example(app, validate):
    schema = {"type": "object", "properties": {"t": {"type": "string", "examples": ["Dune"]}}}
    spec = validate(_component(app, schema, "3.0.3"))
    assert spec["components"]["schemas"]["Thing"]["properties"]["t"] == {
        "type": "string",
        "example": "Dune",
    }


def test_dialect_30_describes_tuples_with_items(app, validate):
    schema = {
        "type": "object",
        "properties": {
            "pair": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}]}
        },
    }
    spec = validate(_component(app, schema, "3.0.3"))
    pair = spec["components"]["schemas"]["Thing"]["properties"]["pair"]
    assert pair == {"type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "string"}]}}


def test_dialect_31_keeps_a_null_union(app, validate):
    schema = {
        "type": "object",
        "properties": {"cover": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
    }
    spec = validate(_component(app, schema, "3.1.0"))
    assert spec["components"]["schemas"]["Thing"]["properties"]["cover"] == {
        "anyOf": [{"type": "string"}, {"type": "null"}]
    }


def test_dialect_31_turns_nullable_into_a_type_list(app, validate):
    schema = {"type": "object", "properties": {"cover": {"type": "string", "nullable": True}}}
    spec = validate(_component(app, schema, "3.1.0"))
    assert spec["components"]["schemas"]["Thing"]["properties"]["cover"] == {
        "type": ["string", "null"]
    }


def test_dialect_31_turns_boolean_exclusive_bounds_into_numbers(app, validate):
    schema = {
        "type": "object",
        "properties": {"p": {"type": "number", "minimum": 0, "exclusiveMinimum": True}},
    }
    spec = validate(_component(app, schema, "3.1.0"))
    assert spec["components"]["schemas"]["Thing"]["properties"]["p"] == {
        "type": "number",
        "exclusiveMinimum": 0,
    }


def test_dialect_31_describes_files_by_media_type(app, validate):
    schema = {"type": "object", "properties": {"f": {"type": "string", "format": "binary"}}}
    spec = validate(_component(app, schema, "3.1.0"))
    assert spec["components"]["schemas"]["Thing"]["properties"]["f"] == {
        "type": "string",
        "contentMediaType": "application/octet-stream",
    }


def test_dialect_30_describes_files_as_binary_strings(app, validate):
    schema = {
        "type": "object",
        "properties": {"f": {"type": "string", "contentMediaType": "application/octet-stream"}},
    }
    spec = validate(_component(app, schema, "3.0.3"))
    assert spec["components"]["schemas"]["Thing"]["properties"]["f"] == {
        "type": "string",
        "format": "binary",
    }


def test_dialect_hoists_local_definitions_into_components(app, validate):
    schema = {
        "type": "object",
        "properties": {"a": {"$ref": "#/$defs/Author"}},
        "$defs": {"Author": {"type": "object"}},
    }
    spec = validate(_component(app, schema, "3.1.0"))
    schemas = spec["components"]["schemas"]
    assert schemas["Thing"]["properties"]["a"] == {"$ref": "#/components/schemas/Author"}
    assert schemas["Author"] == {"type": "object"}
