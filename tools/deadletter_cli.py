"""`backoffice deadletter list|replay`: look into the dead-letter topic and send dead letters back.

  backoffice deadletter list [--consumer X] [--limit N] [--json] [--show-body]
  backoffice deadletter replay --offset N [--offset M ...] | --all [--consumer X]

A dead letter is named by its offset in the dead-letter topic (`shared.platform.deadletter` writes every record to
partition 0); a record on another partition, written before that, is named `P:N`. `list` never prints a body
unless `--show-body` is given: a body may hold a BSN.

`replay` publishes each selected record's body to its original topic with its original key and traceparent header
(and a `deadletter-replay-of` header naming the dead letter). Running it twice is safe: every consumer claims an
event's `event_id` in its inbox in the same transaction as its effects, so an event it already handled changes
nothing. Fix the cause first: a message that still fails is dead-lettered again, as a new record.

Kafka is reached with aiokafka directly (no service needs to run) at `KAFKA_BOOTSTRAP_SERVERS`, on a broker with
ACLs as the operators' principal (`KAFKA_SASL_USERNAME`/`KAFKA_SASL_PASSWORD`, shared/platform/kafka_acl.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import time
from dataclasses import dataclass
from typing import Any

from shared.platform.events import MAX_EVENT_BYTES, TOPIC_DEAD_LETTER
from shared.platform.kafka_connection import KafkaConnection, KafkaConnectionError

# = shared.platform.deadletter.DEAD_LETTER_PARTITION; importing it would load FastStream for every command
DLT_PARTITION = 0
READ_TIMEOUT = 30.0


class DeadLetterError(RuntimeError):
    """Ends the command with exit code 1 and this one-line message (`tools.cli` prints it)."""


@dataclass
class DeadLetter:
    partition: int
    offset: int
    timestamp_ms: int
    record: dict[str, Any] | None  # None: not a JSON object (not written by shared.platform.deadletter)

    @property
    def id(self) -> str:
        return str(self.offset) if self.partition == DLT_PARTITION else f"{self.partition}:{self.offset}"


def _dlt_position(text: str) -> tuple[int, int]:
    """`N` (partition 0) or `P:N`."""
    try:
        partition, _, offset = text.rpartition(":")
        position = (int(partition) if partition else DLT_PARTITION, int(offset))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a dead-letter offset: {text!r} (give N or PARTITION:N)") from None
    if min(position) < 0:
        raise argparse.ArgumentTypeError(f"not a dead-letter offset: {text!r} (negative)")
    return position


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Adds `list` and `replay` to the `deadletter` subparser group of `backoffice`."""
    ls = sub.add_parser("list", help="print the dead letters (never their bodies unless --show-body)")
    ls.add_argument("--consumer", help="only the dead letters of this consumer (service), e.g. declaratie")
    ls.add_argument("--limit", type=int, default=50, help="print the latest N (default 50; 0 = all)")
    ls.add_argument("--json", action="store_true", help="print a JSON array instead of a table")
    ls.add_argument("--show-body", action="store_true", help="include the message bodies (may hold BSNs)")
    ls.set_defaults(func=cmd_list)
    rp = sub.add_parser("replay", help="publish dead letters again to their original topic, key and trace")
    which = rp.add_mutually_exclusive_group(required=True)
    which.add_argument("--offset", action="append", type=_dlt_position, metavar="N",
                       help="the dead letter at this offset of the dead-letter topic (repeatable; P:N for "
                            "another partition)")
    which.add_argument("--all", action="store_true", help="every dead letter (of --consumer, when given)")
    rp.add_argument("--consumer", help="with --all: only the dead letters of this consumer")
    rp.set_defaults(func=cmd_replay)


# ------------------------------------------------------------------ Kafka access

def _kafka() -> KafkaConnection:
    """KAFKA_BOOTSTRAP_SERVERS, and the operators' principal in KAFKA_SASL_USERNAME/PASSWORD on a broker with ACLs
    (shared/platform/kafka_acl.py: it reads the dead letters and writes to the topics they came from)."""
    try:
        kafka = KafkaConnection.from_env(os.environ)
    except KafkaConnectionError as exc:
        raise DeadLetterError(str(exc)) from None
    if not kafka.bootstrap_servers:
        raise DeadLetterError("KAFKA_BOOTSTRAP_SERVERS is not set; set it to the Kafka the services use, e.g. "
                              "export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 (`backoffice infra` prints it, with the "
                              "operators' KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD)")
    return kafka


