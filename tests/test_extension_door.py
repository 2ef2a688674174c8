"""dyne.extension: the public door between the core and extensions."""

from __future__ import annotations

import ast
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
