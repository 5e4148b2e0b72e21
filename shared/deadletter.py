"""Poison messages: an event that does not match its schema can never succeed, so instead of blocking the
partition (nack → endless redelivery) it goes to the dead-letter topic with the reason, and is acked."""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from .events import TOPIC_DEAD_LETTER

log = logging.getLogger(__name__)
E = TypeVar("E", bound=BaseModel)


async def raw_body(message) -> bytes:
    """Subscriber decoder that hands the handler the message bytes: pydantic reads JSON straight into the event
    (`validate_json`), instead of json.loads building dicts for validate_python to walk again."""
    return message.body


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
    subscriber should use `decoder=raw_body`; an already decoded body is validated too."""
    adapter = TypeAdapter(model)
    schema = schema or getattr(model, "__name__", str(model))

    def decorate(handler: Callable[[E], Awaitable[None]]) -> Callable:
        async def consume(body: Any) -> None:
            try:
                event = (adapter.validate_json(body) if isinstance(body, (bytes, bytearray, str))
                         else adapter.validate_python(body))
            except ValidationError as exc:
                problems = [{"loc": list(map(str, e["loc"])), "type": e["type"]} for e in exc.errors()]
                # Log only where and why, never the body: it may carry a BSN.
                log.error("%s: invalid %s event sent to dead-letter topic: %s", runtime.settings.service,
                          schema, problems[:5])
                await runtime.broker.publish({"consumer": runtime.settings.service, "schema": schema,
                                              "problems": problems, "body": _leesbaar(body)}, TOPIC_DEAD_LETTER)
                return
            await handler(event)

        # Not functools.wraps: its __wrapped__ would make FastStream inject by the handler's signature.
        consume.__name__ = consume.__qualname__ = handler.__name__
        consume.__doc__ = handler.__doc__
        return consume

    return decorate