def _unreachable(kafka: KafkaConnection, exc: BaseException) -> DeadLetterError:
    detail = str(exc) if str(exc).startswith(type(exc).__name__) else f"{type(exc).__name__}: {exc}"
    check = ("KAFKA_BOOTSTRAP_SERVERS, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD" if kafka.authenticated
             else "KAFKA_BOOTSTRAP_SERVERS (and KAFKA_SASL_USERNAME/PASSWORD if the broker needs them)")
    return DeadLetterError(f"Kafka at {kafka.bootstrap_servers} is not reachable or refused this client "
                           f"({detail}); check {check}")


async def _partitions(kafka: KafkaConnection) -> list[int]:
    """The dead-letter topic's partitions; none when it does not exist (nothing was ever dead-lettered). Asked
    for all topics at once: a metadata request naming the topic could create it."""
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.errors import KafkaError

    admin = AIOKafkaAdminClient(**kafka.client_kwargs(), request_timeout_ms=10000,
                                client_id="backoffice-deadletter")
    try:
        await admin.start()
        topics = await admin.describe_topics()
    except (KafkaError, OSError) as exc:
        raise _unreachable(kafka, exc) from None
    finally:
        with contextlib.suppress(Exception):
            await admin.close()
    return next((sorted(p["partition"] for p in t["partitions"]) for t in topics if t["topic"] == TOPIC_DEAD_LETTER),
                [])


@contextlib.asynccontextmanager
async def _consumer(kafka: KafkaConnection):
    """A group-less consumer (nothing committed): reading the dead letters moves no one's offsets."""
    from aiokafka import AIOKafkaConsumer
    from aiokafka.errors import KafkaError

    consumer = AIOKafkaConsumer(**kafka.client_kwargs(), enable_auto_commit=False, request_timeout_ms=10000,
                                client_id="backoffice-deadletter")
    try:
        try:
            await consumer.start()
        except (KafkaError, OSError) as exc:
            raise _unreachable(kafka, exc) from None
        yield consumer
    finally:
        # aiokafka 0.14: stopping a group-less consumer re-raises its own cancelled reset task.
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await consumer.stop()


def _parse(message: Any) -> DeadLetter:
    try:
        record = json.loads(message.value)
    except (TypeError, ValueError):
        record = None
    return DeadLetter(message.partition, message.offset, message.timestamp,
                      record if isinstance(record, dict) else None)


async def _ranges(consumer, partitions: list[int]) -> dict[Any, tuple[int, int]]:
    from aiokafka import TopicPartition

    tps = [TopicPartition(TOPIC_DEAD_LETTER, p) for p in partitions]
    begin = await consumer.beginning_offsets(tps)
    end = await consumer.end_offsets(tps)
    return {tp: (begin[tp], end[tp]) for tp in tps}


async def read_all(kafka: KafkaConnection) -> list[DeadLetter]:
    """Every dead letter, oldest first (by the time it was written)."""
    partitions = await _partitions(kafka)
    if not partitions:
        return []
    async with _consumer(kafka) as consumer:
        ranges = await _ranges(consumer, partitions)
        consumer.assign(list(ranges))
        todo = set()
        for tp, (begin, end) in ranges.items():
            if end > begin:
                consumer.seek(tp, begin)
                todo.add(tp)
        found: list[DeadLetter] = []
        deadline = time.monotonic() + READ_TIMEOUT
        while todo:
            for tp, messages in (await consumer.getmany(*todo, timeout_ms=500)).items():
                found.extend(_parse(m) for m in messages if m.offset < ranges[tp][1])
            for tp in list(todo):
                if await consumer.position(tp) >= ranges[tp][1]:
                    todo.discard(tp)
            if todo and time.monotonic() > deadline:
                raise DeadLetterError(f"reading {TOPIC_DEAD_LETTER} took longer than {READ_TIMEOUT:.0f}s")
    return sorted(found, key=lambda d: (d.timestamp_ms, d.partition, d.offset))


