"""OpenTelemetry tracing for a Dyne app (``pip install "dyne[otel]"``): ``instrument(app)``.

One call gives every HTTP request a server span named by its route template
(``GET /items/{id:int}``) with the standard HTTP semantic-convention attributes, the
request ID (``dyne.request_id``) when request IDs are on, and the trace context of the
incoming ``traceparent`` header as its parent. Inside it, a span covers each request
attribute an extension publishes (``req.db``: from first use to the end of the request,
so the database session's commit and close are in it) and each background task the
request starts.

Spans go to the global tracer provider unless ``tracer_provider=`` says otherwise; set one
up with the OpenTelemetry SDK (an exporter, a processor). Paths in ``app.unobserved_paths``
(the ``app.health()`` endpoints) get no span.
"""

from __future__ import annotations

from dyne.ext.otel._instrument import SERVER_SPAN_ATTRIBUTES, instrument

__all__ = ["SERVER_SPAN_ATTRIBUTES", "instrument"]
