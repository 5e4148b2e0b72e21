"""Graceful shutdown on SIGTERM (issue 7), with the services as processes on real Kafka and PostgreSQL (declaratie
as two replicas of one consumer group, as with `docker compose up --scale declaratie=2`), and the Dockerfile's
HEALTHCHECK command run against them, so neither can rot unnoticed.

A region's month of allocations (301) and declarations (323) is submitted. Each stop happens while work is
provably in flight: the test holds a lock on the service's inbox table, so its handlers block inside their
transactions; then SIGTERM, one second in which the process must keep waiting for them, and the lock is released.
- one declaratie replica of two: its handlers finish and commit before it leaves the group (no failed ack), exit 0;
  the other replica takes its partitions over;
- facturatie, then the last declaratie replica: the same, and then Kafka's committed offset is exactly the
  processing frontier: every message before it is in the service's inbox (done), none after it (handed back: not
  started, not committed; done after the restart). What they committed to their outbox is on Kafka;
- after both are restarted every declaration has exactly one verdict and one 325, the ledger holds each approved
  line exactly once with the approved amounts, and the balances equal the journal;
- berichtenverkeer: a submission in flight at SIGTERM is answered 202, stored and published, then exit 0.
Stop times are printed (`-s`). The module runs on a database of its own, so its messages meet nobody else's.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import asyncpg
import httpx
import pytest

from shared.kalender import SYSTEEMKLOK
from shared.platform.events import TOPIC_DECLARATIE_BEOORDEELD, TOPIC_ONTVANGEN
from shared.platform.kafka_connection import KafkaConnection
from shared.platform.regio import load_regio
from shared.platform.service import SHUTDOWN_BUDGET_S
from tests import deploy_checks as dc
from tests.conftest import fresh_database
from tests.support.live import committed, fetch_all, fetchval, read_topic, wait_consumed
from tools.checkout import DEFAULT_REGIO
from tools.cli import ServiceSet
from tools.demo import DemoBericht, generate_month, vorige_maand

pytestmark = pytest.mark.integration

STOP_BUDGET = SHUTDOWN_BUDGET_S  # the services' own bound (shared/platform/service.py); compose gives them more
HOLD = 1.0  # seconds the test keeps handlers blocked after SIGTERM
XML = {"Content-Type": "application/xml"}
STOP_TIMES: dict[str, float] = {}


@pytest.fixture(scope="module")
def database_url(infra):
    return fresh_database(infra, "shutdown")


@pytest.fixture(scope="module")
def services(infra, database_url, tmp_path_factory):
    log_dir = tmp_path_factory.mktemp("shutdown-logs")
    services = ServiceSet({"KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers, "DATABASE_URL": database_url,
                           "REGIO_CONFIG": str(DEFAULT_REGIO), "RATE_LIMIT_PER_PARTIJ": "0",
                           "PATH": "/usr/bin:/bin"}, log_dir=log_dir, kafka_env=infra.kafka_env,
                          services=(("berichtenverkeer", 0), ("declaratie", 0), ("declaratie#2", 0), ("facturatie", 0)))
    services.start(fixed_ports=False)
    try:
        services.wait_healthy(timeout=120)
        yield services
    finally:
        services.stop()


def log_of(services: ServiceSet, name: str) -> str:
    return (services.log_dir / f"{name.replace('#', '-')}.log").read_text(errors="replace")


_REBALANCED = re.compile(r"CRITICAL\S* - .*CommitFailedError\('Commit cannot be completed since the group has "
                         r"already(\\n|\s)+rebalanced")


def own_stop(log: str) -> str:
    """A replica's log from the moment it was asked to stop. Before that, the one thing allowed to go wrong is an
    ack that lost a race with the rebalance another replica's departure caused (FastStream logs it as CRITICAL):
    the new owner gets the message again and its inbox makes that harmless, which check_frontier proves."""
    start = log.find("stopping:")
    before, after = (log, "") if start < 0 else (log[:start], log[start:])
    for line in before.splitlines():
        assert "CRITICAL" not in line or _REBALANCED.search(line), line
    return after


def assigned(services: ServiceSet, name: str) -> set[int]:
    """The partitions a replica's consumers hold: the latest assignment of each consumer, as FastStream logs it."""
    latest: dict[str, set[int]] = {}
    for consumer, parts in re.findall(r"Consumer (\S+) assigned to partitions: \((.*)\)", log_of(services, name)):
        latest[consumer] = {int(p) for p in re.findall(r"partition=(\d+)", parts)}
    return set().union(*latest.values())


