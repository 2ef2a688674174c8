"""The one engine behind ``@input``, ``@output``, ``@expect`` and ``@webhook``.

Everything that does not depend on the schema library lives here: reading each location,
injecting the keyword argument, calling the view, serializing ``resp.obj``, the error
body and the metadata. A library only supplies an adapter class (see ``_adapter.py``);
:func:`decorators` turns it into the four decorators.

Stacked ``@input``/``@output`` decorators merge into a single wrapper around the view, so
a request pays for one extra call however many of them an endpoint has.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from dyne import extension
from dyne.exceptions import HTTPException
from dyne.extension import as_async, is_async_callable, view_arguments
from dyne.request import Request

from ._data import to_attr_data
from ._output import SerializationError, serialize
from ._readers import Invalid, Reader, make_reader
from ._specs import ExpectSpec, InputSpec, OutputSpec, WebhookSpec
from ._types import ExpectDecorator, InputDecorator, OutputDecorator, WebhookDecorator

__all__ = ["LOCATIONS", "SerializationError", "decorators"]

#: location as written → (location recorded in the metadata, default keyword)
LOCATIONS: dict[str, tuple[str, str]] = {
    "media": ("media", "data"),
    "form": ("form", "data"),
    "query": ("query", "query"),
    "params": ("query", "params"),
    "header": ("header", "header"),
    "headers": ("header", "headers"),
    "cookie": ("cookie", "cookie"),
    "cookies": ("cookie", "cookies"),
}
# endpoint → its plan; kept beside the function, not on it, so a foreign wrapper that
# copies __dict__ (functools.wraps) is never mistaken for one of ours.
_PLANS: weakref.WeakKeyDictionary[Any, _Plan] = weakref.WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class _Input:
    spec: InputSpec
    read: Reader


@dataclass(frozen=True, slots=True)
class _Plan:
    """What one wrapper does: the view it calls, the inputs it reads, the output it writes."""

    view: Callable[..., Any]
    is_async: bool
    inputs: tuple[_Input, ...] = ()
    output: OutputSpec | None = None


# -- the wrapper -----------------------------------------------------------------------


def _build(plan: _Plan, like: Callable[..., Any]) -> Callable[..., Any]:
    call = as_async(plan.view)  # a def view runs in the thread pool
    # (keyword, reader) pairs, unpacked once here rather than per request
    inputs = tuple((item.spec.key, item.read) for item in plan.inputs)
    output = plan.output

    async def endpoint(*args: Any, **kwargs: Any) -> Any:
        # A function view's call, (req, resp, **params), is told apart without a call.
        if len(args) == 2 and type(args[0]) is Request:
            req, resp = args
        else:
            req, resp = view_arguments(args, "@input/@output")
        if inputs:
            try:
                for key, read in inputs:
                    kwargs[key] = to_attr_data(await read(req))
            except Invalid as invalid:
                # Raised, not written: @app.error_handler(400) may reshape it.
                raise HTTPException(
                    400, "The request does not fit the schema.", media={"errors": invalid.errors}
                ) from None
            except RecursionError:
                # The decoders bound nesting; a schema library that recurses through what
                # they let through must still not turn the client's document into a 500.
                detail = "The request data is nested too deeply to validate; send flatter data."
                raise HTTPException(400, detail, media={"errors": {"_schema": [detail]}}) from None
            except HTTPException as exc:
                # A body that does not decode is the same kind of client mistake as one that
                # does not validate: answer it in the same shape. 413/415 stay as they are.
                if exc.status_code != 400 or exc.media is not None:
                    raise
                raise HTTPException(
                    400,
                    exc.detail,
                    headers=exc.headers,
                    media={"errors": {"_schema": [exc.detail]}},
                ) from None
        if output is None:
            return await call(*args, **kwargs)
        status_before = resp.status_code
        result = await call(*args, **kwargs)
        obj = resp.obj
        if obj is None:
            if result is None or result is resp:
                return result
            obj = result
        await serialize(resp, obj, output, status_before)
        return None

    extension.wraps(like)(endpoint)
    _PLANS[endpoint] = plan
    return endpoint


def _plan_of(func: Callable[..., Any]) -> _Plan:
    try:
        plan = _PLANS.get(func)
    except TypeError:  # not weak-referenceable: certainly not one of ours
        plan = None
    if plan is not None:
        return plan
    if inspect.isclass(func) or not callable(func):
        raise TypeError(
            f"@input/@output decorate a view function or a class view's on_<method>, not {func!r}."
        )
    return _Plan(view=func, is_async=is_async_callable(func))


def _check_accepts(func: Callable[..., Any], key: str) -> None:
    try:
        parameters = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return
    for parameter in parameters:
        if parameter.kind is parameter.VAR_KEYWORD:
            return
        if parameter.name == key and parameter.kind is not parameter.POSITIONAL_ONLY:
            return
    name = getattr(func, "__qualname__", repr(func))
    raise TypeError(
        f"The view {name} does not accept the keyword {key!r} that @input injects; "
        f"add `*, {key}` to its parameters or pass key=... to @input."
    )


# -- the decorators --------------------------------------------------------------------


def decorators(
    adapter_cls: Callable[[Any], Any],
) -> tuple[InputDecorator, OutputDecorator, ExpectDecorator, WebhookDecorator]:
    """Build ``(input, output, expect, webhook)`` for one schema library's adapter class."""

    def make_adapter(schema: Any) -> Any:
        return adapter_cls(schema)

    def input(schema: Any, location: str = "media", key: str | None = None) -> Any:
        """Validate the request's ``location`` with ``schema`` and pass the data as ``key``.

        :param location: ``media`` (the body: JSON, YAML or a form, by Content-Type; the
            default), ``form``, ``query`` (or ``params``), ``header``/``headers``,
            ``cookie``/``cookies``.
        :param key: the keyword argument injected: ``data`` for media and form, otherwise
            the location as written.

        Invalid data is answered with 400 and ``{"errors": {"field": ["message"]}}``; the
        view does not run.
        """
        if location not in LOCATIONS:
            raise ValueError(
                f"Unknown @input location {location!r}; use one of: {', '.join(LOCATIONS)}."
            )
        recorded, default_key = LOCATIONS[location]
        key = key or default_key
        if not key.isidentifier():
            raise ValueError(f"@input key {key!r} is not a valid Python identifier.")
        adapter = make_adapter(schema)
        spec = InputSpec(adapter=adapter, location=recorded, key=key)
        item = _Input(spec=spec, read=make_reader(adapter, recorded))

        def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
            extension.check_not_routed(func, "@input(...)")
            plan = _plan_of(func)
            if any(existing.spec.key == key for existing in plan.inputs):
                raise ValueError(
                    f"Two @input decorators inject {key!r}; give one of them another key=."
                )
            _check_accepts(plan.view, key)
            endpoint = _build(replace(plan, inputs=(item, *plan.inputs)), func)
            return extension.append(endpoint, "inputs", spec)

        return decorate

    def output(
        schema: Any,
        status_code: int = 200,
        header: Any = None,
        description: str | None = None,
        *,
        headers: Any = None,
        many: bool | None = None,
    ) -> Any:
        """Serialize ``resp.obj`` (or the view's return value) with ``schema`` into
        ``resp.media`` and answer ``status_code``.

        ``resp.obj`` may be one object (a dict, an ORM row, any object with attributes)
        or a collection (a list, a tuple, a query result, any iterator). An object that
        does not fit the schema is a server error (500, logged).

        :param header: a schema the response headers must fit (also ``headers=``).
        :param description: the response's description in the OpenAPI document.
        :param many: ``True``: the body is a list of items (documented as an array; one
            object is a server error); ``False``: one object (a list is a server error);
            ``None`` (the default): either, documented as either (a marshmallow schema
            instance made with ``many=True`` means ``True``).
        """
        if header is not None and headers is not None:
            raise TypeError("@output takes header= or headers=, not both.")
        if many is not None and not isinstance(many, bool):
            raise TypeError(f"@output many= takes True, False or None, not {many!r}.")
        header_schema = header if header is not None else headers
        adapter = make_adapter(schema)
        if adapter.many and many is False:
            raise ValueError(
                f"@output got a schema made with many=True and many=False; drop one of them "
                f"({adapter.name!r})."
            )
        spec = OutputSpec(
            adapter=adapter,
            status_code=int(status_code),
            headers=make_adapter(header_schema) if header_schema is not None else None,
            description=description,
            many=True if adapter.many else many,
        )

        def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
            extension.check_not_routed(func, "@output(...)")
            plan = _plan_of(func)
            if plan.output is not None:
                raise ValueError("A view can have only one @output.")
            endpoint = _build(replace(plan, output=spec), func)
            return extension.annotate(endpoint, output=spec)

        return decorate

    def expect(responses: Mapping[int, Any]) -> Any:
        """Document more responses, for OpenAPI only: ``{401: "text"}``, ``{403: Schema}``
        or ``{404: (Schema, "text")}``. No runtime effect."""
        if not isinstance(responses, Mapping):
            raise TypeError(
                f"@expect takes a dict of status code → description/schema, not {responses!r}."
            )
        specs = {_status(code): _expect_spec(code, value) for code, value in responses.items()}

        def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
            extension.check_not_routed(func, "@expect(...)")
            known = dict(extension.meta_of(func).get("expect", {}))
            known.update(specs)
            return extension.annotate(func, expect=known)

        return decorate

    def _expect_spec(code: Any, value: Any) -> ExpectSpec:
        if isinstance(value, str):
            return ExpectSpec(description=value)
        if isinstance(value, tuple):
            if len(value) != 2 or not isinstance(value[1], str):
                raise TypeError(
                    f"@expect entry {code!r} must be (schema, description), got {value!r}."
                )
            return ExpectSpec(adapter=make_adapter(value[0]), description=value[1])
        return ExpectSpec(adapter=make_adapter(value))

    def webhook(func: Any = None, *, name: str | None = None) -> Any:
        """Mark the view as a webhook receiver in the OpenAPI document (no runtime effect):
        ``@webhook`` uses the function's name, ``@webhook(name="...")`` another one."""
        if isinstance(func, str) and name is None:
            func, name = None, func

        def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
            extension.check_not_routed(view, "@webhook")
            label = name or getattr(view, "__name__", None)
            if not label:
                raise TypeError(f"@webhook needs name=... for {view!r}.")
            return extension.annotate(view, webhook=WebhookSpec(name=label))

        return decorate(func) if func is not None else decorate

    return input, output, expect, webhook


def _status(code: Any) -> int:
    try:
        status = int(code)
    except (TypeError, ValueError):
        raise TypeError(f"@expect keys are HTTP status codes, got {code!r}.") from None
    if not 100 <= status <= 599:
        raise ValueError(f"@expect status code {status} is not between 100 and 599.")
    return status
