"""Assessment benchmark: a generated region-month judged by the real declaratie service on real Kafka and
PostgreSQL, end to end: from the first DeclaratieOntvangen event produced to the last verdict consumed.

    .venv/bin/python bench/assessment_bench.py [--aanbieders 200] [--clienten 30000] [--replicas 1]
                                              [--json test-artifacts/bench/assessment.json]

What happens (progress on stderr):
1. generate the region (200 providers, five municipalities), the allocations (one 301 per client) and two months
   of declarations (bench/generator.py): September is history, October is the month under test;
2. start throw-away Kafka and PostgreSQL (or use KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL) and the declaratie
   service as a child process with the generated region file;
3. baseline in the same run: the same October events through Kafka alone (produce + consume, no judging): the
   transport ceiling any consumer of this topic has on this machine;
4. history: every 301 and the September declarations, as berichtenverkeer would publish them;
5. timed: the October declarations; the clock stops when the last verdict arrives on the verdict topic;
6. every line's verdict is compared with what the generator intended (approved, or rejected with its code).

Figures only; nothing is asserted on speed. A verdict that differs from the generator's intent is reported and
makes the exit code 1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import yaml
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bench.generator import Regiomaand, genereer
from shared.platform.events import (
    TOPIC_DECLARATIE_BEOORDEELD,
    TOPIC_ONTVANGEN,
    DeclaratieOntvangen,
    ToewijzingOntvangen,
    relatie_sleutel,
)
from shared.platform.kafka_connection import KafkaConnection
from shared.platform.service import ensure_topics
from tools.cli import ServiceSet
from tools.localinfra import free_port, start_infra

JSON = [("content-type", b"application/json")]


def say(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def _id(kind: str, n: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench:{kind}:{n}"))


def events(maand: Regiomaand) -> tuple[list, list, list]:
    """(key, value) pairs, serialised before any clock runs: the benchmark process must not compete with the
    service for the CPU while it is being measured."""
    def pair(event, domein, gemeente, aanbieder):
        return relatie_sleutel(domein, gemeente, aanbieder).encode(), event.model_dump_json().encode()

    toew = [pair(ToewijzingOntvangen(event_id=_id("301", i), bericht_id=_id("301b", i), bericht=b),
                 b.domein, b.header.afzender, b.header.ontvanger) for i, b in enumerate(maand.toewijzingen)]

    def declaraties(berichten, kind):
        return [pair(DeclaratieOntvangen(event_id=_id(kind, i), bericht_id=_id(f"{kind}b", i),
                                         ontvangen_op=b.header.dagtekening, bericht=b),
                     b.domein, b.header.ontvanger, b.header.afzender) for i, b in enumerate(berichten)]

    return toew, declaraties(maand.september, "sep"), declaraties(maand.oktober, "okt")


async def produce(kafka: KafkaConnection, topic: str, pairs: list) -> None:
    producer = AIOKafkaProducer(**kafka.client_kwargs(), linger_ms=5, max_batch_size=1024 * 1024,
                                max_request_size=8 * 1024 * 1024)
    await producer.start()
    try:
        futures = [await producer.send(topic, value=v, key=k, headers=JSON) for k, v in pairs]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


class Collector:
    """Reads a topic from a position on, keeping raw values; parsing waits until the clock has stopped."""

    def __init__(self, kafka: KafkaConnection, topic: str):
        self.consumer = AIOKafkaConsumer(**kafka.client_kwargs(), enable_auto_commit=False,
                                         max_partition_fetch_bytes=8 * 1024 * 1024, fetch_max_bytes=64 * 1024 * 1024)
        self.topic = topic
        self.kafka = kafka
        self.values: list[bytes] = []

    async def start_at_end(self) -> None:
        await self.consumer.start()
        admin = AIOKafkaAdminClient(**self.kafka.client_kwargs())
        await admin.start()
        parts = []
        try:
            for _ in range(100):  # a topic created just now takes a moment to get its partition leaders
                (beschrijving,) = await admin.describe_topics([self.topic])
                parts = [TopicPartition(self.topic, p["partition"]) for p in beschrijving["partitions"]]
                if parts and beschrijving["error_code"] == 0:
                    break
                await asyncio.sleep(0.1)
        finally:
            await admin.close()
        if not parts:
            await self.stop()
            raise RuntimeError(f"topic {self.topic} has no partitions")
        self.consumer.assign(parts)
        await self.consumer.seek_to_end(*parts)
        for p in parts:  # resolve the end offsets now, before anything new is produced
            await self.consumer.position(p)

    async def until(self, count: int, timeout: float, progress: str) -> float:
        """Collect until `count` values arrived; returns the monotonic time of the last one."""
        deadline, last, shown = time.monotonic() + timeout, time.monotonic(), time.monotonic()
        while len(self.values) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{progress}: only {len(self.values)} of {count} after {timeout:.0f}s; "
                                   "see test-artifacts/bench/*.log")
            batch = await self.consumer.getmany(timeout_ms=500, max_records=10_000)
            for records in batch.values():
                self.values.extend(r.value for r in records)
                last = time.monotonic()
            if time.monotonic() - shown > 5:
                say(f"  {progress}: {len(self.values):,}/{count:,}")
                shown = time.monotonic()
        return last

    async def stop(self) -> None:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.consumer.stop()


async def transport_baseline(kafka: KafkaConnection, pairs: list) -> float:
    """Seconds to produce the October events to a scratch topic and consume them all back."""
    topic = f"bench.baseline.{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka, topics=(topic,))
    collector = Collector(kafka, topic)
    await collector.start_at_end()
    try:
        t0 = time.monotonic()
        await produce(kafka, topic, pairs)
        return await collector.until(len(pairs), 300, "baseline") - t0
    finally:
        await collector.stop()


def vergelijk(maand: Regiomaand, verdicts: list[dict]) -> tuple[Counter, list[str]]:
    """Counts of outcomes and a list of differences between the verdicts and the generator's intent."""
    uitkomst: Counter = Counter()
    verschillen: list[str] = []
    for v in verdicts:
        if v["header_retourcodes"] != ["0200"] or v["declaratie_retourcodes"]:
            verschillen.append(f"{v['declaratienummer']}: header {v['header_retourcodes']} "
                               f"declaratie {v['declaratie_retourcodes']} {v['header_redenen']}")
            continue
        for o in v["oordelen"]:
            bedoeld = maand.verwacht.get((v["aanbieder"], o["referentienummer"]), "?")
            codes = o["retourcodes"]
            uitkomst[codes[0] if codes else "goedgekeurd"] += 1
            if bedoeld is None and codes:
                verschillen.append(f"{v['declaratienummer']} {o['referentienummer']}: rejected {codes} "
                                   f"{o['redenen'][:1]}, intended approved")
            elif bedoeld not in (None, "?") and bedoeld not in codes:
                verschillen.append(f"{v['declaratienummer']} {o['referentienummer']}: {codes or 'approved'}, "
                                   f"intended {bedoeld}")
    return uitkomst, verschillen


