"""Dead letters and the dead-letter CLI in detail, on FastStream's in-memory broker. The core behaviours run on
both the in-memory broker and real Kafka in tests/platform/contract/test_dead_letters.py."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from types import SimpleNamespace

import pytest
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, TestKafkaBroker
from pydantic import ValidationError

from shared.platform import deadletter
from shared.platform.deadletter import dead_letter_on_invalid, raw_body
from shared.platform.events import TOPIC_DEAD_LETTER, PrestatiesGeboekt
from tools import cli, deadletter_cli


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


# ------------------------------------------------------------------ provenance, retries, what is never dead-lettered

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
BSN = "999990019"


def wire(fail=None, *, batch: bool = False, **options):
    """A subscriber whose handler first awaits `fail(event or items)` (which may raise), then records the call."""
    broker = KafkaBroker()
    runtime = SimpleNamespace(broker=broker, settings=SimpleNamespace(service="unit"))
    calls: list = []
    handled: list = []
    dead: list[dict] = []

    @broker.subscriber("in", decoder=raw_body, ack_policy=AckPolicy.NACK_ON_ERROR, batch=batch)
    @dead_letter_on_invalid(runtime, PrestatiesGeboekt, **{"backoff": (0,), **options})
    async def on_event(event) -> None:
        calls.append(event)
        if fail is not None:
            await fail(event)
        handled.append(event)

    @broker.subscriber(TOPIC_DEAD_LETTER)
    async def on_dead(body: dict) -> None:
        dead.append(body)

    return broker, calls, handled, dead


async def test_an_invalid_event_is_dead_lettered_with_its_provenance():
    broker, calls, _handled, dead = wire()
    async with TestKafkaBroker(broker) as br:
        await br.publish({**VALID, "domein": "zorg"}, "in", key=b"jw:0632:87654321", partition=3,
                         headers={"traceparent": TRACEPARENT})
    assert calls == []
    (record,) = dead
    assert {k: record[k] for k in ("consumer", "schema", "reason", "attempts", "topic", "partition", "offset", "key",
                                   "traceparent", "body_format", "body")} == {
        "consumer": "unit", "schema": "PrestatiesGeboekt", "reason": "invalid", "attempts": 1, "topic": "in",
        "partition": 3, "offset": 0, "key": "jw:0632:87654321", "traceparent": TRACEPARENT, "body_format": "json",
        "body": {**VALID, "domein": "zorg"}}
    assert record["error"] == "ValidationError: 1 problem(s): domein literal_error"
    assert record["problems"] == [{"loc": ["domein"], "type": "literal_error"}]
    assert dt.datetime.fromisoformat(record["dead_lettered_at"]).tzinfo is not None


async def test_a_handler_that_fails_a_few_times_and_then_succeeds_is_not_dead_lettered():
    async def twice_a_deadlock(_event):
        if len(calls) <= 2:
            raise RuntimeError("deadlock detected")

    broker, calls, handled, dead = wire(twice_a_deadlock, attempts=3)
    async with TestKafkaBroker(broker) as br:
        await br.publish(VALID, "in")
    assert len(calls) == 3 and [e.event_id for e in handled] == ["e1"] and dead == []


async def test_a_handler_that_always_fails_is_dead_lettered_once_after_its_attempts_with_backoff():
    async def always(_event):
        raise RuntimeError("relation does not exist")

    broker, calls, handled, dead = wire(always, attempts=3, backoff=(0.05, 0.1))
    started = time.monotonic()
    async with TestKafkaBroker(broker) as br:
        await br.publish(VALID, "in", key=b"b1", headers={"traceparent": TRACEPARENT})
    assert time.monotonic() - started >= 0.15  # waited 0.05 s, then 0.1 s
    assert len(calls) == 3 and handled == []
    (record,) = dead
    assert (record["reason"], record["attempts"], record["error"]) == ("failed", 3, "RuntimeError: relation does "
                                                                                    "not exist")
    assert (record["topic"], record["key"], record["traceparent"], record["body"]) == ("in", "b1", TRACEPARENT, VALID)
    assert record["problems"] == []


def test_the_defaults_are_three_attempts_after_a_short_then_a_longer_pause():
    assert (deadletter.DEFAULT_ATTEMPTS, deadletter.DEFAULT_BACKOFF) == (3, (0.2, 1.0))


async def test_shutdown_cancellation_is_re_raised_and_never_dead_lettered():
    async def shutdown(_event):
        raise asyncio.CancelledError

    broker, calls, _handled, dead = wire(shutdown)
    async with TestKafkaBroker(broker) as br:
        with pytest.raises(asyncio.CancelledError):
            await br.publish(VALID, "in")
    assert len(calls) == 1 and dead == []  # not retried either: the message comes again after the restart


async def test_cancellation_during_the_backoff_is_not_dead_lettered():
    async def always(_event):
        raise RuntimeError("boom")

    broker, calls, _handled, dead = wire(always, attempts=3, backoff=(30,))
    async with TestKafkaBroker(broker) as br:
        publishing = asyncio.create_task(br.publish(VALID, "in"))
        while not calls:
            await asyncio.sleep(0.01)
        publishing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await publishing
    assert len(calls) == 1 and dead == []


async def test_an_outage_is_redelivered_not_dead_lettered():
    async def database_down(_event):
        raise ConnectionRefusedError("connect call failed")

    broker, calls, _handled, dead = wire(database_down, attempts=2)
    async with TestKafkaBroker(broker) as br:
        with pytest.raises(ConnectionRefusedError):  # → NACK_ON_ERROR: Kafka delivers it again
            await br.publish(VALID, "in")
    assert len(calls) == 2 and dead == []


async def test_outage_errors_can_be_chosen_and_then_every_failure_is_dead_lettered():
    async def database_down(_event):
        raise ConnectionRefusedError("connect call failed")

    broker, _calls, _handled, dead = wire(database_down, attempts=2, outage_errors=())
    async with TestKafkaBroker(broker) as br:
        await br.publish(VALID, "in")
    assert [(d["reason"], d["attempts"]) for d in dead] == [("failed", 2)]


async def test_no_body_and_no_bsn_reaches_the_log_but_the_dead_letter_keeps_the_body(caplog):
    async def quoting(event):
        raise ValueError(f"invalid input for query argument $1: {event.bericht_id!r}")

    broker, _calls, _handled, dead = wire(quoting, attempts=2)
    caplog.set_level(logging.DEBUG)
    async with TestKafkaBroker(broker) as br:
        await br.publish({**VALID, "bericht_id": BSN}, "in")  # handler fails, quoting the value
        await br.publish({**VALID, "bericht_id": BSN, "domein": "zorg"}, "in")  # invalid
        await br.publish(b'{"bsn": "' + BSN.encode() + b'", not json', "in")  # not JSON
    assert [d["reason"] for d in dead] == ["failed", "invalid", "invalid"]
    assert "dead-letter" in caplog.text and BSN not in caplog.text
    assert dead[0]["error"] == "ValueError: invalid input for query argument $1: '<9 cijfers>'"
    assert all(BSN not in d["error"] for d in dead)
    assert [d["body"]["bericht_id"] for d in dead[:2]] == [BSN, BSN] and BSN in dead[2]["body"]


def test_error_text_is_short_masks_nine_digit_numbers_and_never_quotes_validation_input():
    assert deadletter.error_text(KeyError(BSN)) == "KeyError: '<9 cijfers>'"
    assert deadletter.error_text(RuntimeError()) == "RuntimeError"
    assert deadletter.error_text(RuntimeError("first line\nDETAIL: Key (x)=(1234567890)")) == "RuntimeError: first line"
    assert len(deadletter.error_text(RuntimeError("x" * 1000))) <= len("RuntimeError: ") + 200
    assert "AGB 87654321 ref P20260504000001" in deadletter.error_text(RuntimeError("AGB 87654321 ref P20260504000001"))
    try:
        PrestatiesGeboekt.model_validate({**VALID, "bericht_id": 999990019})
    except ValidationError as exc:
        assert deadletter.error_text(exc) == "ValidationError: 1 problem(s): bericht_id string_type"


# ------------------------------------------------------------------ batch subscribers

async def test_a_failing_batch_is_handled_one_by_one_and_only_the_failing_event_is_dead_lettered():
    async def one_poison(items):
        if any(e.bericht_id == "gif" for e, _tp in items):
            raise RuntimeError("check constraint violated")

    broker, calls, handled, dead = wire(one_poison, batch=True, attempts=2)
    async with TestKafkaBroker(broker) as br:
        await br.publish_batch(VALID, {**VALID, "event_id": "e2", "bericht_id": "gif"},
                               {**VALID, "event_id": "e3", "bericht_id": "b3"}, topic="in",
                               headers={"traceparent": TRACEPARENT})
    assert [len(c) for c in calls] == [3, 3, 1, 1, 1]  # the batch twice, then each event alone
    assert [[e.event_id for e, _ in h] for h in handled] == [["e1"], ["e3"]]
    assert all(tp == TRACEPARENT for h in handled for _, tp in h)
    (record,) = dead
    assert (record["reason"], record["attempts"], record["body"]["event_id"]) == ("failed", 3, "e2")
    assert (record["topic"], record["traceparent"]) == ("in", TRACEPARENT)


async def test_a_batch_that_succeeds_on_a_retry_is_handled_together():
    async def first_time(_items):
        if len(calls) == 1:
            raise RuntimeError("serialization failure")

    broker, calls, handled, dead = wire(first_time, batch=True)
    async with TestKafkaBroker(broker) as br:
        await br.publish_batch(VALID, {**VALID, "event_id": "e2"}, topic="in")
    assert [len(c) for c in calls] == [2, 2] and len(handled) == 1 and dead == []


async def test_a_batch_on_an_outage_is_redelivered_whole():
    async def database_down(_items):
        raise ConnectionResetError("connection lost")

    broker, calls, _handled, dead = wire(database_down, batch=True, attempts=2)
    async with TestKafkaBroker(broker) as br:
        with pytest.raises(ConnectionResetError):
            await br.publish_batch(VALID, {**VALID, "event_id": "e2"}, topic="in")
    assert [len(c) for c in calls] == [2, 2] and dead == []


# ------------------------------------------------------------------ the CLI without Kafka

def test_the_cli_says_what_to_set_when_kafka_is_not_configured(monkeypatch, capsys):
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    assert cli.main(["deadletter", "list"]) == 1
    err = capsys.readouterr().err
    assert "KAFKA_BOOTSTRAP_SERVERS is not set" in err and "Traceback" not in err


def test_the_cli_says_when_kafka_is_unreachable(monkeypatch, capsys):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", f"127.0.0.1:{port}")
    assert cli.main(["deadletter", "replay", "--offset", "3"]) == 1
    err = capsys.readouterr().err
    assert f"Kafka at 127.0.0.1:{port} is not reachable" in err and "KAFKA_BOOTSTRAP_SERVERS" in err
    assert "Traceback" not in err


async def _record_of(body: bytes) -> dict:
    async def always(_event):
        raise RuntimeError("boom")

    broker, _calls, _handled, dead = wire(always, attempts=1)
    async with TestKafkaBroker(broker) as br:
        await br.publish(body, "in", key=b"b1", headers={"traceparent": TRACEPARENT})
    return dead[0]


async def test_a_replayed_message_has_the_original_bytes_key_and_trace():
    original = PrestatiesGeboekt(event_id="e1", bericht_id="bé-1", gemeente="0632", domein="jw", journaalposten=1,
                                 geboekt_bedrag=-5).model_dump_json().encode()  # as the outbox writes it
    record = await _record_of(original)
    topic, key, value, headers = deadletter_cli._message(deadletter_cli.DeadLetter(0, 7, 0, record))
    assert (topic, key, value) == ("in", b"b1", original)
    assert ("traceparent", TRACEPARENT.encode()) in headers
    assert ("deadletter-replay-of", f"{TOPIC_DEAD_LETTER}:0:7".encode()) in headers
    text = await _record_of(b"{not json")
    assert deadletter_cli._message(deadletter_cli.DeadLetter(0, 8, 0, text))[2] == b"{not json"
    json_string = await _record_of(b'"{not json"')  # JSON that looks like the text above stays JSON
    assert deadletter_cli._message(deadletter_cli.DeadLetter(0, 9, 0, json_string))[2] == b'"{not json"'


def test_the_cli_reads_the_partition_the_decorator_writes():
    assert deadletter_cli.DLT_PARTITION == deadletter.DEAD_LETTER_PARTITION


def test_a_record_without_provenance_cannot_be_replayed():
    old = {"consumer": "declaratie", "schema": "OntvangenEvent", "problems": [], "body": {"a": 1}}
    with pytest.raises(deadletter_cli.DeadLetterError, match="does not name its original topic"):
        deadletter_cli._message(deadletter_cli.DeadLetter(0, 4, 0, old))


def test_list_never_prints_a_body_unless_asked(monkeypatch, capsys):
    letters = [deadletter_cli.DeadLetter(0, 12, 1, {
        "consumer": "declaratie", "schema": "OntvangenEvent", "reason": "failed", "error": "RuntimeError: boom",
        "attempts": 3, "dead_lettered_at": "2026-11-23T10:00:00+00:00", "topic": "backoffice.berichten.ontvangen.v1",
        "partition": 4, "offset": 99, "key": "jw:0632:87654321", "traceparent": None, "body_format": "json",
        "body": {"bsn": BSN}}), deadletter_cli.DeadLetter(2, 5, 0, None)]

    async def fake_read_all(bootstrap):
        return letters

    monkeypatch.setattr(deadletter_cli, "read_all", fake_read_all)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka.example:9092")
    assert cli.main(["deadletter", "list"]) == 0
    table = capsys.readouterr().out
    assert BSN not in table
    header, first, second = table.splitlines()
    assert header.split()[:2] == ["OFFSET", "DEAD-LETTERED"]
    assert first.split()[:8] == ["12", "2026-11-23", "10:00:00", "declaratie", "OntvangenEvent", "failed", "3",
                                 "backoffice.berichten.ontvangen.v1[4]@99"]
    assert second.startswith("2:5 ") and "unreadable" in second
    assert cli.main(["deadletter", "list", "--json", "--consumer", "declaratie"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["dlt_offset"], row["offset"], row["reason"]) == (12, 99, "failed") and "body" not in row
    assert cli.main(["deadletter", "list", "--show-body", "--limit", "1"]) == 0
    assert BSN not in capsys.readouterr().out  # the latest one is the unreadable record
    assert cli.main(["deadletter", "list", "--show-body", "--consumer", "declaratie"]) == 0
    assert BSN in capsys.readouterr().out


def test_replay_wants_offsets_or_all(capsys):
    with pytest.raises(SystemExit):
        cli.main(["deadletter", "replay"])
    with pytest.raises(SystemExit):
        cli.main(["deadletter", "replay", "--offset", "1", "--all"])
    assert cli.main(["deadletter", "replay", "--offset", "1", "--consumer", "declaratie"]) == 1
    assert "--consumer goes with --all" in capsys.readouterr().err
