"""Tutorial step 6: the finished app's tests, through app.client."""

import pytest
from step5_openapi import app

AUTH = {"Authorization": "Bearer test-token"}


@pytest.fixture
def client():
    client = app.client  # its startup events have run: the tables exist
    yield client
    client.close()  # runs the shutdown events; the next test gets a new client


def test_create_task_returns_it(client):
    response = client.post("/tasks", json={"title": "Write the docs"}, headers=AUTH)
    assert response.status_code == 201
    assert response.json()["title"] == "Write the docs"
    assert response.json()["done"] is False


def test_created_task_is_listed(client):
    task = client.post("/tasks", json={"title": "Listed"}, headers=AUTH).json()
    assert task in client.get("/tasks").json()


def test_patch_marks_a_task_done(client):
    task = client.post("/tasks", json={"title": "Finish"}, headers=AUTH).json()
    response = client.patch(f"/tasks/{task['id']}", json={"done": True}, headers=AUTH)
    assert response.json()["done"] is True
    assert client.get(f"/tasks/{task['id']}").json()["done"] is True


def test_empty_title_is_a_400(client):
    response = client.post("/tasks", json={"title": ""}, headers=AUTH)
    assert response.status_code == 400
    assert "title" in response.json()["errors"]


def test_missing_task_is_a_404(client):
    assert client.get("/tasks/999999").status_code == 404


def test_writing_without_the_token_is_a_401(client):
    response = client.post("/tasks", json={"title": "Sneaky"})
    assert response.status_code == 401
    assert "Sneaky" not in client.get("/tasks").text


def test_openapi_documents_the_tasks(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/tasks", "/tasks/{id}"} <= set(paths)
