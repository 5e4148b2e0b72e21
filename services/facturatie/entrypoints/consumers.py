"""Kafka entrypoints of facturatie."""

from __future__ import annotations

from faststream import AckPolicy

from shared.deadletter import dead_letter_on_invalid, raw_body
from shared.events import TOPIC_DECLARATIE_BEOORDEELD, DeclaratieBeoordeeld
from shared.service import Runtime

from ..service_layer.handlers import handle_declaratie_beoordeeld


def register(runtime: Runtime) -> None:
    @runtime.broker.subscriber(TOPIC_DECLARATIE_BEOORDEELD, group_id="facturatie", auto_offset_reset="earliest",
                               decoder=raw_body, ack_policy=AckPolicy.NACK_ON_ERROR)
    @dead_letter_on_invalid(runtime, DeclaratieBeoordeeld)
    async def on_declaratie_beoordeeld(event: DeclaratieBeoordeeld) -> None:
        if await handle_declaratie_beoordeeld(runtime.db(), event):
            runtime.relay.kick()
