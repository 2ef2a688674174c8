"""A single-page app: ``static/index.html`` at ``/`` and for every unknown GET, next to an API.

Run it with ``python examples/spa.py`` and open http://127.0.0.1:5042/some/client/route.
"""

from __future__ import annotations

from pathlib import Path

import dyne

HERE = Path(__file__).resolve().parent

app = dyne.App(static_dir=HERE / "static")
app.add_route("/", static=True)


@app.route("/api/hello")
def hello(req, resp):
    resp.media = {"hello": "world"}


if __name__ == "__main__":
    app.run()
