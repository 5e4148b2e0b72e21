"""Dead letters: a message a consumer cannot handle goes to the dead-letter topic with where it came from and why,
and is acked, so one message never blocks its partition (nack → endless redelivery).

Two reasons:
- "invalid": the event does not match its schema. That can never change, so it is not retried.
- "failed": the handler raised on every one of a few attempts in process (short backoff in between).

Exceptions that mean the infrastructure is down rather than the message bad (`OUTAGE_ERRORS`: database or network
unreachable) are not dead-lettered: after the attempts the message is nacked and redelivered, as before, so an
outage does not empty the topic into the dead-letter topic. `asyncio.CancelledError` (shutdown) is never
dead-lettered either: it is re-raised, the offset is not committed and the message comes again after a restart.

Exactly once still holds: every handler claims the event in its inbox (`claim_event`) in the same transaction as
its effects, so a failed attempt leaves nothing behind, and a retry, a redelivery or a replay of a dead letter
(`backoffice deadletter replay`) of an event already processed changes nothing. What a dead letter gives up is the
order per key: the partition moves on and a replay comes after later events of the same key.

A record (JSON, always on partition 0 of the topic so its offset alone names it): consumer, schema, reason, error
(exception class and a short message with any 9-digit number masked — never the body, which may hold a BSN),
problems (for "invalid"), attempts, dead_lettered_at, the original topic, partition, offset, key (text) and
traceparent header, and the body as it was (JSON when it is JSON, else text; `body_format` says which) so a replay
sends an equivalent message. Logs get only where and why, never the body.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from faststream import Context
from pydantic import TypeAdapter, ValidationError

from shared.platform.db import OUTAGE_ERRORS
from shared.platform.events import TOPIC_DEAD_LETTER

log = logging.getLogger(__name__)

DEAD_LETTER_PARTITION = 0  # one partition: the dead-letter offset is the record's id for `deadletter replay`
DEFAULT_ATTEMPTS = 3
DEFAULT_BACKOFF = (0.2, 1.0)  # seconds before the 2nd and 3rd attempt; the last value repeats
_NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")  # the shape of a BSN


async def raw_body(message) -> bytes:
    """Subscriber decoder that hands the handler the message bytes: pydantic reads JSON straight into the event
    (`validate_json`), instead of json.loads building dicts for validate_python to walk again."""
    return message.body


def _traceparent(record: Any) -> str | None:
    for key, value in getattr(record, "headers", None) or ():
        if key == "traceparent" and value:
            return value.decode("ascii", errors="replace")
    return None


def _leesbaar(body: Any) -> tuple[str, Any]:
    """The body for the dead-letter record and its format: JSON when it is JSON, else text (never lost, never an
    exception). An already decoded body (no `raw_body` decoder) is JSON data."""
    if not isinstance(body, (bytes, bytearray)):
        return "json", body
    try:
        return "json", json.loads(body)
    except ValueError:
        return "text", body.decode("utf-8", errors="replace")


def error_text(exc: BaseException, limit: int = 200) -> str:
    """Exception class and the first line of its message, short and with 9-digit numbers masked: a message may
    quote a value of the event (asyncpg's DataError does). A ValidationError gives only where and which type:
    its text would quote the input."""
    if isinstance(exc, ValidationError):
        text = f"{exc.error_count()} problem(s): " + "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '<body>'} {e['type']}" for e in exc.errors()[:5])
    else:
        text = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    text = _NINE_DIGITS.sub("<9 cijfers>", text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _where(record: Any) -> str:
    if record is None:
        return "?"
    return f"{getattr(record, 'topic', '?')}[{getattr(record, 'partition', '?')}]@{getattr(record, 'offset', '?')}"


def dead_letter_on_invalid(runtime, model: Any, schema: str | None = None, *,
                           attempts: int = DEFAULT_ATTEMPTS, backoff: Sequence[float] = DEFAULT_BACKOFF,
                           outage_errors: tuple[type[BaseException], ...] = OUTAGE_ERRORS,
                           ) -> Callable[[Callable[..., Awaitable[None]]], Callable]:
    """`model` is an event class or a discriminated union of them (then name it with `schema`). The handler's
    subscriber should use `decoder=raw_body` and `ack_policy=AckPolicy.NACK_ON_ERROR`; an already decoded body is
    validated too. A failing handler is tried `attempts` times in all, waiting `backoff[i]` seconds before try
    i + 2, then dead-lettered with reason "failed" (see the module docstring for what is never dead-lettered).

    A batch subscriber's handler gets a list of (event, traceparent it arrived with). Invalid events are
    dead-lettered one by one and the valid ones go on together. When the batch still fails after its attempts,
    its events are handled one by one, in order, one attempt each (the batch's attempts already outlasted a
    passing conflict, and a poll's worth of single retries with backoff would outlast Kafka's poll interval):
    only the events that fail on their own are dead-lettered, the rest are handled. An outage error at any point
    nacks the whole batch; on redelivery the inbox skips what was already handled."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    letters = _DeadLetters(runtime.broker, runtime.settings.service, model,
                           str(schema or getattr(model, "__name__", model)), attempts, tuple(backoff), outage_errors)
    return letters.decorate


