"""Kafka entrypoints of declaratie: thin, they decode and hand over to the service layer."""

from __future__ import annotations

from faststream import AckPolicy

from shared.platform.deadletter import dead_letter_on_invalid, raw_body
from shared.platform.events import TOPIC_ONTVANGEN, DeclaratieOntvangen, OntvangenEvent
from shared.platform.service import Runtime

from ..service_layer.handlers import handle_declaratie_ontvangen, handle_toewijzing_ontvangen


def register(runtime: Runtime) -> None:
    # One subscriber for the whole received-messages topic: allocations and declarations of one provider and
    # municipality share a key, so they are handled in the order the gateway accepted them. `max_workers`
    # consumers in one group each take their own partitions: order per key holds, and one message's database
    # round trips no longer hold up every other partition. Work that crosses keys (a provider's reference
    # numbers, TR332 allocation numbers) is guarded by unique keys: the loser's transaction rolls back and the
    # event is judged again (retried in process by shared.platform.deadletter, dead-lettered only after three failures).
    @runtime.broker.subscriber(TOPIC_ONTVANGEN, group_id="declaratie", auto_offset_reset="earliest",
                               decoder=raw_body, ack_policy=AckPolicy.NACK_ON_ERROR,
                               max_workers=runtime.settings.consumer_workers)
    @dead_letter_on_invalid(runtime, OntvangenEvent, schema="OntvangenEvent")
    async def on_ontvangen(event) -> None:
        if isinstance(event, DeclaratieOntvangen):
            changed = await handle_declaratie_ontvangen(runtime.db(), runtime.regio, runtime.settings.bsn_sleutel,
                                                        event)
        else:
            changed = await handle_toewijzing_ontvangen(runtime.db(), runtime.regio, runtime.settings.bsn_sleutel,
                                                        event)
        if changed:
            runtime.relay.kick()
