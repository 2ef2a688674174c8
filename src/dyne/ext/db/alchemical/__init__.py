"""SQLAlchemy 2 (async) for Dyne, through Alchemical.

``db = Alchemical(app)`` reads the ``ALCHEMICAL_*`` configuration keys; models inherit
from :class:`Model` (optionally with :class:`CRUDMixin`); views get a request-scoped session
with ``session = await req.db``; ``@db.transaction`` commits or rolls back a view's work.
Install with ``pip install "dyne[sqlalchemy]"``.
"""

from dyne.extension import require

require("sqlalchemy", "sqlalchemy")
require("alchemical", "sqlalchemy")

from alchemical.aio import Model  # noqa: E402

from dyne.ext.db.alchemical._crud import CRUDMixin  # noqa: E402
from dyne.ext.db.alchemical._engine import DatabaseUnavailable  # noqa: E402
from dyne.ext.db.alchemical._extension import Alchemical  # noqa: E402

__all__ = ["Alchemical", "CRUDMixin", "DatabaseUnavailable", "Model"]
