"""``python import_extension.py MODULE``: the extension an extra provides imports."""

from __future__ import annotations

import importlib
import sys

if __name__ == "__main__":
    importlib.import_module(sys.argv[1])
