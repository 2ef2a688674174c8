"""dyne.extension: the public door between the core and extensions."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest

import dyne
from dyne import extension

EXT = Path(dyne.__file__).parent / "ext"


def test_find_request_takes_the_first_positional_request():
    app = dyne.App()
    seen = []

    @app.route("/")
    def view(req, resp):
        seen.append(extension.find_request(("self", req, resp)) is req)

    app.client.get("/")
    assert seen == [True]


def test_find_request_looks_in_keyword_arguments():
    app = dyne.App()
    seen = []

    @app.route("/")
    def view(req, resp):
        seen.append(extension.find_request((), {"request": req}) is req)

    app.client.get("/")
    assert seen == [True]


def test_find_request_is_none_without_a_request():
    assert extension.find_request((1, "two"), {"three": 3}) is None


def test_view_arguments_returns_the_request_and_the_response_after_it():
    app = dyne.App()
    seen = []

    @app.route("/")
    def view(req, resp):
        seen.append(extension.view_arguments(("self", req, resp)) == (req, resp))

    app.client.get("/")
    assert seen == [True]


def test_view_arguments_without_a_request_names_the_decorator():
    with pytest.raises(TypeError, match="@mine"):
        extension.view_arguments((1, 2), "@mine")


def test_derive_key_differs_by_purpose():
    app = dyne.App(secret_key="a-long-enough-secret-key")
    assert extension.derive_key(app, "one") != extension.derive_key(app, "two")


def test_derive_key_differs_by_secret():
    first = dyne.App(secret_key="a-long-enough-secret-key")
    second = dyne.App(secret_key="another-long-enough-secret")
    assert extension.derive_key(first, "one") != extension.derive_key(second, "one")


def test_derive_key_is_stable_for_the_same_secret():
    first = dyne.App(secret_key="a-long-enough-secret-key")
    second = dyne.App(secret_key="a-long-enough-secret-key")
    assert extension.derive_key(first, "one") == extension.derive_key(second, "one")


def test_secret_key_reads_the_config_set_after_app():
    app = dyne.App(environ={})
    app.config.set("SECRET_KEY", "set-later-and-long-enough")
    assert extension.secret_key(app) == "set-later-and-long-enough"


def test_secret_key_is_none_when_unset():
    assert extension.secret_key(dyne.App(environ={})) is None


def test_secret_key_refuses_a_short_config_key():
    app = dyne.App(environ={})
    app.config.set("SECRET_KEY", "short")
    with pytest.raises(ValueError, match="SECRET_KEY"):
        extension.secret_key(app)


def test_register_puts_the_extension_in_app_extensions():
    app = dyne.App()
    thing = object()
    extension.register(app, "thing", thing)
    assert app.extensions["thing"] is thing


def test_register_the_same_extension_twice_changes_nothing():
    app = dyne.App()
    thing = object()
    extension.register(app, "thing", thing)
    extension.register(app, "thing", thing)
    assert list(app.extensions) == ["thing"]


def test_register_a_second_extension_under_a_taken_name_raises():
    app = dyne.App()
    extension.register(app, "thing", object())
    with pytest.raises(RuntimeError, match="'thing'"):
        extension.register(app, "thing", object())


def test_app_extensions_leaves_app_state_to_the_user():
    app = dyne.App()
    extension.register(app, "thing", object())
    assert not hasattr(app.state, "thing")


def test_not_found_fallback_answers_unmatched_gets():
    app = dyne.App()

    def fallback(req, resp):
        resp.text = f"fallback for {req.path}"

    extension.set_not_found_fallback(app, fallback)
    assert app.client.get("/nowhere").text == "fallback for /nowhere"


def test_not_found_fallback_leaves_other_methods_a_404():
    app = dyne.App()

    async def fallback(req, resp):
        resp.text = "fallback"

    extension.set_not_found_fallback(app, fallback)
    assert app.client.post("/nowhere").status_code == 404


def _private_core_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] != "dyne" or parts[1:2] == ["ext"]:
                continue
            if any(part.startswith("_") and part != "__version__" for part in parts):
                found.append(f"{path.name}: from {node.module} import ...")
            found += [
                f"{path.name}: from {node.module} import {alias.name}"
                for alias in node.names
                if alias.name.startswith("_") and alias.name != "__version__"
            ]
    return found


def test_extensions_import_no_private_core_name():
    found = [line for path in EXT.rglob("*.py") for line in _private_core_imports(path)]
    assert found == []


PINNED = [
    extension.PinnedAsset("app.js", "https://cdn.example.org/x@1/app.js", "sha384-" + "A" * 64),
    extension.PinnedAsset("app.css", "https://cdn.example.org/x@1/app.css", "sha384-" + "B" * 64),
]


def _page_assets(local, monkeypatch):
    monkeypatch.setattr(extension.PageAssets, "_warned", set())
    return extension.PageAssets(
        PINNED, local, logger=logging.getLogger("test"), what="The test page", fix="fix it."
    )


def test_page_assets_with_every_file_local_link_to_the_app(tmp_path, monkeypatch):
    files = {name: tmp_path / name for name in ("app.js", "app.css")}
    assets = _page_assets(files, monkeypatch)
    assert (
        assets.link("app.js", "/assets/app.js").script() == '<script src="/assets/app.js"></script>'
    )
    assert assets.sources == "'self'"


def test_page_assets_missing_a_file_use_the_cdn_with_integrity(tmp_path, monkeypatch, caplog):
    with caplog.at_level(logging.WARNING, logger="test"):
        assets = _page_assets({"app.js": tmp_path / "app.js"}, monkeypatch)
    link = assets.link("app.css", "/assets/app.css")
    assert link.stylesheet() == (
        '<link rel="stylesheet" href="https://cdn.example.org/x@1/app.css" '
        f'integrity="{PINNED[1].integrity}" crossorigin="anonymous">'
    )
    assert assets.sources == "'self' https://cdn.example.org"
    assert "app.css" in caplog.records[0].getMessage()


def test_page_assets_serve_only_their_own_files(tmp_path, monkeypatch):
    (tmp_path / "app.js").write_text("console.log(1)")
    (tmp_path / "app.css").write_text("body{}")
    assets = _page_assets({n: tmp_path / n for n in ("app.js", "app.css")}, monkeypatch)
    app = dyne.App()

    @app.route("/assets/{name:path}")
    def serve(req, resp, name):
        if not assets.serve(resp, name):
            resp.status_code = 404

    response = app.client.get("/assets/app.js")
    assert (response.text, response.headers["content-type"]) == (
        "console.log(1)",
        "text/javascript; charset=utf-8",
    )
    assert app.client.get("/assets/secret.txt").status_code == 404


def test_package_files_finds_files_without_importing_the_package(tmp_path, monkeypatch):
    package = tmp_path / "fake_assets_pkg"
    (package / "dist").mkdir(parents=True)
    (package / "__init__.py").write_text("raise RuntimeError('imported')")
    (package / "dist" / "ui-1.2.js").write_text("x")
    monkeypatch.syspath_prepend(str(tmp_path))
    found = extension.package_files(
        "fake_assets_pkg", {"ui.js": "dist/ui-*.js", "ui.css": "ui.css"}
    )
    assert found == {"ui.js": package / "dist" / "ui-1.2.js"}
