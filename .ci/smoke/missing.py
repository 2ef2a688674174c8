"""Each feature whose extra is NOT installed fails with MissingDependency naming that extra.

``python missing.py FEATURE...`` with features from :data:`FEATURES`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

from _check import SmokeFailure, check

from dyne.exceptions import MissingDependency


def _import(module: str) -> Callable[[], object]:
    return lambda: importlib.import_module(module)


def _openapi_with_marshmallow() -> object:
    import dyne
    from dyne.ext.openapi import OpenAPI

    return OpenAPI(dyne.App())


def _serve_with_granian() -> object:
    from dyne.servers import granian_options

    return granian_options("app:app", host="127.0.0.1", port=8000)


#: feature -> (what a user does, the extra the message must name)
FEATURES: dict[str, tuple[Callable[[], object], str]] = {
    "pydantic": (_import("dyne.ext.io.pydantic"), "openapi_pydantic"),
    "marshmallow": (_import("dyne.ext.io.marshmallow"), "openapi_marshmallow"),
    "apispec": (_openapi_with_marshmallow, "openapi_marshmallow"),
    "strawberry": (_import("dyne.ext.graphql.strawberry"), "graphql_strawberry"),
    "graphene": (_import("dyne.ext.graphql.graphene"), "graphql_graphene"),
    "sqlalchemy": (_import("dyne.ext.db.alchemical"), "sqlalchemy"),
    "redis": (_import("dyne.ext.redis"), "redis"),
    "tasks": (_import("dyne.ext.tasks"), "tasks"),
    "otel": (_import("dyne.ext.otel"), "otel"),
    "granian": (_serve_with_granian, "granian"),
}


def main(features: list[str]) -> None:
    """Check every named feature."""
    for feature in features:
        action, extra = FEATURES[feature]
        try:
            action()
        except MissingDependency as exc:
            wanted = f'pip install "dyne[{extra}]"'
            check(wanted in str(exc), f"{feature}: message lacks {wanted!r}: {exc}")
        else:
            raise SmokeFailure(f"{feature}: worked although its extra is not installed")


if __name__ == "__main__":
    main(sys.argv[1:])
