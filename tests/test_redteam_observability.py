"""Red-team regressions for logs: a value chosen by the client never starts a forged line in
a plain-text log."""

from __future__ import annotations

import logging

import dyne
from dyne.observability import ReadableFormatter

FORGED = "2026-12-04 17:00:00,000 CRITICAL dyne.auth [-] admin logged in"


def test_redteam_unhandled_error_log_keeps_a_crlf_path_on_one_line(tmp_path, monkeypatch, caplog):
    monkeypatch.chdir(tmp_path)
    app = dyne.App()

    @app.route("/items/{name}")
    def item(req, resp, name):
        raise RuntimeError("broken")

    with caplog.at_level(logging.ERROR, logger="dyne"):
        assert app.client.get(f"/items/a%0d%0a{FORGED}").status_code == 500
    [record] = [r for r in caplog.records if r.getMessage().startswith("Unhandled")]
    message = record.getMessage()
    assert "\n" not in message and "\r" not in message
    assert "\\r\\n" + FORGED in message


def test_redteam_readable_formatter_writes_one_line_per_record():
    record = logging.makeLogRecord(
        {"name": "app", "levelno": logging.INFO, "levelname": "INFO", "msg": "user %s"}
    )
    record.args = (f"bob\n{FORGED}",)
    line = ReadableFormatter().format(record)
    assert "\n" not in line
    assert line.endswith(f"user bob\\n{FORGED}")
