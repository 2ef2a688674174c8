"""Validation and serialization with marshmallow schemas: ``input, output, expect, webhook``.

Needs marshmallow 3.20+ or 4 (``pip install "dyne[openapi_marshmallow]"``).
"""

from dyne.extension import require

require("marshmallow", "openapi_marshmallow")

from dyne.ext.io import decorators  # noqa: E402
from dyne.ext.io.marshmallow.adapter import MarshmallowAdapter  # noqa: E402

__all__ = ["MarshmallowAdapter", "expect", "input", "output", "webhook"]

input, output, expect, webhook = decorators(MarshmallowAdapter)