class _DeadLetters:
    """What `dead_letter_on_invalid` does for one handler: validate, retry, dead-letter."""

    def __init__(self, broker: Any, consumer: str, model: Any, schema: str, attempts: int,
                 backoff: tuple[float, ...], outage_errors: tuple[type[BaseException], ...]):
        self.broker, self.consumer, self.schema = broker, consumer, schema
        self.adapter: TypeAdapter[Any] = TypeAdapter(model)
        self.attempts, self.backoff, self.outage_errors = attempts, backoff, outage_errors

    async def dead_letter(self, record: Any, body: Any, *, reason: str, error: str, attempts_made: int,
                          problems: list | None = None) -> None:
        body_format, leesbaar = _leesbaar(body)
        key = getattr(record, "key", None)
        await self.broker.publish({
            "consumer": self.consumer, "schema": self.schema, "reason": reason, "error": error,
            "problems": problems or [], "attempts": attempts_made,
            "dead_lettered_at": dt.datetime.now(dt.UTC).isoformat(),
            "topic": getattr(record, "topic", None), "partition": getattr(record, "partition", None),
            "offset": getattr(record, "offset", None),
            "key": key.decode("utf-8", errors="replace") if isinstance(key, (bytes, bytearray)) else key,
            "traceparent": _traceparent(record), "body_format": body_format, "body": leesbaar,
        }, TOPIC_DEAD_LETTER, key=key if isinstance(key, (bytes, bytearray)) else None,
            partition=DEAD_LETTER_PARTITION)

    async def valid_or_dead_letter(self, body: Any, record: Any) -> Any:
        try:
            return (self.adapter.validate_json(body) if isinstance(body, (bytes, bytearray, str))
                    else self.adapter.validate_python(body))
        except ValidationError as exc:
            problems = [{"loc": list(map(str, e["loc"])), "type": e["type"]} for e in exc.errors()]
            # Log only where and why, never the body: it may carry a BSN.
            log.error("%s: invalid %s event at %s sent to dead-letter topic: %s", self.consumer, self.schema,
                      _where(record), problems[:5])
            await self.dead_letter(record, body, reason="invalid", error=error_text(exc), attempts_made=1,
                                   problems=problems)
            return None

    async def with_retries(self, call: Callable[[], Awaitable[None]], where: str) -> tuple[int, Exception | None]:
        """(attempts made, the last exception or None when the call succeeded). CancelledError passes through."""
        for attempt in range(1, self.attempts + 1):
            try:
                await call()
                return attempt, None
            except Exception as exc:
                if attempt == self.attempts:
                    return attempt, exc
                delay = self.backoff[min(attempt - 1, len(self.backoff) - 1)] if self.backoff else 0.0
                log.warning("%s: %s handler failed on %s (attempt %d of %d), again in %.1fs: %s", self.consumer,
                            self.schema, where, attempt, self.attempts, delay, error_text(exc))
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def failed(self, record: Any, body: Any, exc: Exception, attempts_made: int) -> None:
        if isinstance(exc, self.outage_errors):
            log.warning("%s: %s handler failed on %s with an outage error (%s); redelivering, not dead-lettering",
                        self.consumer, self.schema, _where(record), error_text(exc))
            raise exc
        log.error("%s: %s handler failed on %s %d time(s); sent to dead-letter topic: %s", self.consumer,
                  self.schema, _where(record), attempts_made, error_text(exc))
        await self.dead_letter(record, body, reason="failed", error=error_text(exc), attempts_made=attempts_made)

    async def one(self, handler: Callable[[Any], Awaitable[None]], body: Any, raw: Any) -> None:
        event = await self.valid_or_dead_letter(body, raw)
        if event is None:
            return
        made, exc = await self.with_retries(lambda: handler(event), _where(raw))
        if exc is not None:
            await self.failed(raw, body, exc, made)

    async def batch(self, handler: Callable[[list], Awaitable[None]], bodies: list, raw: Any) -> None:
        # The valid events go on together, each with the trace it arrived in, so one transaction for many
        # declarations still continues every declaration's own trace.
        records = list(raw) if isinstance(raw, (list, tuple)) and len(raw) == len(bodies) else [None] * len(bodies)
        valid = []
        for b, record in zip(bodies, records):
            event = await self.valid_or_dead_letter(b, record)
            if event is not None:
                valid.append((event, _traceparent(record), record, b))
        if not valid:
            return
        where = f"a batch of {len(valid)} from {_where(valid[0][2])}"
        made, exc = await self.with_retries(lambda: handler([(e, tp) for e, tp, _, _ in valid]), where)
        if exc is None:
            return
        if len(valid) == 1:
            await self.failed(valid[0][2], valid[0][3], exc, made)
            return
        if isinstance(exc, self.outage_errors):
            log.warning("%s: %s failed with an outage error (%s); redelivering, not dead-lettering", self.consumer,
                        where, error_text(exc))
            raise exc
        log.warning("%s: %s, still failing after %d attempts (%s); handling its events one by one",
                    self.consumer, where, made, error_text(exc))
        for event, tp, record, b in valid:
            try:
                await handler([(event, tp)])
            except Exception as one:
                await self.failed(record, b, one, made + 1)

    def decorate(self, handler: Callable[..., Awaitable[None]]) -> Callable:
        async def consume(body: Any, message: Any = Context("message")) -> None:  # noqa: B008 (FastStream's injection)
            raw = getattr(message, "raw_message", None)
            if isinstance(body, list):  # a batch subscriber
                await self.batch(handler, body, raw)
            else:
                await self.one(handler, body, raw)

        # Not functools.wraps: its __wrapped__ would make FastStream inject by the handler's signature.
        consume.__name__ = consume.__qualname__ = handler.__name__
        consume.__doc__ = handler.__doc__
        return consume
