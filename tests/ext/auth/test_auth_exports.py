"""The public faces of the auth extension: import paths and sorted __all__."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

MODULES = [
    "dyne.ext.auth",
    "dyne.ext.auth.stateless",
    "dyne.ext.auth.stateless.backends",
]


@pytest.mark.parametrize("name", MODULES)
def test_exports_all_is_sorted_and_importable(name):
    module = importlib.import_module(name)
    assert module.__all__ == sorted(module.__all__)
    for attribute in module.__all__:
        assert getattr(module, attribute).__doc__


def fresh(code: str) -> str:
    """Run ``code`` in a fresh interpreter (other tests re-import dyne.ext modules)."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout.strip()


def test_exports_tour_import_paths_are_the_same_objects():
    code = (
        "from dyne.ext import auth\n"
        "from dyne.ext.auth import stateless\n"
        "from dyne.ext.auth.stateless import backends\n"
        "names = ('BasicAuth', 'TokenAuth', 'DigestAuth', 'MultiAuth')\n"
        "same = [getattr(auth, n) is getattr(backends, n) for n in names]\n"
        "print(all(same) and auth.authenticate is stateless.authenticate)"
    )
    assert fresh(code) == "True"


def test_exports_session_names_are_re_exported():
    code = (
        "from dyne.ext import auth\n"
        "from dyne.ext.auth import session\n"
        "names = ('LoginManager', 'CurrentUserHook', 'LoginMiddleware', 'AuthFailureReason')\n"
        "print(all(getattr(auth, n) is getattr(session, n) for n in names))"
    )
    assert fresh(code) == "True"


def test_exports_auth_imports_no_sibling_extension():
    code = (
        "import sys, dyne.ext.auth; "
        "print(sorted(m for m in sys.modules if m.startswith('dyne.ext.') "
        "and not m.startswith('dyne.ext.auth')))"
    )
    assert fresh(code) == "[]"
