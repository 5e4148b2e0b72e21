"""OpenTelemetry set-up: one tracer provider per service; OTLP export only when configured.

Without OTEL_EXPORTER_OTLP_ENDPOINT spans are still made, so trace ids appear in the message timeline.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

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
        # The standard exporter (OTLP over HTTP/protobuf), configured by the standard OTEL_* variables.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    instrument_asyncpg(provider)
    return provider


def instrument_asyncpg(provider: TracerProvider) -> None:
    """Every database call a span in the trace of the work it does. Statements are recorded with their $n
    placeholders, never the values bound to them (capture_parameters stays off: values may be a BSN)."""
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    instrumentor = AsyncPGInstrumentor(capture_parameters=False)
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument(tracer_provider=provider)


def current_trace_id() -> str | None:
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None


def current_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier.get("traceparent")


def context_from_traceparent(traceparent: str | None):
    return extract({"traceparent": traceparent}) if traceparent else None


def zakelijke_attributen(attrs: Mapping[str, Any]) -> None:
    """Business attributes on the current span, all under `backoffice.` so finance can search traces by them.
    Codes, numbers and counts only: never a BSN (the BSN-free trace test holds every caller to it)."""
    span = trace.get_current_span()
    for key, value in attrs.items():
        if value is not None:
            span.set_attribute(f"backoffice.{key}", value)


def gedaan_in_trace(naam: str, traceparent: str | None, begin_ns: int, attrs: Mapping[str, Any]) -> None:
    """Record work done for one message inside a batch (begin_ns → now) as a span in that message's own trace,
    linked to the batch span: finance follows one declaration from its POST to its ledger posting."""
    batch = trace.get_current_span().get_span_context()
    span = trace.get_tracer("backoffice").start_span(
        naam, context=context_from_traceparent(traceparent), start_time=begin_ns,
        links=[trace.Link(batch)] if batch.is_valid else None)
    for key, value in attrs.items():
        if value is not None:
            span.set_attribute(f"backoffice.{key}", value)
    span.end()
