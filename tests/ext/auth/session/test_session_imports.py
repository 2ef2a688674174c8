"""Session auth needs only the core: hiding every optional library leaves it importable.

Each check runs in a fresh interpreter, so hiding libraries and re-importing Dyne's
modules cannot leak into the other tests.
"""

from __future__ import annotations

import subprocess
import sys

OPTIONAL = ["pydantic", "marshmallow", "apispec", "strawberry", "graphene", "sqlalchemy"]


def run_hidden(code: str) -> str:
    """Run ``code`` with the optional libraries hidden; return what it printed."""
    hide = "".join(f"sys.modules[{name!r}] = None; " for name in OPTIONAL)
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; {hide}{code}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_session_imports_without_optional_libraries():
    out = run_hidden(
        "import dyne.ext.auth.session as s; "
        "names = {'LoginManager', 'CurrentUserHook', 'LoginMiddleware', 'AuthFailureReason'}; "
        "print(sorted(names - set(s.__all__)))"
    )
    assert out == "[]"


def test_auth_reexports_session_names_without_optional_libraries():
    out = run_hidden("from dyne.ext.auth import LoginManager; print(LoginManager.__module__)")
    assert out == "dyne.ext.auth.session._manager"
