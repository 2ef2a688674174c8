"""``GraphQLView``: one route that answers GraphQL over HTTP and shows GraphiQL to browsers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from dyne.exceptions import HTTPException
from dyne.ext.graphql._graphiql import ASSET_PARAM, GraphiQLPage
from dyne.ext.graphql._limits import QueryLimits, Rejected
from dyne.ext.graphql._schema import BaseSchema, JSONObject
from dyne.extension import register
from dyne.formats import decode_json, encode_json, is_json
from dyne.request import Request
from dyne.response import Response

if TYPE_CHECKING:
    from dyne.app import App
    from dyne.request import QueryParams

__all__ = ["GraphQLView"]

# The built-in backends' schema classes, named when a raw library schema is passed. Any
# BaseSchema subclass naming its ``backend`` is a backend: the set is open.
_BUILTIN_SCHEMAS = {
    "strawberry": "dyne.ext.graphql.strawberry.Schema",
    "graphene": "dyne.ext.graphql.graphene.Schema",
}


class GraphQLView:
    """Serve ``schema`` at the route this view is added to (``app.add_route("/graphql", view)``).

    Clients POST ``application/json`` (``query``, ``variables``, ``operationName``) or
    ``application/graphql``, or GET with ``?query=`` (queries only). A browser's GET gets
    the GraphiQL page. Every document is checked against the limits before it runs, with
    each fragment counted as many times as it is spread.

    :param app: the application; one app serves one GraphQL backend.
    :param schema: a Dyne schema: ``dyne.ext.graphql.strawberry.Schema`` or
        ``dyne.ext.graphql.graphene.Schema``.
    :param graphiql: show GraphiQL to browsers (default True).
    :param max_depth: deepest field nesting allowed (None: no limit).
    :param max_aliases: most aliased fields in a document (None: no limit).
    :param max_tokens: most lexical tokens in a document (None: no limit).
    :param max_length: longest document, in characters (None: no limit).
    :param max_cost: most fields and directives in a document once its fragments are
        expanded (None: no limit).
    :param introspection: allow ``__schema`` and ``__type`` queries (default True).
    """

    #: the route answers these methods (read by the router when ``add_route`` has none)
    methods = ("GET", "POST")

    def __init__(
        self,
        *,
        app: App,
        schema: BaseSchema,
        graphiql: bool = True,
        max_depth: int | None = 15,
        max_aliases: int | None = 50,
        max_tokens: int | None = 1000,
        max_length: int | None = 100_000,
        introspection: bool = True,
        max_cost: int | None = 2000,
    ) -> None:
        _check_schema(schema)
        self.limits = QueryLimits(
            max_depth=max_depth,
            max_aliases=max_aliases,
            max_tokens=max_tokens,
            max_length=max_length,
            introspection=introspection,
            max_cost=max_cost,
        )
        _claim_backend(app, schema.backend)
        # Imported here: a backend's Schema exists by now, so graphql-core is installed,
        # and `from dyne.ext.graphql import GraphQLView` never names the wrong extra.
        from dyne.ext.graphql._checks import check

        self._check = check
        self.app = app
        self.schema = schema
        self.page = GraphiQLPage() if graphiql else None
        self._core_schema = schema.core_schema

    async def __call__(self, req: Request, resp: Response) -> None:
        """Answer one HTTP request."""
        try:
            if req.method in ("GET", "HEAD"):
                if self.page is not None and _serve_graphiql(self.page, req, resp):
                    return
                query, variables, operation_name = _from_params(req.params)
            else:
                query, variables, operation_name = await _from_body(req)
            checked = self._check(self._core_schema, query, variables, operation_name, self.limits)
            if checked.operation.value == "subscription":
                raise Rejected.message(
                    "GraphQLView does not serve subscriptions; send a query or a mutation."
                )
            if checked.operation.value != "query" and req.method != "POST":
                raise Rejected.message(
                    f"A {checked.operation.value} cannot be sent with {req.method}; "
                    "send it with POST.",
                    status_code=405,
                )
        except Rejected as rejected:
            if rejected.status_code == 405:
                resp.headers["Allow"] = "POST"
            _answer(resp, {"errors": rejected.errors}, rejected.status_code)
            return
        outcome = await self.schema.run_operation(
            query,
            variables=variables,
            operation_name=operation_name,
            context={"request": req, "response": resp},
        )
        # In production a resolver's unexpected exception (a bug, a database error) is
        # masked, as the app's own 500 page hides it; its traceback goes to the log.
        _answer(resp, outcome.as_dict(mask=not self.app.debug), 200)


def _serve_graphiql(page: GraphiQLPage, req: Request, resp: Response) -> bool:
    """Answer with the page or one of its files when that is what was asked for."""
    name = req.params.get(ASSET_PARAM)
    if name is not None:
        if not page.serve(resp, name):
            _answer(resp, {"errors": [{"message": f"No GraphiQL file {name!r}."}]}, 404)
        return True
    if "query" in req.params or not _wants_html(req):
        return False
    nonce = page.new_nonce()
    resp.html = page.render(req.url.path, nonce)
    resp.headers["Content-Security-Policy"] = page.policy(nonce)
    return True


def _wants_html(req: Request) -> bool:
    accept = req.headers.get("accept", "")
    return "text/html" in accept and req.accepts("text/html")


def _answer(resp: Response, body: Mapping[str, object], status_code: int) -> None:
    # Always JSON: GraphQL clients expect it whatever the app negotiates for resp.media.
    resp.status_code = status_code
    resp.content = encode_json(body)
    resp.mimetype = "application/json"


def _from_params(params: QueryParams) -> tuple[str, JSONObject | None, str | None]:
    query = params.get("query")
    if not query:
        raise Rejected.message("Send a GraphQL document in the 'query' parameter.")
    variables = params.get("variables")
    if variables:
        try:
            variables = decode_json(variables.encode("utf-8"))
        except HTTPException:
            raise Rejected.message(
                "The 'variables' parameter is not valid JSON (or is nested too deeply); "
                "send a JSON object."
            ) from None
    return query, _variables(variables or None), params.get("operationName") or None


async def _from_body(req: Request) -> tuple[str, JSONObject | None, str | None]:
    # Only types a browser cannot send cross-site without a CORS preflight: a form,
    # text/plain or a body without a Content-Type never reaches a resolver (CSRF).
    mimetype = req.mimetype
    try:
        if mimetype == "application/graphql":
            query = await req.text
            if not query.strip():
                raise Rejected.message("The application/graphql body is empty; send a document.")
            return query, None, req.params.get("operationName") or None
        if not mimetype:
            raise Rejected.message(
                "The request has no Content-Type; send application/json or application/graphql.",
                status_code=415,
            )
        if not is_json(mimetype):
            raise Rejected.message(
                f"Unsupported content type {mimetype!r}; send application/json or "
                "application/graphql.",
                status_code=415,
            )
        # The core's decoder: the app's body limit (413), malformed or too deeply
        # nested JSON (400).
        payload = await req.media("json")
    except HTTPException as exc:
        raise Rejected.message(exc.detail, exc.status_code) from None
    if not isinstance(payload, dict):
        raise Rejected.message(
            "The request body must be a JSON object with 'query'; batches are not supported."
        )
    body_query: object = payload.get("query")
    if not isinstance(body_query, str) or not body_query:
        raise Rejected.message("The request body has no 'query' string; send a GraphQL document.")
    operation_name: object = payload.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise Rejected.message("'operationName' must be a string or null.")
    return body_query, _variables(payload.get("variables")), operation_name or None


def _variables(value: object) -> JSONObject | None:
    if value is None or isinstance(value, dict):
        return value
    raise Rejected.message("'variables' must be a JSON object or null.")


def _check_schema(schema: object) -> None:
    if isinstance(schema, BaseSchema) and schema.backend:
        return
    module = type(schema).__module__.partition(".")[0]
    if module in _BUILTIN_SCHEMAS:
        raise TypeError(
            f"GraphQLView got a raw {module}.Schema; create it with "
            f"{_BUILTIN_SCHEMAS[module]} instead (same arguments)."
        )
    raise TypeError(
        f"GraphQLView needs a Dyne schema, got {schema!r}; use "
        "dyne.ext.graphql.strawberry.Schema or dyne.ext.graphql.graphene.Schema (or a "
        "BaseSchema subclass of your own that names its backend)."
    )


def _claim_backend(app: App, backend: str) -> None:
    """Record the app's GraphQL backend; a second, different one is a mistake."""
    current = app.extensions.get("graphql")
    if current is None:
        register(app, "graphql", backend)
    elif current != backend:
        raise RuntimeError(
            f"This app already serves GraphQL with {current}, so a {backend} schema cannot "
            f"be added; use one GraphQL backend per app ({_BUILTIN_SCHEMAS.get(current, current)})."
        )
