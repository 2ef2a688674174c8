"""A third-party Dyne extension package, written as an outside author would: it imports
only public names (``dyne``, ``dyne.extension``, ``dyne.formats``, ``dyne.ext.auth``,
``dyne.ext.io``, ``dyne.ext.openapi``).

It adds a ``{name:slug}`` path converter, NDJSON and MessagePack body formats, a plain docs
theme, an API-key auth backend usable alone, in ``MultiAuth`` and as a ``LoginManager``
request loader, and, each imported on its own, a GraphQL engine on plain graphql-core
(``graphql_engine``) and ``@input``/``@output`` for msgspec Structs (``msgspec_io``).
``docs/extending.md`` walks through it.
"""

from thirdparty_ext.auth import APIKeyAuth
from thirdparty_ext.formats import MSGPACK, NDJSON, install_msgpack, install_ndjson
from thirdparty_ext.paths import SLUG, install_slug
from thirdparty_ext.theme import PLAIN_THEME

__all__ = [
    "MSGPACK",
    "NDJSON",
    "PLAIN_THEME",
    "SLUG",
    "APIKeyAuth",
    "install_msgpack",
    "install_ndjson",
    "install_slug",
]