async def read_at(kafka: KafkaConnection, positions: list[tuple[int, int]]) -> list[DeadLetter]:
    """The dead letters at these (partition, offset) positions; all of them exist or none is returned."""
    from aiokafka import TopicPartition

    partitions = await _partitions(kafka)
    async with _consumer(kafka) as consumer:
        ranges = await _ranges(consumer, partitions) if partitions else {}
        missing = []
        for partition, offset in positions:
            tp = TopicPartition(TOPIC_DEAD_LETTER, partition)
            begin, end = ranges.get(tp, (0, 0))
            if begin <= offset < end:
                continue
            if not ranges:
                why = "the topic does not exist: nothing was ever dead-lettered"
            elif tp not in ranges:
                why = f"the topic has no partition {partition}"
            else:
                why = f"partition {partition} " + (f"holds offsets {begin}–{end - 1}" if end > begin else "is empty")
            missing.append(f"{DeadLetter(partition, offset, 0, None).id} ({why})")
        if missing:
            raise DeadLetterError(f"no dead letter at offset {', '.join(missing)} of {TOPIC_DEAD_LETTER}; "
                                  "see `backoffice deadletter list`. Nothing was replayed")
        found = []
        for partition, offset in positions:
            tp = TopicPartition(TOPIC_DEAD_LETTER, partition)
            consumer.assign([tp])
            consumer.seek(tp, offset)
            deadline = time.monotonic() + READ_TIMEOUT
            message = None
            while message is None:
                messages = (await consumer.getmany(tp, timeout_ms=500)).get(tp, [])
                message = next((m for m in messages if m.offset >= offset), None)
                if message is None and time.monotonic() > deadline:
                    raise DeadLetterError(f"reading offset {offset} of {TOPIC_DEAD_LETTER} timed out")
            if message.offset != offset:  # compacted away
                raise DeadLetterError(f"no dead letter at offset {DeadLetter(partition, offset, 0, None).id} of "
                                      f"{TOPIC_DEAD_LETTER}. Nothing was replayed")
            found.append(_parse(message))
        return found


# ------------------------------------------------------------------ list

def _summary(d: DeadLetter, show_body: bool) -> dict[str, Any]:
    shown = {"dlt_offset": d.offset, "dlt_partition": d.partition, "id": d.id}
    if d.record is None:
        return {**shown, "reason": "unreadable", "error": "not a dead-letter record (no JSON object)"}
    return {**shown, **{k: v for k, v in d.record.items() if show_body or k != "body"}}


