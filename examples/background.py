"""Background tasks: answer the client at once and do the slow work afterwards.

Run it with ``python examples/background.py`` and try::

    curl -X POST http://127.0.0.1:5042/reports/7     # {"status": "processing"}
    curl http://127.0.0.1:5042/reports/7             # {"status": "done", "total": ...}
"""

from __future__ import annotations

import dyne

app = dyne.App()
app.state.reports = {}


@app.background.task
def build_report(report_id: int) -> None:
    """The slow part: runs in Dyne's background thread pool, after the response is sent."""
    total = sum(i * i for i in range(200_000))
    app.state.reports[report_id] = total


@app.background.task
async def notify(report_id: int) -> None:
    """A coroutine task: runs on the app's event loop."""
    app.state.reports.setdefault("notified", []).append(report_id)


@app.route("/reports/{report_id:int}", methods=["POST"])
def start_report(req, resp, *, report_id):
    build_report(report_id)  # returns at once: the work is scheduled, not done
    notify(report_id)
    resp.status_code = 202
    resp.media = {"status": "processing"}


@app.route("/reports/{report_id:int}")
def report_status(req, resp, *, report_id):
    total = app.state.reports.get(report_id)
    resp.media = {"status": "processing"} if total is None else {"status": "done", "total": total}


if __name__ == "__main__":
    app.run()