def healthcheck(services: ServiceSet, name: str) -> subprocess.CompletedProcess:
    """The Dockerfile's HEALTHCHECK command of the service's image, run here against the live service."""
    check = dc.healthcheck(name.split("#")[0])
    env = {"PORT": services.urls[name].rsplit(":", 1)[1], "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
    return subprocess.run(check.argv, env=env, capture_output=True, text=True,
                          timeout=dc.duration_seconds(check.options["timeout"]))


# ------------------------------------------------------------------------------------------------ database


class TableLock:
    """SHARE lock on a table from a connection of the test: INSERTs wait for it, reads and /health go on."""

    def __init__(self, url: str, table: str):
        self.url, self.table = url, table

    async def __aenter__(self):
        self.conn = await asyncpg.connect(self.url)
        self.tx = self.conn.transaction()
        await self.tx.start()
        await self.conn.execute(f"LOCK TABLE {self.table} IN SHARE MODE")
        return self

    async def release(self):
        if self.tx is not None:
            await self.tx.commit()
            self.tx = None

    async def __aexit__(self, *exc):
        await self.release()
        await self.conn.close()


async def blocked_on(url: str, application: str, table: str) -> int:
    """How many of a service's database sessions wait for the lock on `table`."""
    return await fetchval(url, "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                               "WHERE NOT l.granted AND l.relation = $1::regclass AND a.application_name = $2",
                          table, application)


async def wait_blocked(url: str, application: str, table: str, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while await blocked_on(url, application, table) == 0:
        assert time.monotonic() < deadline, f"no {application} handler reached {table}"
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # let the other consumers reach it too
    return await blocked_on(url, application, table)


async def sigterm_while_blocked(services: ServiceSet, name: str, lock: TableLock) -> tuple[int, float]:
    """SIGTERM to the process (as `docker stop` sends it to the container's main process); it must wait for the
    blocked handlers: still running after HOLD seconds. Then release them. (exit code, seconds from SIGTERM)."""
    proc = services.procs[name]
    t0 = time.monotonic()
    os.kill(proc.pid, signal.SIGTERM)
    await asyncio.sleep(HOLD)
    assert proc.poll() is None, f"{name} exited ({proc.returncode}) with handlers in flight instead of draining"
    await lock.release()
    while proc.poll() is None:
        assert time.monotonic() - t0 < STOP_BUDGET + 10, f"{name} did not stop within {STOP_BUDGET + 10:.0f}s"
        await asyncio.sleep(0.02)
    return proc.returncode, time.monotonic() - t0


# ------------------------------------------------------------------------------------------------ Kafka


async def check_frontier(kafka: KafkaConnection, db: str, group: str, topic: str, ours: set[str]) -> tuple[int, int]:
    """After a stop: the group's committed offset separates done from not done, exactly. Every record before it
    is in the service's inbox (for our messages: other modules may have left records this service could not
    handle), no record after it is (it was handed back, not half done). Returns (done, handed back) of ours."""
    offsets = await committed(kafka, group)
    inbox = {r for r in await fetch_all(db, f"SELECT event_id FROM {group}.inbox WHERE consumer = $1", group)}
    done = handed_back = 0
    for tp, records in (await read_topic(kafka, topic)).items():
        frontier = offsets.get(tp, 0)
        for offset, body in records:
            processed = f"{group}:{body['event_id']}" in inbox
            if offset >= frontier:
                assert not processed, f"{tp}@{offset}: processed but not committed: it would be handled again"
                handed_back += body["bericht_id"] in ours
            elif body["bericht_id"] in ours:
                assert processed, f"{tp}@{offset}: committed but not processed: lost"
                done += 1
    return done, handed_back


# ------------------------------------------------------------------------------------------------ traffic


def month(tag: str, clients: int) -> list[DemoBericht]:
    """The demo's month for the whole region (allocations first), line references made unique to this run."""
    periode = vorige_maand(SYSTEEMKLOK.vandaag())
    berichten = generate_month(load_regio(DEFAULT_REGIO), periode, clients_per_bericht=clients)
    return [DemoBericht(b.agb, b.cbs, b.xml.replace(b">DEMO", f">{tag}".encode()), b.regels, b.berichttype)
            for b in berichten]


async def submit_all(url: str, berichten: list[DemoBericht]) -> list[str]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        sem = asyncio.Semaphore(8)

        async def one(b: DemoBericht) -> str:
            async with sem:
                r = await client.post("/v1/berichten", content=b.xml,
                                      headers={**XML, "Authorization": f"Bearer {b.token}"})
                assert r.status_code == 202, r.text
                return r.json()["bericht_id"]

        return list(await asyncio.gather(*(one(b) for b in berichten)))


def referenties(xml: bytes) -> list[str]:
    return [r.decode() for r in re.findall(rb"<(?:\w+:)?ReferentieNummer>([^<]+)<", xml)]


def domein(xml: bytes) -> str:
    return "wmo" if b"istandaarden.nl/iwmo/" in xml else "jw"


def with_identificatie(b: DemoBericht, identificatie: str) -> DemoBericht:
    xml = re.sub(rb"(<(?:\w+:)?Identificatie>)[^<]+(<)", rb"\g<1>" + identificatie.encode() + rb"\g<2>", b.xml,
                 count=1)
    return DemoBericht(b.agb, b.cbs, xml, b.regels, b.berichttype)


async def wait_outbox_published(db: str, schema: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while await fetchval(db, f"SELECT count(*) FROM {schema}.outbox WHERE published_at IS NULL"):
        assert time.monotonic() < deadline, f"{schema}'s outbox not published"
        await asyncio.sleep(0.1)


# ------------------------------------------------------------------------------------------------ the test


def test_the_dockerfile_healthcheck_passes_against_each_live_service(services):
    for name in services.procs:
        result = healthcheck(services, name)
        assert result.returncode == 0, f"{name}: {result.stdout}{result.stderr}"


async def test_sigterm_under_load_loses_and_doubles_nothing(services, infra, database_url):
    kafka, db = infra.kafka_connection(), database_url
    tag = "S" + uuid.uuid4().hex[:3].upper()
    traffic = month(tag, clients=8)
    allocations = [b for b in traffic if b.berichttype == "301"]
    declaraties = [b for b in traffic if b.berichttype == "323"]
    first, second = allocations + declaraties[:10], declaraties[10:]  # every allocation before any declaration
    bv_url = services.urls["berichtenverkeer"]

    async with TableLock(db, "facturatie.inbox") as facturatie_lock:
        # 1. declaratie runs as two replicas of one consumer group (as with --scale declaratie=2). One is stopped
        #    with handlers in flight: they finish and commit while it still owns its partitions, it exits 0, and
        #    the other replica takes its partitions over.
        async with TableLock(db, "declaratie.inbox") as lock:
            ids = await submit_all(bv_url, first)
            # Twelve consumers share six partitions: stop a replica that holds some of these messages.
            with_ours = {tp.partition for tp, records in (await read_topic(kafka, TOPIC_ONTVANGEN)).items()
                         if any(body["bericht_id"] in ids for _, body in records)}
            holders = [n for n in ("declaratie", "declaratie#2") if assigned(services, n) & with_ours]
            assert holders, f"no replica logged an assignment of partitions {with_ours}"
            one, other = holders[0], ({"declaratie", "declaratie#2"} - {holders[0]}).pop()
            await wait_blocked(db, "declaratie", "declaratie.inbox")
            rc, took = await sigterm_while_blocked(services, one, lock)
        STOP_TIMES["declaratie, one of two replicas"] = took
        log = log_of(services, one)
        assert rc == 0 and took < STOP_BUDGET, log[-3000:]
        assert re.search(r"stopping: waiting for [1-9]\d* message handler\(s\) in flight", log)
        # No ack may fail: a commit through a consumer that already left the group is refused while other
        # members hold the group (FastStream's own stop order for a max_workers subscriber).
        assert "CRITICAL" not in log and "still running after" not in log, log[-3000:]
        assert healthcheck(services, one).returncode != 0  # the image's check sees a stopped service
        services.procs.pop(one)

        # 2. facturatie, blocked since the first verdict, stopped with a batch in flight. Then Kafka's committed
        #    offset is exactly its processing frontier, and what it committed is on Kafka.
        await wait_blocked(db, "facturatie", "facturatie.inbox")
        rc, took = await sigterm_while_blocked(services, "facturatie", facturatie_lock)
    STOP_TIMES["facturatie"] = took
    log = log_of(services, "facturatie")
    assert rc == 0 and took < STOP_BUDGET, log[-3000:]
    assert re.search(r"stopping: waiting for [1-9]\d* message handler\(s\) in flight", log)
    done, handed_back = await check_frontier(kafka, db, "facturatie", TOPIC_DECLARATIE_BEOORDEELD, set(ids))
    assert done >= 1
    assert await fetchval(db, "SELECT count(*) FROM facturatie.outbox WHERE published_at IS NULL") == 0

    # 3. The last declaratie replica, stopped with handlers in flight on the second half of the declarations:
    #    every message before the committed offset is done, every one after it handed back.
    await wait_consumed(kafka, "declaratie", TOPIC_ONTVANGEN)
    async with TableLock(db, "declaratie.inbox") as lock:
        ids += await submit_all(bv_url, second)
        await wait_blocked(db, "declaratie", "declaratie.inbox")
        rc, took = await sigterm_while_blocked(services, other, lock)
    STOP_TIMES["declaratie, the last replica"] = took
    log = log_of(services, other)
    assert rc == 0 and took < STOP_BUDGET, log[-3000:]
    own = own_stop(log)  # it lived through the other replica's departure: see own_stop
    assert "CRITICAL" not in own and "still running after" not in own, own[-3000:]
    services.procs.pop(other)
    done, handed_back = await check_frontier(kafka, db, "declaratie", TOPIC_ONTVANGEN, set(ids))
    assert done + handed_back == len(traffic) and handed_back > 0, (done, handed_back, len(traffic))
    assert await fetchval(db, "SELECT count(*) FROM declaratie.outbox WHERE published_at IS NULL") == 0

    # 4. Both back: everything is answered and booked exactly once.
    services.restart("declaratie", "facturatie")
    for name in dc.SERVICES:
        assert healthcheck(services, name).returncode == 0
    await wait_consumed(kafka, "declaratie", TOPIC_ONTVANGEN)
    await wait_outbox_published(db, "declaratie")  # every verdict is on Kafka now
    for group in ("facturatie", "berichtenverkeer"):
        await wait_consumed(kafka, group, TOPIC_DECLARATIE_BEOORDEELD)
    await check_exactly_once(services, db, declaraties, ids[len(allocations):])

    # 5. berichtenverkeer, stopped with a submission in flight: it is answered, stored and published.
    extra = with_identificatie(allocations[0], f"TX{uuid.uuid4().hex[:8].upper()}")  # one more allocation message
    async with TableLock(db, "berichtenverkeer.berichten") as lock:
        response: dict = {}
        post = threading.Thread(target=lambda: response.update(r=httpx.post(
            f"{bv_url}/v1/berichten", content=extra.xml, timeout=30,
            headers={**XML, "Authorization": f"Bearer {extra.token}"})))
        post.start()
        await wait_blocked(db, "berichtenverkeer", "berichtenverkeer.berichten")
        rc, took = await sigterm_while_blocked(services, "berichtenverkeer", lock)
    post.join(10)
    STOP_TIMES["berichtenverkeer"] = took
    assert rc == 0 and took < STOP_BUDGET, log_of(services, "berichtenverkeer")[-3000:]
    assert response["r"].status_code == 202, response["r"].text
    stored = uuid.UUID(response["r"].json()["bericht_id"])
    assert await fetchval(db, "SELECT count(*) FROM berichtenverkeer.berichten WHERE id = $1", stored) == 1
    assert await fetchval(db, "SELECT count(*) FROM berichtenverkeer.outbox WHERE published_at IS NULL") == 0

    # 6. The others stop at rest: at once, exit 0.
    for name in ("declaratie", "facturatie"):
        proc, t0 = services.procs[name], time.monotonic()
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(STOP_BUDGET) == 0
        STOP_TIMES[f"{name} at rest"] = time.monotonic() - t0
    print("stop times (s; under load they include the 1 s the test holds the handlers):",
          {k: round(v, 2) for k, v in STOP_TIMES.items()})


async def check_exactly_once(services: ServiceSet, db: str, declaraties: list[DemoBericht], ids: list[str]) -> None:
    # One verdict and one 325 per declaration.
    verdicts = Counter(await fetch_all(db, "SELECT payload->>'bericht_id' FROM declaratie.outbox WHERE topic = $1",
                                       TOPIC_DECLARATIE_BEOORDEELD))
    assert all(verdicts[i] == 1 for i in ids), {i: verdicts[i] for i in ids if verdicts[i] != 1}
    answers = await fetch_all(db, "SELECT a.bericht_id::text FROM berichtenverkeer.antwoorden a "
                                  "JOIN berichtenverkeer.berichten u ON u.id = a.antwoord_id AND u.richting = 'uit' "
                                  "AND u.berichttype = '325' WHERE a.bericht_id = ANY($1::uuid[])", ids)
    assert sorted(answers) == sorted(ids)
    assert await fetchval(db, "SELECT count(*) FROM berichtenverkeer.berichten WHERE richting = 'uit' "
                              "AND berichttype = '325'") == len(ids)

    async with httpx.AsyncClient(base_url=services.urls["berichtenverkeer"], timeout=30) as bv, \
            httpx.AsyncClient(base_url=services.urls["facturatie"], timeout=30) as fa:
        per_gemeente: dict[str, list] = {}
        for b, bericht_id in zip(declaraties, ids):
            r = await bv.get(f"/v1/berichten/{bericht_id}", headers={"Authorization": f"Bearer {b.token}"})
            status = r.json()
            assert status["status"] == "beantwoord", status
            s = status["samenvatting"]
            afgewezen = {r["referentienummer"] for r in s["afgewezen_regels"]}
            goedgekeurd = [r for r in referenties(b.xml) if r not in afgewezen]
            per_gemeente.setdefault(b.cbs, []).append((bericht_id, b.agb, domein(b.xml), goedgekeurd,
                                                       s["totaal_toegekend_cent"]))
        for cbs, berichten in per_gemeente.items():
            auth = {"Authorization": f"Bearer demo-gemeente-{cbs}"}
            journaal = await all_entries(fa, cbs, auth)
            for bericht_id, agb, dom, goedgekeurd, toegekend in berichten:
                posten = [p for p in journaal if p["bericht_id"] == bericht_id and p["soort"] == "prestatie"]
                keys = Counter(p["idempotentie_sleutel"] for p in posten)
                assert keys == Counter(f"{agb}:{dom}:{r}" for r in goedgekeurd), (bericht_id, keys, goedgekeurd)
                kosten = sum(r["debet_cent"] - r["credit_cent"] for p in posten for r in p["regels"]
                             if r["rekening"].startswith("kosten:"))
                assert kosten == toegekend, (bericht_id, kosten, toegekend)
            # The balances are the journal, summed: nothing booked twice into a balance either.
            saldi = (await fa.get(f"/v1/gemeenten/{cbs}/saldi", headers=auth)).json()["rekeningen"]
            som = Counter()
            for p in journaal:
                for r in p["regels"]:
                    som[(p["domein"], r["rekening"])] += r["debet_cent"] - r["credit_cent"]
            assert {(r["domein"], r["code"]): r["saldo_cent"] for r in saldi if r["saldo_cent"]} == \
                {k: v for k, v in som.items() if v}


async def all_entries(fa: httpx.AsyncClient, cbs: str, auth: dict) -> list[dict]:
    entries, na_id = [], 0
    while True:
        page = (await fa.get(f"/v1/gemeenten/{cbs}/journaal", params={"limit": 1000, "na_id": na_id},
                             headers=auth)).json()
        entries += page["journaalposten"]
        if page["volgende_na_id"] is None:
            return entries
        na_id = page["volgende_na_id"]
