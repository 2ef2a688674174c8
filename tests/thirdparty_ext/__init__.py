"""A third-party Dyne extension package, written as an outside author would: it imports
only public names (``dyne``, ``dyne.extension``, ``dyne.ext.auth``, ``dyne.ext.openapi``).

It adds a ``{name:slug}`` path converter, an NDJSON body format, a plain docs theme, an
API-key auth backend usable alone or in ``MultiAuth``, and (``graphql_engine``, imported on
its own) a GraphQL engine on plain graphql-core. ``docs/extending.md`` walks through it.
"""

from thirdparty_ext.auth import APIKeyAuth
from thirdparty_ext.formats import NDJSON, install_ndjson
from thirdparty_ext.paths import SLUG, install_slug
from thirdparty_ext.theme import PLAIN_THEME

__all__ = ["NDJSON", "PLAIN_THEME", "SLUG", "APIKeyAuth", "install_ndjson", "install_slug"]
