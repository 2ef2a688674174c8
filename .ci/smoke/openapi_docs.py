"""The openapi extras: the spec (YAML and JSON) and every docs page with all its assets.

``python openapi_docs.py [pydantic|marshmallow|none]`` documents an app validated with that
schema library (``none``: plain routes only).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from _check import check, page_assets, status

import dyne
from dyne.ext.openapi import OpenAPI

THEMES = ("swaggerui", "redoc", "rapidoc", "elements")


def make_app(library: str, uploads: Path) -> dyne.App:
    """An app using ``library`` for validation, or plain routes."""
    if library == "pydantic":
        import io_pydantic

        return io_pydantic.make_app(uploads)
    if library == "marshmallow":
        import io_marshmallow

        return io_marshmallow.make_app(uploads)
    app = dyne.App()

    @app.route("/books")
    async def books(req, resp):
        resp.media = []

    return app


def main(library: str, *, cdn: bool = False) -> None:
    """Run the checks."""
    with tempfile.TemporaryDirectory() as folder:
        for theme in THEMES:
            app = make_app(library, Path(folder))
            OpenAPI(app, title="Smoke", theme=theme)
            client = app.client
            spec = status(client.get("/openapi.json"), 200, "/openapi.json").json()
            check("/books" in spec["paths"], f"/books undocumented: {sorted(spec['paths'])}")
            if library != "none":
                post = spec["paths"]["/books"]["post"]
                check("requestBody" in post, "the @input body is undocumented")
                check("201" in post["responses"], "the @output status is undocumented")
            yaml_spec = status(client.get("/schema.yml"), 200, "/schema.yml")
            check("openapi:" in yaml_spec.text, "YAML spec")
            # Without the docs_ui packages the pages load their files from a CDN.
            page_assets(client, "/docs", local_only=not cdn)
            client.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "none", cdn="--cdn" in sys.argv[2:])
