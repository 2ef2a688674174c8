"""With App(problem_details=True), a validation failure is a problem with its field errors."""

from __future__ import annotations

import dyne


def test_io_validation_failure_is_a_problem_keeping_errors(tmp_path, monkeypatch, lib):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(problem_details=True)

    @app.route("/books", methods=["POST"])
    @lib.input(lib.Book)
    async def create(req, resp, *, data):
        resp.media = {"ok": True}

    r = app.client.post("/books", json={"title": "T", "price": "cheap"})
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert (body["type"], body["status"]) == ("about:blank", 400)
    assert list(body["errors"]) == ["price"]
    assert all(isinstance(m, str) for m in body["errors"]["price"])
