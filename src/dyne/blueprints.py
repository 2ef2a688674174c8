"""Blueprints: a part of an application with its own prefix, guards, hooks and error handlers.

A :class:`Blueprint` only records what is registered on it. ``app.include(bp)`` replays the
records onto the app, once: paths get the prefixes, names get the blueprint's name
(``admin.dashboard``), the blueprint's guards wrap each view exactly as if they were written
under ``@app.route``, and its hooks and error handlers are folded into the view. The app's
router then holds ordinary routes, so a request to a blueprint route costs what a request to
a route registered on the app costs, and a route of a blueprint without hooks or error
handlers is the very view that was registered.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dyne import _meta
from dyne._registration import RouteDecorators, check_error_key
from dyne._scoping import Handlers, Hook, Hooks, class_view, function_view, websocket_view
from dyne._utils import as_async
from dyne.routing import Mount, Route, RouteError, Router, WebSocketRoute

if TYPE_CHECKING:
    from dyne.app import App

__all__ = ["Blueprint"]


@dataclass(slots=True)
class _RouteRecord:
    path: str
    endpoint: Any
    methods: list[str] | None
    websocket: bool
    name: str | None
    tags: tuple[str, ...]


@dataclass(slots=True)
class _MountRecord:
    prefix: str
    app: Any
    name: str | None


@dataclass(slots=True)
class _ChildRecord:
    blueprint: Blueprint
    prefix: str


@dataclass(slots=True)
class _Scope:
    """What the enclosing blueprints hand down to a nested one, outermost first."""

    prefix: str = ""
    names: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    guards: tuple[Callable[..., Any], ...] = ()
    hooks: Hooks = ()
    websocket_hooks: Hooks = ()
    #: error handlers, innermost blueprint first
    handlers: tuple[Handlers, ...] = field(default_factory=tuple)


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name or "." in name:
        raise ValueError(
            f"Blueprint name {name!r} must be a non-empty string without '.'; dots separate "
            "the names of nested blueprints in url_for ('admin.users.index')."
        )
    return name


def _check_prefix(prefix: Any, what: str = "Blueprint prefix") -> str:
    if prefix is None:
        return ""
    if not isinstance(prefix, str) or (prefix and not prefix.startswith("/")):
        raise RouteError(f"{what} {prefix!r} must be empty or start with '/'; write '/{prefix}'.")
    return prefix.rstrip("/")


def _unique(*groups: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for group in groups for item in group))


class Blueprint(RouteDecorators):
    """A group of routes with a shared prefix, guards, hooks and error handlers.

    Register on it as on an app (``@bp.route``, ``bp.add_route``, ``@bp.before_request()``,
    ``@bp.error_handler``, ``bp.mount``, ``bp.include`` for a nested blueprint), then attach
    it with ``app.include(bp)``. Everything must be registered before the blueprint (or a
    blueprint it is nested in) is included in an app: later registrations raise
    ``RuntimeError``, so no route can be added that would miss the app or its guards.
    One blueprint may be included in several apps.

    :param name: names its routes for ``url_for`` (``"admin.dashboard"``); no dots.
    :param prefix: put before every path (``"/admin"``); ``""`` for none.
    :param tags: OpenAPI tags given to every route.
    :param guards: decorators applied to every view as if written under ``@app.route``
        (``[authenticate(token_auth, role="admin")]``, ``[auth.login_required]``); the first
        runs first. On class views they wrap ``on_request`` when there is one, else each
        ``on_<method>``. WebSocket routes and mounts cannot be guarded this way: a guarded
        blueprint holding one raises at include time, and so does a blueprint with
        ``before_request`` hooks holding a mount (the hooks would not run for it).
    """

    def __init__(
        self,
        name: str,
        prefix: str = "",
        *,
        tags: Sequence[str] | None = None,
        guards: Sequence[Callable[..., Any]] | None = None,
    ) -> None:
        self.name = _check_name(name)
        self.prefix = _check_prefix(prefix)
        if isinstance(tags, str):
            raise TypeError(f"tags must be a list of strings, not the string {tags!r}.")
        self.tags: tuple[str, ...] = tuple(tags or ())
        if isinstance(guards, str) or (guards is not None and callable(guards)):
            raise TypeError(
                f"guards must be a list of decorators, not {guards!r}; write guards=[...]."
            )
        self.guards: tuple[Callable[..., Any], ...] = tuple(guards or ())
        for guard in self.guards:
            if not callable(guard):
                raise TypeError(
                    f"Blueprint {name!r}: the guard {guard!r} is not a decorator; pass "
                    "decorators such as authenticate(backend) or auth.login_required."
                )
        self._records: list[_RouteRecord | _MountRecord | _ChildRecord] = []
        self._before_request: list[Hook] = []
        self._before_websocket: list[Hook] = []
        self._error_handlers: Handlers = {}
        self._included = False

    def __repr__(self) -> str:
        return f"Blueprint(name={self.name!r}, prefix={self.prefix!r})"

    # -- registration --------------------------------------------------------------------

    def _check_open(self, what: str) -> None:
        if self._included:
            raise RuntimeError(
                f"Blueprint {self.name!r} is already included in an app, so {what} would "
                f"not reach it; register everything on the blueprint before app.include()."
            )

    def add_route(
        self,
        path: str | None = None,
        endpoint: Any = None,
        *,
        methods: list[str] | None = None,
        websocket: bool = False,
        before_request: bool = False,
        static: bool = False,
        name: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> None:
        """Register ``endpoint`` for ``path`` (``""`` is the prefix itself); see :meth:`route`."""
        self._check_open(f"the route {path!r}")
        if before_request:
            if endpoint is None:
                raise RouteError("add_route(before_request=True) needs the hook function.")
            self._add_hook(endpoint, websocket)
            return
        if static:
            raise RouteError(
                f"Blueprint {self.name!r} cannot serve the single-page app (static=True); "
                "register it on the app with app.add_route(path, static=True)."
            )
        if path is None or endpoint is None:
            raise RouteError("add_route() needs a path and an endpoint (or before_request=True).")
        if path and not path.startswith("/"):
            raise RouteError(f"Route path {path!r} must be empty or start with '/'.")
        if isinstance(tags, str):
            raise TypeError(f"tags must be a list of strings, not the string {tags!r}.")
        record = _RouteRecord(path, endpoint, methods, websocket, name, tuple(tags or ()))
        self._records.append(record)
        # A guard or validator stacked above @bp.route would wrap a copy the blueprint
        # never registers: mark the view now so that decorator raises (see dyne._meta).
        _meta.mark_routed(endpoint)

    def before_request(
        self, hook: Callable[..., Any] | None = None, *, websocket: bool = False
    ) -> Any:
        """Run the decorated ``hook(req, resp)`` before each of this blueprint's routes, after
        the app's hooks (``websocket=True``: ``async def hook(ws)`` before its WebSocket
        routes). A hook that redirects, sets a 4xx/5xx status or sets ``resp.complete`` ends
        the request."""

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            self._check_open("the hook")
            self._add_hook(func, websocket)
            return func

        return decorator(hook) if hook is not None else decorator

    def _add_hook(self, hook: Callable[..., Any], websocket: bool) -> None:
        if not callable(hook):
            raise TypeError(f"A before_request hook must be callable, not {hook!r}.")
        # Converted once, here: a sync hook runs in the thread pool, an async one as is.
        (self._before_websocket if websocket else self._before_request).append(as_async(hook))

    def add_error_handler(
        self, key: int | type[BaseException], handler: Callable[..., Any]
    ) -> None:
        """Register ``handler`` for a status code or an exception class."""
        check_error_key(key)
        self._check_open("the error handler")
        self._error_handlers[key] = as_async(handler)

    def mount(self, prefix: str, app: Any, *, name: str | None = None) -> None:
        """Serve another ASGI (or WSGI) app under ``prefix`` below the blueprint's prefix."""
        self._check_open(f"the mount {prefix!r}")
        self._records.append(_MountRecord(_check_prefix(prefix, "Mount prefix"), app, name))

    def include(self, blueprint: Blueprint, prefix: str | None = None) -> None:
        """Nest ``blueprint`` in this one: its paths go below this prefix (and ``prefix``),
        its names below this name (``"parent.child.view"``), and this blueprint's guards,
        hooks, error handlers and tags apply to its routes too."""
        if not isinstance(blueprint, Blueprint):
            raise TypeError(f"include() takes a dyne.Blueprint, not {blueprint!r}.")
        self._check_open(f"the blueprint {blueprint.name!r}")
        if blueprint is self or self in blueprint._descendants():
            raise RouteError(
                f"Blueprint {blueprint.name!r} cannot be nested in {self.name!r}: it contains "
                "it already (a cycle)."
            )
        for record in self._records:
            if isinstance(record, _ChildRecord) and record.blueprint.name == blueprint.name:
                raise RouteError(
                    f"Blueprint {self.name!r} already holds a blueprint named "
                    f"{blueprint.name!r}; give one of them another name."
                )
        self._records.append(_ChildRecord(blueprint, _check_prefix(prefix)))

    def _descendants(self) -> Iterator[Blueprint]:
        for record in self._records:
            if isinstance(record, _ChildRecord):
                yield record.blueprint
                yield from record.blueprint._descendants()

    # -- including -----------------------------------------------------------------------

    def register(self, app: App, prefix: str | None = None) -> None:
        """Replay this blueprint onto ``app`` (what ``app.include(bp, prefix)`` does)."""
        items = list(self._flatten(_Scope(prefix=_check_prefix(prefix))))
        names: dict[str, Any] = {}
        for item in items:
            if isinstance(item, _ResolvedMount):
                continue
            taken = names.get(item.name)
            if taken is not None and taken is not item.original:
                raise RouteError(
                    f"Route name {item.name!r} is used by two views, {_label(taken)} and "
                    f"{_label(item.original)}; pass name=... to one of them."
                )
            if taken is None and app.router.route_named(item.name) is not None:
                raise RouteError(
                    f"Route name {item.name!r} is already registered in this app; a blueprint "
                    f"named {item.name.split('.')[0]!r} may be included once per app, so "
                    "rename one of the blueprints."
                )
            names[item.name] = item.original
        _check_clashes(app, items)
        for blueprint in (self, *self._descendants()):
            blueprint._included = True
        for item in items:
            if isinstance(item, _ResolvedMount):
                app.mount(item.prefix, item.app, name=item.name)
                continue
            app.add_route(
                item.path,
                item.endpoint,
                methods=item.methods,
                websocket=item.websocket,
                name=item.name,
                tags=item.tags or None,
            )
            # url_for(view) works with the view as written, not only with its wrapper.
            app.router.alias(item.original, item.name)

    def _flatten(self, outer: _Scope) -> Iterator[_ResolvedRoute | _ResolvedMount]:
        scope = _Scope(
            prefix=outer.prefix + self.prefix,
            names=(*outer.names, self.name),
            tags=_unique(outer.tags, self.tags),
            guards=(*outer.guards, *self.guards),
            hooks=(*outer.hooks, *self._before_request),
            websocket_hooks=(*outer.websocket_hooks, *self._before_websocket),
            handlers=(
                (self._error_handlers, *outer.handlers) if self._error_handlers else outer.handlers
            ),
        )
        for record in self._records:
            if isinstance(record, _ChildRecord):
                child = dataclasses.replace(scope, prefix=scope.prefix + record.prefix)
                yield from record.blueprint._flatten(child)
            elif isinstance(record, _MountRecord):
                if scope.guards:
                    raise RouteError(
                        f"Blueprint {scope.names[-1]!r} has guards, which cannot protect the "
                        f"app mounted at {record.prefix!r}; mount it on an unguarded blueprint "
                        "(or the app) and protect it in its own way."
                    )
                if scope.hooks or scope.websocket_hooks:
                    # The hooks take (req, resp) or (ws) and never see a mounted app's
                    # requests: a hook that refuses would silently leave the mount open.
                    raise RouteError(
                        f"Blueprint {scope.names[-1]!r} has before_request hooks, which do not "
                        f"run for the app mounted at {record.prefix!r}; mount it on a blueprint "
                        "without hooks (or the app) and protect it in its own way."
                    )
                name = ".".join((*scope.names, record.name)) if record.name else None
                yield _ResolvedMount(scope.prefix + record.prefix, record.app, name)
            else:
                yield _resolve(record, scope)


