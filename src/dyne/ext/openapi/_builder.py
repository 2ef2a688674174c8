"""Build the OpenAPI document from an app's routes and the metadata their decorators left.

The builder knows no schema or auth library: it reads the facts described in
``docs/internals/metadata.md`` by attribute and asks adapters and security
requirements to describe themselves.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from http import HTTPStatus

from dyne.ext.openapi._components import REF_PREFIX, Components, candidates, rewrite_refs
from dyne.ext.openapi._dialect import convert, dialect_of
from dyne.ext.openapi._json import JSONObject, RouteMeta, SchemaSource
from dyne.ext.openapi._routes import (
    DOCUMENTED,
    openapi_path,
    path_parameters,
    split_docstring,
    views,
)
from dyne.extension import meta_of
from dyne.routing import Route

__all__ = ["build_spec"]

_BODY_TYPES = {
    "media": ("application/json", "application/x-www-form-urlencoded", "application/yaml"),
    "form": ("application/x-www-form-urlencoded", "multipart/form-data"),
}

_VALIDATION_ERROR = {
    "type": "object",
    "description": "What was wrong with the request, by field (dotted paths for nested ones).",
    "properties": {
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        }
    },
    "required": ["errors"],
}


# The body of an error Dyne answers itself (404, 405, 413, 415, 401, 403): plain text, or
# RFC 9457 problem details when the app has problem_details on.
_PLAIN_ERROR = {"text/plain": {"schema": {"type": "string"}}}
_PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
    },
    "required": ["status"],
}
_SESSION_JSON_ERROR = {
    "description": "",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"error": {"type": "string"}},
                "required": ["error"],
            }
        }
    },
}
_FRAMEWORK_STATUSES = {
    404: "Not Found: no resource at this path (a path value that does not convert, or none).",
    413: "Content Too Large: the body, a form field or an upload is past the app's limits.",
    415: "Unsupported Media Type: the body's Content-Type is missing or not one listed here.",
}


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"Status {status}"


class _Builder:
    def __init__(self, version: str, problem_details: bool = False) -> None:
        self.version = version
        self.problem_details = problem_details
        self.dialect = dialect_of(version)
        self.components = Components(self.dialect)
        self.operation_ids: set[str] = set()
        self._schema_cache: dict[int, JSONObject] = {}

    # -- schemas -------------------------------------------------------------------

    def schema_for(self, adapter: SchemaSource) -> JSONObject:
        """A reference to ``adapter``'s schema (an array of them when ``many``)."""
        cached = self._schema_cache.get(id(adapter))
        if cached is not None:
            return cached
        schema, named = adapter.json_schema(REF_PREFIX)
        schema = dict(schema)
        family = dict(named or {})
        family.update(schema.pop("$defs", None) or {})
        family.update(schema.pop("definitions", None) or {})
        many = bool(getattr(adapter, "many", False))
        if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
            many, schema = True, dict(schema["items"])
        name = str(getattr(adapter, "name", None) or "Schema")
        if set(schema) == {"$ref"}:
            ref = schema["$ref"]
            renames = self.components.add_named(family)
            item = {"$ref": rewrite_refs({"$ref": ref}, renames)["$ref"]}
        else:
            # A sub-schema already using the name keeps it; this one takes the next free one.
            key = next(c for c in candidates(name, "_") if c not in family)
            family[key] = schema
            renames = self.components.add_named(family)
            item = self.components.ref(renames[key])
        result = {"type": "array", "items": item} if many else item
        self._schema_cache[id(adapter)] = result
        return result

    def parameters_for(self, adapter: SchemaSource, location: str) -> list[JSONObject]:
        """OpenAPI Parameter Objects for one ``@input`` on query, header or cookie."""
        found = []
        for parameter in adapter.parameters(location) or []:
            parameter = dict(parameter)
            parameter.setdefault("in", location)
            if "schema" in parameter:
                parameter["schema"] = convert(parameter["schema"], self.dialect)
                if "$ref" in repr(parameter["schema"]):
                    self.schema_for(adapter)  # the referenced sub-schemas must exist
            found.append(parameter)
        return found

    # -- operations ----------------------------------------------------------------

    def operation(self, route: Route, method: str, view: object) -> JSONObject:
        """The Operation Object for ``method`` on ``route`` answered by ``view``."""
        meta = meta_of(view)
        op: JSONObject = {}
        tags = getattr(route, "tags", None)
        if tags:
            op["tags"] = list(tags)
        summary, description = split_docstring(getattr(view, "__doc__", None))
        if summary:
            op["summary"] = summary
        op["operationId"] = self._operation_id(route, method)
        parameters = path_parameters(route)
        body: JSONObject | None = None
        for spec in meta.get("inputs") or ():
            location = spec.location
            if location in _BODY_TYPES:
                if body is None:
                    body = self._request_body(spec.adapter, location)
            else:
                parameters.extend(self.parameters_for(spec.adapter, location))
        if parameters:
            op["parameters"] = _unique_parameters(parameters)
        if body is not None:
            op["requestBody"] = body
        op["responses"] = responses = self._responses(meta)
        security, roles = self._security(meta)
        if security is not None:
            op["security"] = security
            if roles and security != [{}]:
                _add_framework(responses, "403", self._framework_error(_phrase(403)))
            if any(requirement for requirement in security):
                _add_framework(responses, "401", self._unauthorized(meta))
                if _has_login_redirect(meta):
                    for status in ("302", "303"):
                        responses.setdefault(status, _login_redirect(status))
                    if not self.problem_details:
                        # A cookie session answers clients that ask for JSON in JSON.
                        for status in ("401", "403"):
                            if status in responses:
                                entry = copy.deepcopy(_SESSION_JSON_ERROR)
                                _add_framework(responses, status, entry)
        if meta.get("inputs") and "400" not in responses:
            error = self.components.add_schema(
                "ValidationError", convert(_VALIDATION_ERROR, self.dialect)
            )
            content: JSONObject = {"application/json": {"schema": self.components.ref(error)}}
            if self.problem_details:  # a problem whose "errors" member holds the field errors
                problem = self.components.add_schema("Problem", convert(_PROBLEM, self.dialect))
                both = {"allOf": [self.components.ref(problem), self.components.ref(error)]}
                content = {"application/problem+json": {"schema": both}}
            responses["400"] = {"description": "The request did not validate.", "content": content}
        # What Dyne itself answers on this route, whatever the view does.
        if body is not None:
            for code in (413, 415):
                entry = self._framework_error(_FRAMEWORK_STATUSES[code])
                _add_framework(responses, str(code), entry)
        if any(parameter.get("in") == "path" for parameter in parameters):
            _add_framework(responses, "404", self._framework_error(_FRAMEWORK_STATUSES[404]))
        op["responses"] = dict(sorted(responses.items()))
        notes = [description] if description else []
        if roles:
            notes.append(f"**Required role:** {roles}")
        if notes:
            op["description"] = "\n\n".join(notes)
        order = ("tags", "summary", "description", "operationId", "parameters", "requestBody")
        return {**{k: op[k] for k in order if k in op}, **op}

    def _operation_id(self, route: Route, method: str) -> str:
        documented = [m for m in route.methods if m.lower() in DOCUMENTED and m != "HEAD"]
        base = route.name if len(documented) <= 1 else f"{route.name}_{method.lower()}"
        candidate = next(c for c in candidates(base, "_") if c not in self.operation_ids)
        self.operation_ids.add(candidate)
        return candidate

    def _request_body(self, adapter: SchemaSource, location: str) -> JSONObject:
        schema = self.schema_for(adapter)
        if adapter.has_file():
            types: Iterable[str] = ("multipart/form-data",)
        else:
            types = _BODY_TYPES[location]
        return {"required": True, "content": {kind: {"schema": schema} for kind in types}}

    def _responses(self, meta: RouteMeta) -> JSONObject:
        responses: JSONObject = {}
        output = meta.get("output")
        if output is not None:
            status = int(output.status_code)
            entry: JSONObject = {"description": output.description or _phrase(status)}
            if output.adapter is not None and status not in (204, 304):
                schema = self._output_schema(output.adapter, getattr(output, "many", None))
                entry["content"] = {"application/json": {"schema": schema}}
            headers = getattr(output, "headers", None)
            if headers is not None:
                entry["headers"] = self._headers(headers)
            responses[str(status)] = entry
        for status, spec in sorted((meta.get("expect") or {}).items()):
            entry = {"description": spec.description or _phrase(int(status))}
            if spec.adapter is not None:
                entry["content"] = {"application/json": {"schema": self.schema_for(spec.adapter)}}
            responses[str(status)] = entry
        if not responses or not any(code.startswith("2") for code in responses):
            responses.setdefault("200", {"description": _phrase(200)})
        return responses

    def _output_schema(self, adapter: SchemaSource, many: bool | None) -> JSONObject:
        """An ``@output`` body: an array for ``many=True``, one object for ``many=False``,
        and either of them when the view may answer both (``many`` not given)."""
        schema = self.schema_for(adapter)
        if schema.get("type") == "array" or many is False:
            return schema
        array = {"type": "array", "items": schema}
        if many:
            return array
        return {"anyOf": [schema, array]}

    def _framework_error(self, description: str) -> JSONObject:
        """A response Dyne answers itself, in the app's one error shape."""
        if self.problem_details:
            problem = self.components.add_schema("Problem", convert(_PROBLEM, self.dialect))
            content = {"application/problem+json": {"schema": self.components.ref(problem)}}
            return {"description": description, "content": content}
        return {"description": description, "content": dict(_PLAIN_ERROR)}

    def _unauthorized(self, meta: RouteMeta) -> JSONObject:
        """The 401 of a guard, with the ``WWW-Authenticate`` challenge of HTTP schemes."""
        entry = self._framework_error(_phrase(401))
        if any(_challenges(requirement) for requirement in meta.get("security") or ()):
            entry["headers"] = {
                "WWW-Authenticate": {
                    "description": "The challenge: how to authenticate.",
                    "schema": {"type": "string"},
                }
            }
        return entry

    def _headers(self, adapter: SchemaSource) -> JSONObject:
        headers = {}
        for parameter in self.parameters_for(adapter, "header"):
            header = {k: v for k, v in parameter.items() if k not in ("name", "in")}
            headers[parameter["name"]] = header
        return headers

    def _security(self, meta: RouteMeta) -> tuple[list[dict[str, list[str]]] | None, str]:
        requirements = meta.get("security")
        if not requirements:
            return None, ""
        roles: list[str] = []
        # One guard's requirements are alternatives (MultiAuth); stacked guards must all be
        # met, as at run time: the document lists every combination, one per guard.
        groups: dict[object, list[dict[str, list[str]]]] = {}
        optional: set[object] = set()
        for requirement in requirements:
            name = self.components.add_security_scheme(requirement.scheme_name, requirement.scheme)
            guard = getattr(requirement, "guard", None)
            group = groups.setdefault(guard, [])
            if {name: []} not in group:
                group.append({name: []})
            if getattr(requirement, "optional", False):
                optional.add(guard)
            # The auth extension words its own role grammar (SecurityRequirement.roles_text).
            text = getattr(requirement, "roles_text", None)
            if text and text not in roles:
                roles.append(text)
        for guard in optional:  # an optional guard may also be skipped: listed last
            groups[guard].append({})
        security: list[dict[str, list[str]]] = [{}]
        for group in groups.values():
            security = [{**done, **alternative} for done in security for alternative in group]
        unique: list[dict[str, list[str]]] = []
        for entry in security:
            if entry not in unique:
                unique.append(entry)
        return unique, "; ".join(roles)


