"""Every example app imports and answers its main route."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import EXAMPLES, load_example


def test_helloworld_example_greets(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    app = load_example("helloworld").app
    assert app.client.get("/").text == "Hello, world!"
    assert app.client.get("/hello/dyne").json() == {"hello": "dyne"}
    app.client.close()


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.py")))
def test_example_has_a_test_that_runs_it(name):
    tests = Path(__file__).resolve().parent
    mentioned = (
        any(
            name in path.read_text(encoding="utf-8")
            for path in tests.rglob("test_*.py")
            if path.name != "test_examples.py"
        )
        or name == "helloworld"
    )
    assert mentioned, f"examples/{name}.py is not exercised by any test"


def test_session_auth_example_password_as_file_part_is_400(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "examples-test-secret-key-0123456789abcdef")
    client = load_example("session_auth").app.client
    response = client.post(
        "/login",
        data={"username": "john"},
        files={"password": ("password.txt", b"password", "text/plain")},
    )
    assert response.status_code == 400
    assert "text form fields" in response.text
    client.close()


@pytest.mark.parametrize("body", [[1, 2], "just text", {"username": ["a"]}])
def test_sessions_example_login_without_a_username_object_is_400(monkeypatch, tmp_path, body):
    monkeypatch.chdir(tmp_path)
    client = load_example("sessions").app.client
    response = client.post("/login", json=body)
    assert (response.status_code, response.json()) == (400, {"error": "username is required"})
    client.close()


@pytest.mark.parametrize(
    ("message", "answer"),
    [
        ({"numbers": 5}, {"error": "numbers must be a list of numbers"}),
        ({"numbers": "12"}, {"error": "numbers must be a list of numbers"}),
        ({"numbers": [1e308, 1e308]}, {"error": "the sum is too large"}),
    ],
    ids=["not-a-list", "a-string", "sum-overflows"],
)
def test_websocket_example_sum_refuses_what_it_cannot_add(monkeypatch, tmp_path, message, answer):
    monkeypatch.chdir(tmp_path)
    app = load_example("websocket_app").app
    with app.client.websocket_connect("/ws/sum") as ws:
        ws.send_json(message)
        assert ws.receive_json() == answer
        ws.send_json({"numbers": [1, 2]})
        assert ws.receive_json() == {"sum": 3}
    app.client.close()
