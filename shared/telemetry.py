"""OpenTelemetry set-up: one tracer provider per service; OTLP export only when configured.

Without OTEL_EXPORTER_OTLP_ENDPOINT spans are still made, so trace ids appear in the message timeline.
"""

from __future__ import annotations

import logging
import os

from opentelemetry import trace
from opentelemetry.propagate import extract, inject
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider

log = logging.getLogger(__name__)


def setup_tracing(service: str) -> TracerProvider:
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current  # already configured (tests install their own in-memory exporter)
    provider = TracerProvider(resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", service)}))
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
            from opentelemetry.sdk.trace.export import BatchSpanProcessor

            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        except ImportError:
            log.warning("OTEL_EXPORTER_OTLP_ENDPOINT is set but opentelemetry-exporter-otlp is not installed")
    trace.set_tracer_provider(provider)
    return provider


def current_trace_id() -> str | None:
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None


def current_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier.get("traceparent")


def context_from_traceparent(traceparent: str | None):
    return extract({"traceparent": traceparent}) if traceparent else None


def zakelijke_attributen(attrs: dict[str, object]) -> None:
    """Business attributes on the current span, all under `backoffice.` so finance can search traces by them.
    Codes, numbers and counts only: never a BSN (the BSN-free trace test holds every caller to it)."""
    span = trace.get_current_span()
    for key, value in attrs.items():
        if value is not None:
            span.set_attribute(f"backoffice.{key}", value)
