"""One behaviour suite for dead letters, run on FastStream's in-memory broker and on real Kafka (as FastStream's own
tests run one behaviour test case against both). The in-memory run is the quick one; the Kafka run is the proof that
what the unit tests rely on (provenance, attempts, one dead letter per message, batches) holds on the real broker.

Each test has its own topic and consumer; the dead-letter topic is shared, so records are picked by original topic.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import pytest
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, TestKafkaBroker

from shared.platform.deadletter import dead_letter_on_invalid, raw_body
from shared.platform.events import TOPIC_DEAD_LETTER, PrestatiesGeboekt
from tests.conftest import fake_and_real

VALID = {"event_id": "e1", "bericht_id": "b1", "gemeente": "0632", "domein": "jw", "journaalposten": 2,
         "geboekt_bedrag": 100}


class Harness:
    """A consumer wired like the services' own, whose handler runs `behaviour`; what it handled and what was
    dead-lettered from its topic."""

    def __init__(self, broker: KafkaBroker, topic: str, behaviour: Callable[[Any], Awaitable[None]], batch: bool):
        self.broker, self.topic = broker, topic
        self.handled: list[Any] = []
        self.dead: list[dict] = []
        runtime = SimpleNamespace(broker=broker, settings=SimpleNamespace(service=f"contract-{topic}"))
        group = f"g-{topic}"

        @broker.subscriber(topic, group_id=group, auto_offset_reset="earliest", decoder=raw_body, batch=batch,
                           ack_policy=AckPolicy.NACK_ON_ERROR)
        @dead_letter_on_invalid(runtime, PrestatiesGeboekt, attempts=3, backoff=(0.01,))
        async def on_event(event) -> None:
            await behaviour(event)
            self.handled.append(event)

        @broker.subscriber(TOPIC_DEAD_LETTER, group_id=f"{group}-dlt", auto_offset_reset="earliest")
        async def on_dead(body: dict) -> None:
            if body.get("topic") == topic:
                self.dead.append(body)

    async def publish(self, body: Any, key: bytes = b"k1") -> None:
        await self.broker.publish(body, self.topic, key=key)

    async def settle(self, done: Callable[[], bool], timeout: float = 60) -> None:
        """Until `done()` holds; then a moment more, so that a second, wrong dead letter would show."""
        deadline = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < deadline, f"not reached in {timeout:.0f}s: {self.handled=} {self.dead=}"
            await asyncio.sleep(0.05)
        await asyncio.sleep(self.linger)

    linger = 0.0


@contextlib.asynccontextmanager
async def in_memory(infra, behaviour, batch=False) -> AsyncIterator[Harness]:
    h = Harness(KafkaBroker(), f"t{uuid.uuid4().hex[:8]}", behaviour, batch)
    async with TestKafkaBroker(h.broker):
        yield h


@contextlib.asynccontextmanager
async def real_kafka(infra, behaviour, batch=False) -> AsyncIterator[Harness]:
    from shared.platform.service import ensure_topics

    topic = f"t{uuid.uuid4().hex[:8]}"
    kafka = infra.kafka_connection()  # the admin: the test's own topic is in no principal's ACLs
    await ensure_topics(kafka, topics=(topic, TOPIC_DEAD_LETTER))
    h = Harness(KafkaBroker(**kafka.broker_kwargs(), logger=None), topic, behaviour, batch)
    h.linger = 1.0
    await h.broker.start()
    try:
        yield h
    finally:
        await h.broker.stop()


@pytest.fixture(params=fake_and_real(in_memory, real_kafka, "kafka", "in-memory"))
def harness(request):
    infra = request.getfixturevalue("infra") if request.param is real_kafka else None
    return lambda behaviour=None, batch=False: request.param(infra, behaviour or _ok, batch)


async def _ok(event) -> None:
    return None


async def test_a_valid_event_reaches_the_handler_typed_and_nothing_is_dead_lettered(harness):
    async with harness() as h:
        await h.publish(VALID)
        await h.settle(lambda: h.handled)
        assert [(type(e), e.bericht_id) for e in h.handled] == [(PrestatiesGeboekt, "b1")]
        assert h.dead == []


async def test_an_invalid_event_is_dead_lettered_once_with_reason_and_provenance_and_never_handled(harness):
    async with harness() as h:
        await h.publish({**VALID, "domein": "zorg"}, key=b"jw:0632:87654321")
        await h.settle(lambda: h.dead)
        assert h.handled == []
        [dead] = h.dead
        assert (dead["reason"], dead["schema"], dead["attempts"]) == ("invalid", "PrestatiesGeboekt", 1)
        assert dead["problems"][0]["loc"] == ["domein"]
        assert (dead["topic"], dead["key"], dead["body"]["domein"]) == (h.topic, "jw:0632:87654321", "zorg")
        assert isinstance(dead["partition"], int) and isinstance(dead["offset"], int)


async def test_a_handler_that_always_fails_is_dead_lettered_once_after_all_its_attempts(harness):
    tries: list[str] = []

    async def broken(event) -> None:
        tries.append(event.event_id)
        raise RuntimeError("relation geboekt does not exist")

    async with harness(broken) as h:
        await h.publish(VALID)
        await h.settle(lambda: h.dead)
        [dead] = h.dead
        assert (dead["reason"], dead["attempts"], tries) == ("failed", 3, ["e1"] * 3)
        assert dead["error"].startswith("RuntimeError: relation geboekt")


async def test_a_handler_that_fails_twice_and_then_succeeds_is_handled_and_not_dead_lettered(harness):
    tries: list[str] = []

    async def flaky(event) -> None:
        tries.append(event.event_id)
        if len(tries) < 3:
            raise RuntimeError("serialization failure")

    async with harness(flaky) as h:
        await h.publish(VALID)
        await h.settle(lambda: h.handled)
        assert (len(tries), len(h.handled), h.dead) == (3, 1, [])


async def test_a_batch_handles_its_valid_events_and_dead_letters_only_the_invalid_one(harness):
    async with harness(batch=True) as h:
        for i, body in enumerate([VALID, {**VALID, "event_id": "bad", "journaalposten": "veel"},
                                  {**VALID, "event_id": "e2", "bericht_id": "b2"}]):
            await h.publish(body, key=f"k{i}".encode())
        await h.settle(lambda: sum(len(b) for b in h.handled) == 2 and h.dead)
        assert sorted(e.bericht_id for batch in h.handled for e, _traceparent in batch) == ["b1", "b2"]
        assert [d["body"]["event_id"] for d in h.dead] == ["bad"]
