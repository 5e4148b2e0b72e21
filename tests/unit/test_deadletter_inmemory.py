"""Entry-point behaviour on FastStream's in-memory broker (unit level only; the real proof is the e2e test)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker

from shared.deadletter import dead_letter_on_invalid, raw_body
from shared.events import TOPIC_DEAD_LETTER, PrestatiesGeboekt


@pytest.fixture
def wired():
    broker = KafkaBroker()
    runtime = SimpleNamespace(broker=broker, settings=SimpleNamespace(service="unit"))
    handled: list[PrestatiesGeboekt] = []
    dead: list[dict] = []

    @broker.subscriber("in", decoder=raw_body)
    @dead_letter_on_invalid(runtime, PrestatiesGeboekt)
    async def on_event(event: PrestatiesGeboekt) -> None:
        handled.append(event)

    @broker.subscriber(TOPIC_DEAD_LETTER)
    async def on_dead(body: dict) -> None:
        dead.append(body)

    return broker, handled, dead


VALID = {"event_id": "e1", "bericht_id": "b1", "gemeente": "0632", "domein": "jw", "journaalposten": 2,
         "geboekt_bedrag": 100}


async def test_valid_event_reaches_the_handler_typed(wired):
    broker, handled, dead = wired
    async with TestKafkaBroker(broker) as br:
        await br.publish(VALID, "in")
    assert [e.bericht_id for e in handled] == ["b1"] and dead == []


async def test_invalid_event_goes_to_dead_letter_with_the_reason_and_not_to_the_handler(wired):
    broker, handled, dead = wired
    async with TestKafkaBroker(broker) as br:
        await br.publish({**VALID, "domein": "zorg"}, "in")
    assert handled == []
    assert dead[0]["schema"] == "PrestatiesGeboekt" and dead[0]["problems"][0]["loc"] == ["domein"]


async def test_a_body_that_is_not_json_goes_to_dead_letter_as_text(wired):
    broker, handled, dead = wired
    async with TestKafkaBroker(broker) as br:
        await br.publish(b"{not json", "in")
    assert handled == []
    assert dead[0]["problems"][0]["type"] == "json_invalid" and dead[0]["body"] == "{not json"


async def test_a_batch_passes_its_valid_events_on_with_their_traces_and_dead_letters_the_rest():
    broker = KafkaBroker()
    runtime = SimpleNamespace(broker=broker, settings=SimpleNamespace(service="unit"))
    batches: list = []
    dead: list[dict] = []

    @broker.subscriber("in-batch", decoder=raw_body, batch=True)
    @dead_letter_on_invalid(runtime, PrestatiesGeboekt)
    async def on_batch(items) -> None:
        batches.append(items)

    @broker.subscriber(TOPIC_DEAD_LETTER)
    async def on_dead(body: dict) -> None:
        dead.append(body)

    async with TestKafkaBroker(broker) as br:
        await br.publish_batch(VALID, {**VALID, "domein": "zorg"}, {**VALID, "bericht_id": "b2"}, topic="in-batch")
    ((first, _tp1), (second, _tp2)), = batches
    assert (first.bericht_id, second.bericht_id) == ("b1", "b2")
    assert [d["problems"][0]["loc"] for d in dead] == [["domein"]]
