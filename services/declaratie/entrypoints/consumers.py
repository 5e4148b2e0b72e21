"""Kafka entrypoints of declaratie: thin, they decode and hand over to the service layer."""

from __future__ import annotations

from faststream import AckPolicy

from shared.events import TOPIC_DECLARATIE_ONTVANGEN, DeclaratieOntvangen
from shared.service import Runtime
from shared.deadletter import dead_letter_on_invalid

from ..service_layer.handlers import handle_declaratie_ontvangen


def register(runtime: Runtime) -> None:
    @runtime.broker.subscriber(TOPIC_DECLARATIE_ONTVANGEN, group_id="declaratie", auto_offset_reset="earliest",
                               ack_policy=AckPolicy.NACK_ON_ERROR)
    @dead_letter_on_invalid(runtime, DeclaratieOntvangen)
    async def on_declaratie_ontvangen(event: DeclaratieOntvangen) -> None:
        if await handle_declaratie_ontvangen(runtime.db(), runtime.regio, event):
            runtime.relay.kick()
