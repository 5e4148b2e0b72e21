"""Kafka entrypoints of declaratie: thin, they decode and hand over to the service layer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker

from shared.platform.deadletter import raw_body
from shared.platform.events import TOPIC_ONTVANGEN, DeclaratieOntvangen, OntvangenEvent, ToewijzingOntvangen

from ..service_layer.handlers import beoordeel_declaratie, registreer_toewijzingen
from .diensten import Diensten

# shared.platform.deadletter.dead_letter_on_invalid bound to the service's runtime by bootstrap: (model, schema=)
# -> a decorator that validates the event and retries, then dead-letters, a handler that fails.
DeadLetters = Callable[..., Callable[[Callable[[Any], Awaitable[None]]], Callable[..., Awaitable[None]]]]


async def verwerk_ontvangen(diensten: Diensten, event: DeclaratieOntvangen | ToewijzingOntvangen) -> None:
    if isinstance(event, DeclaratieOntvangen):
        await beoordeel_declaratie(diensten.uow(), diensten.regio, diensten.geheim, event)
    else:
        await registreer_toewijzingen(diensten.uow(), diensten.regio, diensten.geheim, event)


def register(broker: KafkaBroker, diensten: Diensten, *, workers: int, dead_letters: DeadLetters) -> None:
    # One subscriber for the whole received-messages topic: allocations and declarations of one provider and
    # municipality share a key, so they are handled in the order the gateway accepted them. `workers` consumers
    # in one group each take their own partitions: order per key holds, and one message's database round trips
    # no longer hold up every other partition. Work that crosses keys (a provider's reference numbers, TR332
    # allocation numbers) is guarded by unique keys: the loser's transaction rolls back and the event is judged
    # again (retried in process by the dead-letter decorator, dead-lettered only after three failures).
    @broker.subscriber(TOPIC_ONTVANGEN, group_id="declaratie", auto_offset_reset="earliest", decoder=raw_body,
                       ack_policy=AckPolicy.NACK_ON_ERROR, max_workers=workers)
    @dead_letters(OntvangenEvent, schema="OntvangenEvent")
    async def on_ontvangen(event: DeclaratieOntvangen | ToewijzingOntvangen) -> None:
        await verwerk_ontvangen(diensten, event)
