"""``python import_extension.py MODULE``: the extension an extra provides imports.

An extra with no ``dyne.ext`` module of its own (one that only adds an optional server, for
example) has nothing to import here: say so, so that a smoke program gets written for it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

if __name__ == "__main__":
    name = sys.argv[1]
    if importlib.util.find_spec(name) is None:
        print(f"note: there is no {name} to import; add a smoke program for this extra")
    else:
        importlib.import_module(name)