async def run(args: argparse.Namespace) -> int:
    t0 = time.monotonic()
    maand = genereer(aanbieders=args.aanbieders, clienten=args.clienten, seed=args.seed)
    regels = maand.regels
    toewijzingen = sum(len(b.toewijzingen) for b in maand.toewijzingen)
    say(f"generated in {time.monotonic() - t0:.1f}s: {len(maand.regio.aanbieders)} providers, "
        f"{maand.clienten:,} clients with {toewijzingen:,} allocations, {len(maand.oktober):,} October declarations "
        f"with {regels:,} lines ({sum(1 for c in maand.verwacht.values() if c) / regels:.1%} violations)")
    toew, sep, okt = events(maand)
    say(f"serialised {len(toew) + len(sep) + len(okt):,} events "
        f"({sum(len(v) for _k, v in okt) / 1e6:.0f} MB for October)")

    artifacts = Path(args.artifacts)
    artifacts.mkdir(parents=True, exist_ok=True)
    regio_file = Path(tempfile.mkdtemp(prefix="bench-regio-")) / "regio.yaml"
    regio_file.write_text(yaml.safe_dump(maand.regio.model_dump(mode="json"), sort_keys=False))

    infra = start_infra(announce=say)
    kafka = infra.kafka_connection()  # the admin: the benchmark reads every topic
    services = ServiceSet({**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
                           "DATABASE_URL": infra.database_url, "REGIO_CONFIG": str(regio_file)}, log_dir=artifacts,
                          kafka_env=infra.kafka_env,
                          services=tuple((f"declaratie#{i}" if i else "declaratie", free_port())
                                         for i in range(args.replicas)))
    collector = Collector(kafka, TOPIC_DECLARATIE_BEOORDEELD)
    try:
        await ensure_topics(kafka)
        say("baseline: October events through Kafka alone (produce + consume, no judging)")
        baseline = await transport_baseline(kafka, okt)
        say(f"  {regels / baseline:,.0f} lines/s ({baseline:.1f}s)")

        say(f"starting {args.replicas} declaratie process(es)")
        services.start(fixed_ports=False)
        services.wait_healthy()
        await collector.start_at_end()

        say(f"history: {len(toew):,} allocation messages (301) and {len(sep):,} September declarations")
        t_hist = time.monotonic()
        await produce(kafka, TOPIC_ONTVANGEN, toew + sep)
        await collector.until(len(sep), args.timeout, "September verdicts")
        historie = time.monotonic() - t_hist
        say(f"  history judged in {historie:.1f}s ({len(toew) / historie:,.0f} messages/s incl. September)")
        collector.values.clear()

        say(f"timed: {len(okt):,} October declarations, {regels:,} lines")
        t_start = time.monotonic()
        await produce(kafka, TOPIC_ONTVANGEN, okt)
        t_produced = time.monotonic()
        t_last = await collector.until(len(okt), args.timeout, "October verdicts")
        elapsed = t_last - t_start
    finally:
        await collector.stop()
        services.stop()
        infra.stop()

    verdicts = [json.loads(v) for v in collector.values]
    uitkomst, verschillen = vergelijk(maand, verdicts)
    result = {
        "benchmark": "assessment", "replicas": args.replicas, "providers": len(maand.regio.aanbieders),
        "clients": maand.clienten, "allocations": toewijzingen, "declarations": len(okt), "lines": regels,
        "seconds": round(elapsed, 2), "lines_per_s": round(regels / elapsed),
        "produce_seconds": round(t_produced - t_start, 2),
        "baseline_kafka_lines_per_s": round(regels / baseline), "ratio_to_baseline": round(baseline / elapsed, 3),
        "history_seconds": round(historie, 1), "outcomes": dict(uitkomst), "mismatches": len(verschillen),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    say(f"END TO END: {regels:,} lines in {elapsed:.1f}s = {regels / elapsed:,.0f} lines/s "
        f"(Kafka alone {regels / baseline:,.0f} lines/s, ratio {baseline / elapsed:.2f})")
    for v in verschillen[:20]:
        say(f"  MISMATCH {v}")
    if verschillen:
        say(f"{len(verschillen)} verdicts differ from the generator's intent")
        return 1
    say("every verdict matches the generator's intent")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--aanbieders", type=int, default=200)
    parser.add_argument("--clienten", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--replicas", type=int, default=2,
                        help="declaratie processes in one consumer group (default: one per core of this machine)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for each phase")
    parser.add_argument("--artifacts", default="test-artifacts/bench", help="where the service logs go")
    parser.add_argument("--json", help="also write the figures to this file")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
