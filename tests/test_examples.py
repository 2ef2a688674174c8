"""Every example app imports and answers its main route."""

from __future__ import annotations

import pytest

import dyne
from dyne.routing import Route
from support import EXAMPLES, load_example


def test_helloworld_example_greets(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    app = load_example("helloworld").app
    assert app.client.get("/").text == "Hello, world!"
    assert app.client.get("/hello/dyne").json() == {"hello": "dyne"}
    app.client.close()


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.py")))
def test_example_serves_its_plain_get_routes_without_a_server_error(name, monkeypatch, tmp_path):
    # Every example is imported and run here; the tests beside each feature check what
    # its routes answer. A blueprint module is served by the app that includes it.
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.setenv("SECRET_KEY", "examples-test-secret-key-0123456789abcdef")
    module = load_example(name)
    app = getattr(module, "app", None)
    if app is None:
        blueprints = [v for v in vars(module).values() if isinstance(v, dyne.Blueprint)]
        assert blueprints, f"examples/{name}.py defines neither an app nor a blueprint"
        return
    assert isinstance(app, dyne.App)
    assert app.router.routes, f"examples/{name}.py registers no route"
    with app.client as client:
        answers = {
            route.path: client.get(route.path).status_code
            for route in app.router.routes
            if isinstance(route, Route) and "GET" in route.methods and not route.compiled.converters
        }
    assert [path for path, status in answers.items() if status >= 500] == []


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
