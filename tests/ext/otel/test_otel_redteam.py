"""Red-team regressions for dyne.ext.otel: the cost of reading the incoming trace context
does not grow with headers the client repeats, and propagators see only their headers."""

from __future__ import annotations

import pytest

pytest.importorskip("opentelemetry.sdk")

from opentelemetry import propagate
from opentelemetry.propagators.textmap import TextMapPropagator
from opentelemetry.sdk.trace import TracerProvider

import dyne
from dyne.ext.otel import instrument


class Recording(TextMapPropagator):
    """Reads ``traceparent`` only, and remembers every carrier it was given."""

    def __init__(self) -> None:
        self.carriers: list[dict[str, str]] = []

    def extract(self, carrier, context=None, getter=None):
        self.carriers.append(dict(carrier))
        return context

    def inject(self, carrier, context=None, setter=None):
        pass

    @property
    def fields(self):
        return {"traceparent"}


@pytest.fixture
def recording(monkeypatch) -> Recording:
    propagator = Recording()
    monkeypatch.setattr(propagate, "get_global_textmap", lambda: propagator)
    return propagator


@pytest.fixture
def app(tmp_path, monkeypatch) -> dyne.App:
    monkeypatch.chdir(tmp_path)
    app = dyne.App()

    @app.route("/")
    async def home(req, resp):
        resp.text = "home"

    instrument(app, tracer_provider=TracerProvider())
    return app


def test_otel_redteam_repeated_headers_are_not_gathered_for_propagators(app, recording):
    junk = [("x-junk", "a")] * 2000 + [("authorization", "Bearer secret"), ("cookie", "s=1")]
    assert app.client.get("/", headers=junk).text == "home"
    [carrier] = recording.carriers
    assert set(carrier) <= {"traceparent", "host", "user-agent"}


def test_otel_redteam_repeated_propagated_header_is_joined_in_order(app, recording):
    app.client.get("/", headers=[("traceparent", "one"), ("traceparent", "two")])
    [carrier] = recording.carriers
    assert carrier["traceparent"] == "one,two"
