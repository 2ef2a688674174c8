"""examples/session_auth.py: login form, remember-me and the admin-only page."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[4] / "examples" / "session_auth.py"


@pytest.fixture
def example(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    spec = importlib.util.spec_from_file_location("example_session_auth", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    client = module.app.client
    yield client
    client.close()


def _log_in(client, username, password, **extra):
    return client.post(
        "/login?next=/admin",
        data={"username": username, "password": password, **extra},
        follow_redirects=False,
    )


def test_example_dashboard_sends_anonymous_to_the_login_form(example):
    resp = example.get("/dashboard")
    assert resp.url.path == "/login"
    assert '<form method="post">' in resp.text


def test_example_wrong_password_shows_the_form_again(example):
    resp = _log_in(example, "ada", "wrong")
    assert "Wrong username or password." in resp.text
    assert example.get("/api/me", headers={"Accept": "application/json"}).status_code == 401


def test_example_login_follows_next(example):
    resp = _log_in(example, "grace", "hopper")
    assert (resp.status_code, resp.headers["location"]) == (303, "/admin")
    assert "Only admins" in example.get("/admin").text


def test_example_admin_page_is_403_for_users(example):
    _log_in(example, "ada", "lovelace")
    assert example.get("/dashboard").text.startswith("<h1>Hello, ada</h1>")
    assert example.get("/admin").status_code == 403


def test_example_remember_me_outlives_the_session(example):
    _log_in(example, "ada", "lovelace", remember="yes")
    remember = example.cookies["dyne-Remember"]
    example.cookies.clear()
    example.cookies.set("dyne-Remember", remember)
    assert example.get("/api/me").json() == {"id": 1, "username": "ada"}


def test_example_logout_ends_the_session(example):
    _log_in(example, "ada", "lovelace", remember="yes")
    assert example.post("/logout", follow_redirects=False).headers["location"] == "/login"
    assert example.get("/api/me", headers={"Accept": "application/json"}).status_code == 401
