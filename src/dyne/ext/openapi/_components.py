"""The ``components`` section: schemas and security schemes, each stored once, under a
name no other one uses.

Two libraries (or two modules) may both define a ``Book``: the first keeps the name, the
next different one becomes ``Book2``. The same schema seen twice (one class used by two
decorators) is stored once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dyne.ext.openapi._dialect import convert
from dyne.ext.openapi._json import JSON, JSONObject

__all__ = ["REF_PREFIX", "Components", "candidates", "rewrite_refs"]

REF_PREFIX = "#/components/schemas/"

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _safe_name(name: str) -> str:
    cleaned = _UNSAFE.sub("_", str(name)).strip("_")
    return cleaned or "Schema"


def candidates(base: str, separator: str = "") -> Iterator[str]:
    """``base``, then ``base2``, ``base3``, ... (with ``separator`` before the number): the
    one naming rule for every table that must keep names unique."""
    yield base
    number = 2
    while True:
        yield f"{base}{separator}{number}"
        number += 1


def _store(table: JSONObject, name: str, value: JSON) -> str:
    """Store ``value`` under the first free name (or the name already holding an equal
    value) and return that name."""
    for candidate in candidates(_safe_name(name)):
        current = table.get(candidate)
        if current is None:
            table[candidate] = value
            return candidate
        if current == value:
            return candidate
    raise AssertionError("unreachable: candidates() never ends")


def rewrite_refs(value: JSON, renames: dict[str, str]) -> JSON:
    """``value`` with every schema ``$ref`` pointing at the renamed components."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "$ref" and isinstance(item, str):
                out[key] = _rewrite_ref(item, renames)
            else:
                out[key] = rewrite_refs(item, renames)
        return out
    if isinstance(value, list):
        return [rewrite_refs(item, renames) for item in value]
    return value


def _rewrite_ref(ref: str, renames: dict[str, str]) -> str:
    for prefix in (REF_PREFIX, "#/$defs/", "#/definitions/"):
        if ref.startswith(prefix):
            name = ref[len(prefix) :]
            return REF_PREFIX + renames.get(name, name)
    return ref


class Components:
    """Collects the named schemas and security schemes of one document."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.schemas: dict[str, JSONObject] = {}
        self.security_schemes: dict[str, JSONObject] = {}

    # -- schemas ---------------------------------------------------------------------

    def add_schema(self, name: str, schema: JSONObject) -> str:
        """Store ``schema`` (already in this document's dialect) and return its final name."""
        return _store(self.schemas, name, schema)

    def add_named(self, named: dict[str, JSONObject]) -> dict[str, str]:
        """Store a family of schemas that refer to each other by name; return the renames.

        Names are settled first, then each schema's references are rewritten to the names
        chosen, so ``Book`` → ``Book2`` also changes every ``$ref`` to it in the family.
        """
        renames: dict[str, str] = {}
        pending = dict(named)
        # A schema is stored once its own references are settled: store leaves first.
        for _ in range(len(pending) + 1):
            if not pending:
                break
            for name in list(pending):
                refs = _refs_in(pending[name]) & set(pending) - {name}
                if refs:
                    continue
                body = self._prepare(pending.pop(name), renames)
                renames[name] = self._store_family_member(name, body, renames)
        # Whatever remains refers around a cycle: reserve names, then store.
        for name in pending:
            renames[name] = self._reserve(name)
        for name, schema in pending.items():
            self.schemas[renames[name]] = self._prepare(schema, renames)
        return renames

    def _store_family_member(self, name: str, body: JSONObject, renames: dict[str, str]) -> str:
        # A self-reference points at the name being chosen: settle it after the choice.
        if name in _refs_in(body):
            final = self._reserve(name)
            self.schemas[final] = rewrite_refs(body, {**renames, name: final})
            return final
        return self.add_schema(name, body)

    def _reserve(self, name: str) -> str:
        candidate = next(c for c in candidates(_safe_name(name)) if c not in self.schemas)
        self.schemas[candidate] = {}
        return candidate

    def _prepare(self, schema: JSONObject, renames: dict[str, str]) -> JSONObject:
        converted = convert(schema, self.dialect)
        prepared: JSONObject = rewrite_refs(converted, renames)
        return prepared

    def ref(self, name: str) -> dict[str, str]:
        """A ``$ref`` to the stored schema ``name``."""
        return {"$ref": REF_PREFIX + name}

    # -- security --------------------------------------------------------------------

    def add_security_scheme(self, name: str, scheme: JSONObject) -> str:
        """Store a Security Scheme Object and return the name it is listed under."""
        return _store(self.security_schemes, name, dict(scheme))

    def as_dict(self) -> JSONObject:
        """The ``components`` object (empty sections left out)."""
        out: JSONObject = {}
        if self.schemas:
            out["schemas"] = self.schemas
        if self.security_schemes:
            out["securitySchemes"] = self.security_schemes
        return out


def _refs_in(value: JSON) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref" and isinstance(item, str):
                found.add(item.rsplit("/", 1)[-1])
            else:
                found |= _refs_in(item)
    elif isinstance(value, list):
        for item in value:
            found |= _refs_in(item)
    return found