def _check_clashes(app: App, items: Sequence[_ResolvedRoute | _ResolvedMount]) -> None:
    """Raise the ``RouteError`` registering ``items`` would raise halfway, before anything
    is registered: ``include()`` adds all of a blueprint's routes or none of them."""
    trial = Router()
    for route in app.router.routes:
        trial.add(route)
    table = app.path_converters or None
    for item in items:
        if isinstance(item, _ResolvedMount):
            trial.add(Mount(item.prefix, item.app, name=item.name))
        elif item.websocket:
            trial.add(WebSocketRoute(item.path, item.endpoint, name=item.name, converters=table))
        else:
            route = Route(
                item.path,
                item.endpoint,
                methods=item.methods,
                name=item.name,
                tags=item.tags or None,
                converters=table,
            )
            trial.add(route)


@dataclass(slots=True)
class _ResolvedRoute:
    path: str
    endpoint: Any
    original: Any
    methods: list[str] | None
    websocket: bool
    name: str
    tags: tuple[str, ...]


@dataclass(slots=True)
class _ResolvedMount:
    prefix: str
    app: Any
    name: str | None


def _label(endpoint: Any) -> str:
    return getattr(endpoint, "__qualname__", None) or repr(endpoint)


def _resolve(record: _RouteRecord, scope: _Scope) -> _ResolvedRoute:
    path = scope.prefix + record.path
    if not path:
        raise RouteError(
            f"Blueprint {scope.names[-1]!r} has a route with an empty path and no prefix; "
            "give the route a path such as '/'."
        )
    original = record.endpoint
    base: str = record.name or str(getattr(original, "__name__", type(original).__name__))
    name = ".".join((*scope.names, base))
    if record.websocket and scope.guards:
        raise RouteError(
            f"Blueprint {scope.names[-1]!r} has guards, which take (req, resp) and cannot "
            f"protect the WebSocket route {path!r}; put it on an unguarded blueprint and "
            "check the user in a before_request(websocket=True) hook or in the view."
        )
    tags: tuple[str, ...] = ()
    # The view was marked routed by bp.route; the blueprint's own wrappers may wrap it.
    with _meta.unrouted(original):
        if record.websocket:
            endpoint = websocket_view(original, scope.websocket_hooks)
        elif inspect.isclass(original):
            endpoint = class_view(original, scope.guards, scope.hooks, scope.handlers)
        else:
            endpoint = function_view(original, scope.guards, scope.hooks, scope.handlers)
    if not record.websocket:
        tags = _unique(scope.tags, record.tags)
    return _ResolvedRoute(path, endpoint, original, record.methods, record.websocket, name, tags)
