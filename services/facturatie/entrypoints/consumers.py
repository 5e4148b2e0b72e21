"""Kafka entrypoints of facturatie."""

from __future__ import annotations

from faststream import AckPolicy

from shared.platform.deadletter import dead_letter_on_invalid, raw_body
from shared.platform.events import TOPIC_DECLARATIE_BEOORDEELD, DeclaratieBeoordeeld
from shared.platform.service import Runtime

from ..domain.beoordelingsstatistiek import contractsoort_uit
from ..service_layer.handlers import boek_verdicts

# Verdicts per transaction: one poll's worth, so a busy month costs a handful of commits, not one per declaration.
MAX_BATCH = 200


def register(runtime: Runtime) -> None:
    plafonds = runtime.regio.plafonds()
    contractsoort = contractsoort_uit(runtime.regio)

    @runtime.broker.subscriber(TOPIC_DECLARATIE_BEOORDEELD, group_id="facturatie", auto_offset_reset="earliest",
                               decoder=raw_body, ack_policy=AckPolicy.NACK_ON_ERROR, batch=True,
                               max_records=MAX_BATCH)
    @dead_letter_on_invalid(runtime, DeclaratieBeoordeeld)
    async def on_declaratie_beoordeeld(items: list[tuple[DeclaratieBeoordeeld, str | None]]) -> None:
        if await boek_verdicts(runtime.db(), [e for e, _ in items], [tp for _, tp in items], plafonds,
                               contractsoort):
            runtime.relay.kick()
