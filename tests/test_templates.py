"""Templates: files and strings, sync and async, autoescaping, app helpers."""

from __future__ import annotations

import asyncio
from pathlib import Path

import jinja2
import pytest

import dyne
from dyne.templates import Templates


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "hello.html").write_text("<p>Hello {{ name }}!</p>")
    (templates / "note.txt").write_text("Note: {{ text }}")
    (templates / "site.html").write_text("{{ site }} / {{ page }}")
    return templates


def test_templates_render_a_file(folder):
    assert Templates(directory=folder).render("hello.html", name="Ada") == "<p>Hello Ada!</p>"


def test_templates_escape_html_files(folder):
    html = Templates(directory=folder).render("hello.html", name="<script>")
    assert html == "<p>Hello &lt;script&gt;!</p>"


def test_templates_leave_text_files_unescaped(folder):
    assert Templates(directory=folder).render("note.txt", text="<b>") == "Note: <b>"


def test_templates_autoescape_can_be_turned_off(folder):
    html = Templates(directory=folder, autoescape=False).render("hello.html", name="<b>")
    assert html == "<p>Hello <b>!</p>"


def test_templates_accept_a_mapping_as_context(folder):
    assert Templates(directory=folder).render("hello.html", {"name": "Bo"}) == "<p>Hello Bo!</p>"


def test_templates_default_context_reaches_every_template(folder):
    templates = Templates(directory=folder, context={"site": "Dyne"})
    assert templates.render("site.html", page="home") == "Dyne / home"
    templates.context["site"] = "Dyne 2"
    assert templates.render_string("{{ site }}") == "Dyne 2"


def test_templates_render_async_with_enable_async(folder):
    templates = Templates(directory=folder, enable_async=True)
    html = asyncio.run(templates.render_async("hello.html", name="Ada"))
    assert html == "<p>Hello Ada!</p>"


def test_templates_render_async_works_without_enable_async(folder):
    html = asyncio.run(Templates(directory=folder).render_async("hello.html", name="Ada"))
    assert html == "<p>Hello Ada!</p>"


def test_templates_async_templates_can_await(folder):
    (folder / "await.html").write_text("{{ fetch() }}")

    async def fetch():
        return "fetched"

    templates = Templates(directory=folder, enable_async=True)
    assert asyncio.run(templates.render_async("await.html", fetch=fetch)) == "fetched"


def test_templates_render_string_escapes(folder):
    assert Templates().render_string("{{ x }}", x="<i>") == "&lt;i&gt;"


def test_templates_render_string_async(folder):
    templates = Templates(enable_async=True)
    assert asyncio.run(templates.render_string_async("{{ x }}!", x=1)) == "1!"


def test_templates_missing_file_raises_template_not_found(folder):
    with pytest.raises(jinja2.TemplateNotFound):
        Templates(directory=folder).render("nope.html")


def test_templates_app_template_uses_templates_dir(folder):
    app = dyne.App()
    assert app.template("hello.html", name="<x>") == "<p>Hello &lt;x&gt;!</p>"


def test_templates_app_template_string_follows_auto_escape(folder):
    assert dyne.App().template_string("{{ v }}", v="<b>") == "&lt;b&gt;"
    assert dyne.App(auto_escape=False).template_string("{{ v }}", v="<b>") == "<b>"


def test_templates_app_templates_dir_is_configurable(folder, tmp_path):
    other = tmp_path / "views"
    other.mkdir()
    (other / "page.html").write_text("page {{ n }}")
    assert dyne.App(templates_dir=other).template("page.html", n=2) == "page 2"


def test_templates_view_renders_into_resp_html(folder):
    app = dyne.App()

    @app.route("/hello/{name}")
    def hello(req, resp, *, name):
        resp.html = app.template("hello.html", name=name)

    r = app.client.get("/hello/Ada")
    assert r.text == "<p>Hello Ada!</p>"
    assert r.headers["content-type"] == "text/html; charset=utf-8"


def test_templates_directory_is_not_created(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    dyne.App().template_string("x")
    assert not (tmp_path / "templates").exists()


def test_templates_context_may_use_name_and_source_keys(folder):
    templates = Templates(directory=folder)
    assert templates.render("hello.html", name="x") == "<p>Hello x!</p>"
    assert templates.render_string("{{ source }}", source="s") == "s"
    assert dyne.App().template_string("{{ source }}", source="t") == "t"
