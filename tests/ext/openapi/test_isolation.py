"""The OpenAPI extension stands alone: no schema library, auth or io module is imported."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_openapi_imports_nothing_of_its_siblings():
    result = _run(
        """
        import sys
        import dyne
        from dyne.ext.openapi import OpenAPI

        app = dyne.App()
        OpenAPI(app).spec
        loaded = sorted(
            name for name in sys.modules
            if name.split(".")[0] in ("pydantic", "marshmallow", "apispec")
            or name.startswith(("dyne.ext.io", "dyne.ext.auth", "dyne.ext.db", "dyne.ext.graphql"))
        )
        print(loaded)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_openapi_works_with_schema_libraries_hidden(app, monkeypatch):
    for package in ("pydantic", "marshmallow", "apispec"):
        monkeypatch.setitem(sys.modules, package, None)
    for name in [name for name in sys.modules if name.startswith("dyne.ext.openapi")]:
        monkeypatch.delitem(sys.modules, name)
    from dyne.ext.openapi import OpenAPI

    @app.route("/ping")
    async def ping(req, resp):
        pass

    assert "/ping" in OpenAPI(app).spec["paths"]