def _table(rows: list[dict[str, Any]]) -> str:
    def origin(r):
        if r.get("topic") is None:
            return "-"
        return f"{r['topic']}[{r.get('partition')}]@{r.get('offset')}"

    def when(r):
        return str(r.get("dead_lettered_at") or "-")[:19].replace("T", " ")

    columns = [("OFFSET", lambda r: r["id"]), ("DEAD-LETTERED (UTC)", when),
               ("CONSUMER", lambda r: r.get("consumer") or "-"), ("SCHEMA", lambda r: r.get("schema") or "-"),
               ("REASON", lambda r: r.get("reason") or "invalid"),  # records from before reasons were all invalid
               ("TRIES", lambda r: str(r.get("attempts", "-"))), ("ORIGIN (topic[partition]@offset)", origin),
               ("ERROR", lambda r: (lambda e: e if len(e) <= 80 else e[:79] + "…")(str(r.get("error") or "-")))]
    cells = [[fn(r) for _, fn in columns] for r in rows]
    widths = [max([len(name)] + [len(c[i]) for c in cells]) for i, (name, _) in enumerate(columns)]
    lines = ["  ".join(name.ljust(w) for (name, _), w in zip(columns, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    if any("body" in r for r in rows):
        lines += ["", *(f"body of {r['id']}: {json.dumps(r.get('body'), ensure_ascii=False)}" for r in rows)]
    return "\n".join(lines)


def cmd_list(args: argparse.Namespace) -> int:
    kafka = _kafka()
    with _quiet_aiokafka():
        letters = asyncio.run(read_all(kafka))
    if args.consumer:
        letters = [d for d in letters if (d.record or {}).get("consumer") == args.consumer]
    if args.limit and args.limit > 0:
        letters = letters[-args.limit:]
    rows = [_summary(d, args.show_body) for d in letters]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif rows:
        print(_table(rows))
    else:
        print(f"no dead letters{f' of {args.consumer}' if args.consumer else ''} in {TOPIC_DEAD_LETTER}")
    return 0


# ------------------------------------------------------------------ replay

def _message(d: DeadLetter) -> tuple[str, bytes | None, bytes, list[tuple[str, bytes]]]:
    """(topic, key, value, headers) of the original message, as near to its bytes as the record keeps them:
    JSON is written back compactly, as the services write it."""
    r = d.record
    if r is None or not r.get("topic") or "body" not in r:
        raise DeadLetterError(f"dead letter {d.id} does not name its original topic (written before records "
                              "kept their provenance) and cannot be replayed. Nothing was replayed")
    body, body_format = r["body"], r.get("body_format")
    if body_format == "text" or (body_format is None and isinstance(body, str)):
        value, headers = str(body).encode("utf-8"), []
    else:
        value = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = [("content-type", b"application/json")]
    if r.get("traceparent"):
        headers.append(("traceparent", str(r["traceparent"]).encode("ascii")))
    headers.append(("deadletter-replay-of", f"{TOPIC_DEAD_LETTER}:{d.partition}:{d.offset}".encode("ascii")))
    key = r.get("key")
    return r["topic"], (key.encode("utf-8") if isinstance(key, str) else None), value, headers


async def replay(kafka: KafkaConnection, letters: list[DeadLetter]) -> list[tuple[DeadLetter, Any]]:
    """Publishes every dead letter again (after checking all can be); returns each with where it landed."""
    from aiokafka import AIOKafkaProducer
    from aiokafka.errors import KafkaError

    messages = [(d, _message(d)) for d in letters]
    producer = AIOKafkaProducer(**kafka.client_kwargs(), acks="all", request_timeout_ms=10000,
                                max_request_size=MAX_EVENT_BYTES, client_id="backoffice-deadletter")
    try:
        await producer.start()
    except (KafkaError, OSError) as exc:
        with contextlib.suppress(Exception):
            await producer.stop()
        raise _unreachable(kafka, exc) from None
    done: list[Any] = []
    try:
        for d, (topic, key, value, headers) in messages:
            try:
                meta = await producer.send_and_wait(topic, value, key=key, headers=headers)
            except KafkaError as exc:
                raise DeadLetterError(f"replaying dead letter {d.id} to {topic} failed ({type(exc).__name__}: "
                                      f"{exc}); {len(done)} replayed before it") from None
            done.append((d, meta))
    finally:
        await producer.stop()
    return done


def cmd_replay(args: argparse.Namespace) -> int:
    if args.consumer and not args.all:
        raise DeadLetterError("--consumer goes with --all; with --offset the offsets already say which")
    kafka = _kafka()
    with _quiet_aiokafka():
        if args.all:
            letters = asyncio.run(read_all(kafka))
            if args.consumer:
                letters = [d for d in letters if (d.record or {}).get("consumer") == args.consumer]
        else:
            letters = asyncio.run(read_at(kafka, list(dict.fromkeys(args.offset))))
        if not letters:
            print(f"nothing to replay: no dead letters{f' of {args.consumer}' if args.consumer else ''}")
            return 0
        done = asyncio.run(replay(kafka, letters))
    for d, meta in done:
        r = d.record or {}
        print(f"replayed dead letter {d.id} ({r.get('consumer')}, {r.get('schema')}, {r.get('reason', 'invalid')}) "
              f"to {meta.topic}[{meta.partition}]@{meta.offset} key={r.get('key')!r} "
              f"traceparent={'yes' if r.get('traceparent') else 'no'} "
              f"(was {r.get('topic')}[{r.get('partition')}]@{r.get('offset')})")
    print(f"{len(done)} replayed. Consumers skip events they already handled (inbox on event_id), so replaying "
          "again is harmless; a message that still fails comes back as a new dead letter.")
    return 0


@contextlib.contextmanager
def _quiet_aiokafka():
    """aiokafka logs every failed connection; the command says once, clearly, what to set instead."""
    logger = logging.getLogger("aiokafka")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)

