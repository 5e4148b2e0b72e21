"""Poison messages: an event that does not match its schema can never succeed, so instead of blocking the
partition (nack → endless redelivery) it goes to the dead-letter topic with the reason, and is acked."""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, TypeVar

from faststream import Context
from pydantic import BaseModel, TypeAdapter, ValidationError

from .events import TOPIC_DEAD_LETTER

log = logging.getLogger(__name__)
E = TypeVar("E", bound=BaseModel)


async def raw_body(message) -> bytes:
    """Subscriber decoder that hands the handler the message bytes: pydantic reads JSON straight into the event
    (`validate_json`), instead of json.loads building dicts for validate_python to walk again."""
    return message.body


def _traceparent(record: Any) -> str | None:
    for key, value in getattr(record, "headers", None) or ():
        if key == "traceparent" and value:
            return value.decode("ascii", errors="replace")
    return None


def _leesbaar(body: Any) -> Any:
    """The body for the dead-letter record: JSON when it is JSON, else text (never lost, never an exception)."""
    if not isinstance(body, (bytes, bytearray)):
        return body
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", errors="replace")


def dead_letter_on_invalid(runtime, model: Any, schema: str | None = None
                           ) -> Callable[[Callable[[E], Awaitable[None]]], Callable]:
    """`model` is an event class or a discriminated union of them (then name it with `schema`). The handler's
    subscriber should use `decoder=raw_body`; an already decoded body is validated too. A batch subscriber's
    handler gets a list of (event, traceparent it arrived with)."""
    adapter = TypeAdapter(model)
    schema = schema or getattr(model, "__name__", str(model))

    async def valid_or_dead_letter(body: Any):
        try:
            return (adapter.validate_json(body) if isinstance(body, (bytes, bytearray, str))
                    else adapter.validate_python(body))
        except ValidationError as exc:
            problems = [{"loc": list(map(str, e["loc"])), "type": e["type"]} for e in exc.errors()]
            # Log only where and why, never the body: it may carry a BSN.
            log.error("%s: invalid %s event sent to dead-letter topic: %s", runtime.settings.service,
                      schema, problems[:5])
            await runtime.broker.publish({"consumer": runtime.settings.service, "schema": schema,
                                          "problems": problems, "body": _leesbaar(body)}, TOPIC_DEAD_LETTER)
            return None

    def decorate(handler: Callable[[E], Awaitable[None]]) -> Callable:
        async def consume(body: Any, message: Any = Context("message")) -> None:
            if isinstance(body, list):
                # A batch subscriber: the valid events go on together, each with the trace it arrived in, so
                # one transaction for many declarations still continues every declaration's own trace.
                records = getattr(message, "raw_message", None)
                traces = ([_traceparent(r) for r in records] if isinstance(records, (list, tuple))
                          and len(records) == len(body) else [None] * len(body))
                events = [(e, tp) for e, tp in zip([await valid_or_dead_letter(b) for b in body], traces)
                          if e is not None]
                if events:
                    await handler(events)
                return
            event = await valid_or_dead_letter(body)
            if event is not None:
                await handler(event)

        # Not functools.wraps: its __wrapped__ would make FastStream inject by the handler's signature.
        consume.__name__ = consume.__qualname__ = handler.__name__
        consume.__doc__ = handler.__doc__
        return consume

    return decorate