def _add_framework(responses: JSONObject, status: str, entry: JSONObject) -> None:
    """Document a response Dyne answers itself; where the view documents the same status
    with a body of its own, add Dyne's body beside it (both may be sent)."""
    existing = responses.get(status)
    if existing is None:
        responses[status] = entry
        return
    if "content" in existing:
        for media_type, media in entry.get("content", {}).items():
            existing["content"].setdefault(media_type, media)
    for name, header in entry.get("headers", {}).items():
        existing.setdefault("headers", {}).setdefault(name, header)


def _challenges(requirement: object) -> bool:
    """Whether a guard answers 401 with a challenge: every scheme but a cookie session's."""
    scheme = getattr(requirement, "scheme", None) or {}
    return not (scheme.get("type") == "apiKey" and scheme.get("in") == "cookie")


def _has_login_redirect(meta: RouteMeta) -> bool:
    """Whether a guard may send browsers to a login page (a cookie session's)."""
    return any(not _challenges(requirement) for requirement in meta.get("security") or ())


def _login_redirect(status: str) -> JSONObject:
    method = "GET and HEAD requests" if status == "302" else "other methods"
    return {
        "description": (
            f"Not logged in ({method}, from a browser, when the app has a login page): "
            "a redirect to it, with the page asked for in ?next=."
        ),
        "headers": {"Location": {"schema": {"type": "string"}}},
    }


