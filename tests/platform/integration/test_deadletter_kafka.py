"""Dead letters on real Kafka: a consumer that cannot handle a message dead-letters it with its provenance,
`backoffice deadletter list` shows it, and once the cause is fixed `backoffice deadletter replay` brings it back to
the consumer with its original key and trace; replaying twice changes nothing.

Each test has its own topic and consumer name (the dead-letter topic is shared, so records are picked by consumer).
The consumer connects as the admin (its topic is in no principal's ACLs); the CLI as the operators' principal, which
the test allows to replay to its topic.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from types import SimpleNamespace

import pytest
from aiokafka import AIOKafkaProducer
from faststream import AckPolicy
from faststream.kafka import KafkaBroker

from shared.platform.deadletter import dead_letter_on_invalid, raw_body
from shared.platform.events import TOPIC_DEAD_LETTER, PrestatiesGeboekt
from shared.platform.kafka_acl import OPERATOR, AclBinding
from shared.platform.kafka_connection import KafkaConnection
from shared.platform.service import ensure_topics
from tools.cli import main as backoffice
from tools.kafka_acls import create_acls

pytestmark = pytest.mark.integration

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


async def cli(capsys, *argv: str) -> tuple[int, str, str]:
    """`backoffice …` as an operator runs it (its own event loop, so in a thread); (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = await asyncio.to_thread(backoffice, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_cli_as_operator(infra, monkeypatch) -> None:
    for name in ("KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD", "KAFKA_SASL_MECHANISM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in infra.kafka_env(OPERATOR).items():
        monkeypatch.setenv(name, value)


async def eventually(check, timeout: float = 60, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def consumer_app(kafka: KafkaConnection, name: str, topic: str):
    """A FastStream consumer like the services' own, whose handler fails while `state.broken`. Its effects are
    kept per event_id, as a service's inbox does, so a redelivered event does nothing twice."""
    # No logger: its log lines would mix into the CLI output.
    broker = KafkaBroker(**kafka.broker_kwargs(), client_id=name, logger=None)
    runtime = SimpleNamespace(broker=broker, settings=SimpleNamespace(service=name))
    state = SimpleNamespace(broken=True, deliveries=[], effects={})

    @broker.subscriber(topic, group_id=name, auto_offset_reset="earliest", decoder=raw_body,
                       ack_policy=AckPolicy.NACK_ON_ERROR)
    @dead_letter_on_invalid(runtime, PrestatiesGeboekt, attempts=2, backoff=(0.05,))
    async def on_event(event: PrestatiesGeboekt) -> None:
        state.deliveries.append((event, broker.context.get_local("message").raw_message))
        if state.broken:
            raise RuntimeError("relation geboekt does not exist")
        state.effects.setdefault(event.event_id, event)

    await ensure_topics(kafka, topics=(topic, TOPIC_DEAD_LETTER))
    await broker.start()
    try:
        yield state
    finally:
        await broker.stop()


async def produce(kafka: KafkaConnection, topic: str, value: bytes, key: bytes | None, headers=()):
    producer = AIOKafkaProducer(**kafka.client_kwargs())
    await producer.start()
    try:
        return await producer.send_and_wait(topic, value, key=key, headers=list(headers))
    finally:
        await producer.stop()


async def test_a_failing_message_is_dead_lettered_listed_and_after_the_fix_replayed_once(infra, monkeypatch, capsys):
    kafka = infra.kafka_connection()
    run_cli_as_operator(infra, monkeypatch)
    run = uuid.uuid4().hex[:10]
    name, topic, key = f"dlt-test-{run}", f"test.deadletter.{run}", f"b-{run}".encode()
    if infra.kafka_passwords:  # the local broker's ACLs: the operator replays to the topic the letter came from
        await create_acls(kafka, [AclBinding(OPERATOR, "topic", topic, op) for op in ("WRITE", "DESCRIBE")])
    event = PrestatiesGeboekt(event_id=f"e-{run}", bericht_id=f"b-{run}", gemeente="0632", domein="jw",
                              journaalposten=2, geboekt_bedrag=12345)
    original = event.model_dump_json().encode()

    async with consumer_app(kafka, name, topic) as state:
        sent = await produce(kafka, topic, original, key, [("traceparent", TRACEPARENT.encode())])
        junk = await produce(kafka, topic, b"999990019 is not an event", None)

        async def listed():
            code, out, err = await cli(capsys, "deadletter", "list", "--json", "--consumer", name)
            assert code == 0, err
            rows = json.loads(out)
            return rows if len(rows) == 2 else None

        by_reason = {r["reason"]: r for r in await eventually(listed)}
        failed, invalid = by_reason["failed"], by_reason["invalid"]
        assert len(state.deliveries) == 2 and state.effects == {}  # tried twice, then dead-lettered
        assert {k: failed[k] for k in ("consumer", "schema", "reason", "attempts", "error", "topic", "partition",
                                       "offset", "key", "traceparent", "dlt_partition")} == {
            "consumer": name, "schema": "PrestatiesGeboekt", "reason": "failed", "attempts": 2,
            "error": "RuntimeError: relation geboekt does not exist", "topic": topic, "partition": sent.partition,
            "offset": sent.offset, "key": key.decode(), "traceparent": TRACEPARENT, "dlt_partition": 0}
        assert "body" not in failed and failed["dead_lettered_at"]
        assert (invalid["reason"], invalid["topic"], invalid["partition"], invalid["offset"], invalid["key"],
                invalid["traceparent"]) == ("invalid", topic, junk.partition, junk.offset, None, None)
        assert invalid["error"].startswith("ValidationError: 1 problem(s): ") and "999990019" not in invalid["error"]

        # The table, and the body only on request.
        code, table, _ = await cli(capsys, "deadletter", "list", "--consumer", name)
        assert code == 0 and "999990019" not in table and f"{topic}[{sent.partition}]@{sent.offset}" in table
        assert any(line.split()[0] == str(failed["dlt_offset"]) and "failed" in line for line in table.splitlines())
        code, out, _ = await cli(capsys, "deadletter", "list", "--json", "--show-body", "--consumer", name)
        bodies = {r["reason"]: (r["body_format"], r["body"]) for r in json.loads(out)}
        assert bodies == {"failed": ("json", json.loads(original)), "invalid": ("text", "999990019 is not an event")}

        # The cause is fixed; the dead letter comes back to the consumer as it was.
        state.broken = False
        code, out, err = await cli(capsys, "deadletter", "replay", "--offset", str(failed["dlt_offset"]))
        assert code == 0, err
        assert f"replayed dead letter {failed['dlt_offset']} ({name}, PrestatiesGeboekt, failed) to {topic}" in out
        assert "1 replayed" in out

        async def handled():
            return state.effects.get(event.event_id)

        await eventually(handled)
        _event, replayed = state.deliveries[-1]
        assert replayed.key == key and replayed.value == original and replayed.partition == sent.partition
        assert ("traceparent", TRACEPARENT.encode()) in replayed.headers

        # Replaying again delivers it again, and the inbox makes that a no-op.
        code, out, err = await cli(capsys, "deadletter", "replay", "--offset", str(failed["dlt_offset"]))
        assert code == 0, err

        async def redelivered():
            return len(state.deliveries) == 4

        await eventually(redelivered)
        assert list(state.effects) == [event.event_id]

    code, out, _ = await cli(capsys, "deadletter", "list", "--json", "--consumer", name)
    assert sorted(r["reason"] for r in json.loads(out)) == ["failed", "invalid"]  # no new dead letter


async def test_replaying_an_unknown_offset_says_so_and_replays_nothing(infra, monkeypatch, capsys):
    run_cli_as_operator(infra, monkeypatch)
    await ensure_topics(infra.kafka_connection(), topics=(TOPIC_DEAD_LETTER,))
    code, out, err = await cli(capsys, "deadletter", "replay", "--offset", "999999999999")
    assert code == 1 and out == ""
    assert "no dead letter at offset 999999999999" in err and "Nothing was replayed" in err
    assert "Traceback" not in err
    code, out, err = await cli(capsys, "deadletter", "replay", "--all", "--consumer", f"nobody-{uuid.uuid4().hex}")
    assert code == 0 and "nothing to replay" in out
