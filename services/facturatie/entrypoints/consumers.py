"""Kafka entrypoints of facturatie."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker

from shared.platform.deadletter import raw_body
from shared.platform.events import TOPIC_DECLARATIE_BEOORDEELD, DeclaratieBeoordeeld

from ..service_layer.handlers import boek_verdicts
from .diensten import Diensten

# Verdicts per transaction: one poll's worth, so a busy month costs a handful of commits, not one per declaration.
MAX_BATCH = 200

# `shared.platform.deadletter.dead_letter_on_invalid` bound to the service: validates, retries, dead-letters.
DeadLetter = Callable[[Any], Callable[[Callable[..., Any]], Callable[..., Any]]]


def register(broker: KafkaBroker, dead_letter: DeadLetter, d: Diensten) -> None:
    @broker.subscriber(TOPIC_DECLARATIE_BEOORDEELD, group_id="facturatie", auto_offset_reset="earliest",
                       decoder=raw_body, ack_policy=AckPolicy.NACK_ON_ERROR, batch=True, max_records=MAX_BATCH)
    @dead_letter(DeclaratieBeoordeeld)
    async def on_declaratie_beoordeeld(items: list[tuple[DeclaratieBeoordeeld, str | None]]) -> None:
        # The unit of work wakes the outbox relay when its commit published something.
        await boek_verdicts(d.uow(), [e for e, _ in items], [tp for _, tp in items], d.plafonds, d.contractsoort)
