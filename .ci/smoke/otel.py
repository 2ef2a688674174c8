"""The otel extra: instrument(app) gives each request a server span named by its route."""

from __future__ import annotations

from _check import check, status
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import dyne
from dyne.ext.otel import instrument


def main() -> None:
    """Run the checks."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = dyne.App()

    @app.route("/items/{id:int}")
    async def item(req, resp, *, id):
        resp.media = {"id": id}

    instrument(app, tracer_provider=provider)
    client = app.client
    status(client.get("/items/7"), 200, "GET /items/7")
    client.close()
    names = [span.name for span in exporter.get_finished_spans()]
    check("GET /items/{id:int}" in names, f"no server span named by the route: {names}")


if __name__ == "__main__":
    main()
