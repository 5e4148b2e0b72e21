"""Kafka entrypoints of berichtenverkeer: verdicts become 325 answers; postings join the timeline."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker

from shared.platform.deadletter import raw_body
from shared.platform.events import (
    TOPIC_DECLARATIE_BEOORDEELD,
    TOPIC_PRESTATIES_GEBOEKT,
    DeclaratieBeoordeeld,
    PrestatiesGeboekt,
)

from ..service_layer.beantwoorden import verwerk_beoordeling, verwerk_geboekt
from .diensten import Diensten

# shared.platform.deadletter.dead_letter_on_invalid bound to the service's runtime by bootstrap: (model, schema=)
# -> a decorator that validates the event and retries, then dead-letters, a handler that fails.
DeadLetters = Callable[..., Callable[[Callable[[Any], Awaitable[None]]], Callable[..., Awaitable[None]]]]


def register(broker: KafkaBroker, diensten: Diensten, *, dead_letters: DeadLetters) -> None:
    @broker.subscriber(TOPIC_DECLARATIE_BEOORDEELD, group_id="berichtenverkeer", auto_offset_reset="earliest",
                       decoder=raw_body, ack_policy=AckPolicy.NACK_ON_ERROR)
    @dead_letters(DeclaratieBeoordeeld)
    async def on_declaratie_beoordeeld(event: DeclaratieBeoordeeld) -> None:
        await verwerk_beoordeling(diensten.uow, diensten.klok, event, diensten.regio.archief_bewaartermijn_jaren)

    @broker.subscriber(TOPIC_PRESTATIES_GEBOEKT, group_id="berichtenverkeer", auto_offset_reset="earliest",
                       decoder=raw_body, ack_policy=AckPolicy.NACK_ON_ERROR)
    @dead_letters(PrestatiesGeboekt)
    async def on_prestaties_geboekt(event: PrestatiesGeboekt) -> None:
        await verwerk_geboekt(diensten.uow, diensten.klok, event)
