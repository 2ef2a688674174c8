"""``@input``/``@output``/``@expect``/``@webhook`` above ``@app.route`` are refused when
the decorator runs (the route would run without them), for both schema libraries."""

from __future__ import annotations

import pytest


def _decorators(lib):
    return {
        "input": (lib.input(lib.Book), r"@input\(\.\.\.\)"),
        "output": (lib.output(lib.BookOut), r"@output\(\.\.\.\)"),
        "expect": (lib.expect({404: "Not found"}), r"@expect\(\.\.\.\)"),
        "webhook": (lib.webhook(name="hook"), "@webhook"),
    }


@pytest.mark.parametrize("name", ["input", "output", "expect", "webhook"])
def test_io_decorator_above_route_is_a_type_error(app, lib, name):
    decorator, shown = _decorators(lib)[name]

    async def view(req, resp, *, data=None):
        pass

    routed = app.route("/books", methods=["POST"])(view)
    with pytest.raises(TypeError, match=f"{shown} is above @app.route on view"):
        decorator(routed)


def test_io_decorator_below_route_is_accepted(app, client, lib):
    @app.route("/books", methods=["POST"])
    @lib.input(lib.Book)
    async def create(req, resp, *, data):
        resp.media = {"title": data["title"]}

    r = client.post("/books", json={"title": "T", "price": 1})
    assert r.json() == {"title": "T"}
