"""Validation and serialization with pydantic models: ``input, output, expect, webhook``.

Needs pydantic 2 (``pip install "dyne[openapi_pydantic]"``).
"""

from dyne.extension import require

require("pydantic", "openapi_pydantic")

from dyne.ext.io import decorators  # noqa: E402
from dyne.ext.io.pydantic.adapter import PydanticAdapter  # noqa: E402

__all__ = ["PydanticAdapter", "expect", "input", "output", "webhook"]

input, output, expect, webhook = decorators(PydanticAdapter)
