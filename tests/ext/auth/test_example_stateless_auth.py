"""examples/stateless_auth.py answers as its docstring promises."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import httpx2
import pytest

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "stateless_auth.py"


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = importlib.util.spec_from_file_location("example_stateless_auth", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    client = module.app.client
    yield client
    client.close()


def test_example_basic(client):
    assert client.get("/greet", auth=("john", "password")).text == "Hello, john!"
    assert client.get("/greet").status_code == 401


def test_example_token(client):
    response = client.get("/dashboard", headers={"Authorization": "Bearer secret_key_123"})
    assert response.json() == {"data": "Top Secret", "username": "David"}


def test_example_digest(client):
    response = client.get("/digest", auth=httpx2.DigestAuth("john", "password"))
    assert response.text == "Hello to john"


def test_example_multi(client):
    assert client.get("/Hi", auth=("john", "password")).text == "Hi, john!"
    bearer = {"Authorization": "Bearer secret_key_123"}
    assert client.get("/Hi", headers=bearer).text == "Hi, David!"
    assert client.get("/Hi", auth=httpx2.DigestAuth("john", "password")).text == "Hi, john!"


def test_example_roles(client):
    assert client.get("/user-dashboard", auth=("john", "password")).status_code == 200
    assert client.get("/user-dashboard", auth=("admin_user", "password123")).status_code == 200
    assert client.get("/system-settings", auth=("john", "password")).status_code == 403
    admin = client.get("/system-settings", auth=("admin_user", "password123"))
    assert admin.text == "Sensitive administrative settings."
