"""Kafka entrypoints of berichtenverkeer: verdicts become 325 answers; postings join the timeline."""

from __future__ import annotations

from faststream import AckPolicy

from shared.platform.deadletter import dead_letter_on_invalid, raw_body
from shared.platform.events import (
    TOPIC_DECLARATIE_BEOORDEELD,
    TOPIC_PRESTATIES_GEBOEKT,
    DeclaratieBeoordeeld,
    PrestatiesGeboekt,
)
from shared.platform.service import Runtime

from ..service_layer.handlers import verwerk_beoordeling, verwerk_geboekt


def register(runtime: Runtime) -> None:
    @runtime.broker.subscriber(TOPIC_DECLARATIE_BEOORDEELD, group_id="berichtenverkeer", auto_offset_reset="earliest",
                               decoder=raw_body, ack_policy=AckPolicy.NACK_ON_ERROR)
    @dead_letter_on_invalid(runtime, DeclaratieBeoordeeld)
    async def on_declaratie_beoordeeld(event: DeclaratieBeoordeeld) -> None:
        await verwerk_beoordeling(runtime.db(), event, runtime.regio.archief_bewaartermijn_jaren)

    @runtime.broker.subscriber(TOPIC_PRESTATIES_GEBOEKT, group_id="berichtenverkeer", auto_offset_reset="earliest",
                               decoder=raw_body, ack_policy=AckPolicy.NACK_ON_ERROR)
    @dead_letter_on_invalid(runtime, PrestatiesGeboekt)
    async def on_prestaties_geboekt(event: PrestatiesGeboekt) -> None:
        await verwerk_geboekt(runtime.db(), event)