def _unique_parameters(parameters: list[JSONObject]) -> list[JSONObject]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for parameter in parameters:
        key = (str(parameter.get("name")), str(parameter.get("in")))
        if key not in seen:
            seen.add(key)
            unique.append(parameter)
    return unique


def build_spec(
    routes: Iterable[object],
    *,
    info: JSONObject,
    version: str,
    exclude: Iterable[object] = (),
    problem_details: bool = False,
) -> JSONObject:
    """The OpenAPI document (a dict) for the HTTP ``routes``, leaving out ``exclude``\\ d
    endpoints (the documentation's own pages); errors Dyne answers itself are documented
    as problem details when ``problem_details``, else as plain text."""
    builder = _Builder(version, problem_details)
    skipped = {id(endpoint) for endpoint in exclude}
    paths: dict[str, JSONObject] = {}
    webhooks: dict[str, JSONObject] = {}
    for route in routes:
        if not isinstance(route, Route) or id(route.endpoint) in skipped:
            continue
        item = paths.setdefault(openapi_path(route), {})
        for method, view in views(route):
            if method.lower() in item:
                continue  # the router serves the first route registered for it
            op = builder.operation(route, method, view)
            item[method.lower()] = op
            webhook = meta_of(view).get("webhook")
            if webhook is not None:
                copy = {k: v for k, v in op.items() if k != "operationId"}
                webhooks.setdefault(str(webhook.name), {})[method.lower()] = copy
    document: JSONObject = {"openapi": version, "info": info, "paths": paths}
    if webhooks:
        document["webhooks" if builder.dialect == "3.1" else "x-webhooks"] = webhooks
    components = builder.components.as_dict()
    if components:
        document["components"] = components
    return document
