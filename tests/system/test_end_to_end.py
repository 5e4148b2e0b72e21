"""The walking skeleton's end-to-end path on real Kafka and real PostgreSQL, with the three services running as
separate processes (`python -m <service>`), driven only through their HTTP APIs and Kafka.

Expected values come from the standard's example (§13.2/§13.3) and are worked out by hand:
granted = 118200 + (−98500 credit) + 78800 + 45000 = 143500 D; line P20260504000002 fails TR418 (0611)
because the region's contract tariff for 43A01 is 21000, not 21500. Before it, Woerden allocates (301s) and the
provider declares March (98500 D, line P20260403000017, which the example credits): tools.demo's history.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import re
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest
import yaml
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from lxml import etree

from shared.istandaard import HUIDIGE
from shared.kalender import SYSTEEMKLOK
from shared.platform.events import TOPIC_DECLARATIE_BEOORDEELD, TOPIC_ONTVANGEN
from shared.platform.kafka_connection import KafkaConnection
from tests.conftest import FIXTURES
from tests.support.live import fetch_all, poll
from tools.checkout import DEFAULT_REGIO
from tools.cli import ServiceSet
from tools.demo import voorgeschiedenis_voorbeeld

pytestmark = pytest.mark.integration

PROVIDER = {"Authorization": "Bearer demo-aanbieder-87654321"}
WOERDEN = {"Authorization": "Bearer demo-gemeente-0632"}
XML = {"Content-Type": "application/xml"}
BSNS_IN_FIXTURES = ("999990019", "999990044", "999990045")
NS325 = {"a": HUIDIGE.soort("jw", "325").namespace, "b": HUIDIGE.basis_namespace["jw"]}


# The region file of the demo plus a spending ceiling for Woerden's provider that the example declaration crosses:
# 2,000.00 for Jeugdwet care in 2026, of the 2,420.00 approved (March's 985.00 is credited back by the example).
PLAFOND_WOERDEN = {"gemeente": "0632", "aanbieder": "87654321", "domein": "jw", "jaar": 2026, "cent": 200000}


@pytest.fixture(scope="module")
def system(infra, tmp_path_factory):
    log_dir = tmp_path_factory.mktemp("service-logs")
    regio = yaml.safe_load(DEFAULT_REGIO.read_text())
    regio["bestedingsruimtes"] = [*regio.get("bestedingsruimtes", []), PLAFOND_WOERDEN]
    regio_file = tmp_path_factory.mktemp("regio") / "utrecht-west-met-plafond.yaml"
    regio_file.write_text(yaml.safe_dump(regio, allow_unicode=True))
    services = ServiceSet({"KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
                           "DATABASE_URL": infra.database_url, "REGIO_CONFIG": str(regio_file),
                           "PATH": "/usr/bin:/bin"}, log_dir=log_dir, kafka_env=infra.kafka_env)
    services.start(fixed_ports=False)
    try:
        services.wait_healthy(timeout=120)
        yield services, log_dir
    finally:
        services.stop()


@pytest.fixture(scope="module")
def bv(system):
    services, _ = system
    with httpx.Client(base_url=services.urls["berichtenverkeer"], timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def fa(system):
    services, _ = system
    with httpx.Client(base_url=services.urls["facturatie"], timeout=30) as c:
        yield c


async def stop_consumer(consumer: AIOKafkaConsumer) -> None:
    # aiokafka 0.14: stopping a group-less consumer re-raises its own cancelled reset task.
    with contextlib.suppress(asyncio.CancelledError):
        await consumer.stop()


async def end_offsets(kafka: KafkaConnection, topic: str) -> int:
    consumer = AIOKafkaConsumer(**kafka.client_kwargs())
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        return sum((await consumer.end_offsets(parts)).values())
    finally:
        await stop_consumer(consumer)


async def wait_until_consumed(kafka: KafkaConnection, group: str, topic: str, timeout: float = 30) -> None:
    """Until the group's committed offsets reach the topic's end: everything published so far is processed."""
    admin = AIOKafkaAdminClient(**kafka.client_kwargs())
    consumer = AIOKafkaConsumer(**kafka.client_kwargs())
    await admin.start()
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        deadline = time.monotonic() + timeout
        while True:
            ends = await consumer.end_offsets(parts)
            committed = await admin.list_consumer_group_offsets(group)
            if all((committed.get(tp).offset if committed.get(tp) else 0) >= ends[tp] for tp in parts):
                return
            assert time.monotonic() < deadline, f"group {group} did not catch up on {topic}"
            await asyncio.sleep(0.2)
    finally:
        await stop_consumer(consumer)
        await admin.close()


async def stored_messages(infra) -> int:
    conn = await asyncpg.connect(infra.database_url)
    try:
        return await conn.fetchval("SELECT count(*) FROM berichtenverkeer.berichten")
    finally:
        await conn.close()


# ------------------------------------------------------------------ bad input: specific 4xx, nothing changes

async def test_bad_input_gets_a_specific_error_and_reaches_nothing(system, bv, infra, fixture_bytes):
    voorbeeld = fixture_bytes("jw323-voorbeeld.xml")
    offsets_before = await (end_offsets(infra.kafka_connection(), TOPIC_ONTVANGEN))
    stored_before = await stored_messages(infra)
    cases = [
        ("not XML", b"hello", {**PROVIDER, **XML}, 400, "not a valid"),
        ("empty body", b"", {**PROVIDER, **XML}, 400, "empty body"),
        ("wrong content type", voorbeeld, {**PROVIDER, "Content-Type": "text/plain"}, 415, "Content-Type"),
        ("JSON content type", voorbeeld, {**PROVIDER, "Content-Type": "application/json"}, 415, "Content-Type"),
        ("no token", voorbeeld, XML, 401, "missing Authorization"),
        ("unknown token", voorbeeld, {**XML, "Authorization": "Bearer nope"}, 401, "unknown or revoked"),
        ("basic auth", voorbeeld, {**XML, "Authorization": "Basic dXNlcjpwYXNz"}, 401, "Bearer"),
        ("other provider's token", voorbeeld, {**XML, "Authorization": "Bearer demo-aanbieder-12345678"}, 403,
         "not the AGB code"),
        ("municipality submits 323", voorbeeld, {**XML, "Authorization": "Bearer demo-gemeente-0632"}, 403,
         "gemeente may not"),
        ("municipality outside region", voorbeeld.replace(b"<jw323:Ontvanger>0632", b"<jw323:Ontvanger>0344"),
         {**PROVIDER, **XML}, 422, "routing"),
        ("XXE", b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
         {**PROVIDER, **XML}, 400, "not a valid"),
        ("missing element", voorbeeld.replace(b"<jw323:DeclaratieNummer>D202604001</jw323:DeclaratieNummer>", b""),
         {**PROVIDER, **XML}, 400, "not a valid"),
        ("provider submits an allocation (301)", fixture_bytes("jw301-voorbeeld.xml"), {**PROVIDER, **XML}, 403,
         "aanbieder may not"),
        ("another municipality's 301", fixture_bytes("jw301-voorbeeld.xml"),
         {**XML, "Authorization": "Bearer demo-gemeente-1904"}, 403, "not the CBS code"),
        ("301 breaking CS002", fixture_bytes("jw301-voorbeeld.xml").replace(b"999990019", b"999990018"),
         {**XML, **WOERDEN}, 422, "control level 2"),
        ("provider submits a 325 (the back office makes those)", fixture_bytes("jw325-voorbeeld-0611.xml"),
         {**PROVIDER, **XML}, 422, "not submitted to this gateway"),
        ("municipality submits a request (315)", fixture_bytes("jw315-voorbeeld.xml"), {**XML, **WOERDEN}, 403,
         "gemeente may not"),
        ("municipality submits a start (305)", fixture_bytes("jw305-voorbeeld.xml"), {**XML, **WOERDEN}, 403,
         "gemeente may not"),
    ]
    for name, body, headers, status, text in cases:
        r = bv.post("/v1/berichten", content=body, headers=headers)
        assert r.status_code == status, f"{name}: {r.status_code} {r.text}"
        assert r.headers["content-type"].startswith("application/json"), name
        assert text in r.json()["error"], f"{name}: {r.json()}"
    missing_element = next(body for name, body, *_ in cases if name == "missing element")
    missing = bv.post("/v1/berichten", content=missing_element, headers={**PROVIDER, **XML}).json()
    assert missing["problems"][0]["path"] == "/Bericht/Declaratie/DeclaratieNummer"
    assert await stored_messages(infra) == stored_before
    assert await end_offsets(infra.kafka_connection(), TOPIC_ONTVANGEN) == offsets_before
    assert bv.get("/health").status_code == 200  # still serving


# ------------------------------------------------------------------ the happy path

PROEVEN: list[dict] = []  # the pre-check the example fixture makes before it submits

@pytest.fixture(scope="module")
def example(bv, fixture_bytes):
    for b in voorgeschiedenis_voorbeeld():
        r = bv.post("/v1/berichten", content=b.xml, headers={**XML, "Authorization": f"Bearer {b.token}"})
        assert r.status_code == 202, r.text
    maart = r.json()["bericht_id"]
    assert poll(lambda: bv.get(f"/v1/berichten/{maart}", headers=PROVIDER).json()["antwoord_beschikbaar"])
    # The provider pre-checks first: the same verdict, nothing kept (else the real one below would get 9056).
    r = bv.post("/v1/declaraties/proef", content=fixture_bytes("jw323-voorbeeld.xml"), headers={**PROVIDER, **XML})
    assert r.status_code == 200, r.text
    PROEVEN.append(r.json())
    r = bv.post("/v1/berichten", content=fixture_bytes("jw323-voorbeeld.xml"), headers={**PROVIDER, **XML})
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["status"] == "ontvangen" and body["herhaald"] is False
    seen_404 = []

    def answered():
        a = bv.get(f"/v1/berichten/{body['bericht_id']}/antwoord", headers=PROVIDER)
        if a.status_code == 404:
            seen_404.append(a.json())
            return None
        assert a.status_code == 200
        return a

    antwoord = poll(answered)
    for not_yet in seen_404:  # until the 325 exists: a clear 404
        assert not_yet["error"] == "no answer yet"
    return body["bericht_id"], antwoord


def test_the_325_is_the_standards_example_answer(example, fixture_bytes):
    _, antwoord = example
    assert antwoord.headers["content-type"].startswith("application/xml")
    ours = etree.fromstring(antwoord.content)
    expected = etree.fromstring(fixture_bytes("jw325-voorbeeld-0611.xml"),
                                etree.XMLParser(remove_blank_text=True, remove_comments=True))
    # Our own identification and date of the 325 replace the example's; everything else must be equal.
    for field in ("Identificatie", "Dagtekening"):
        path = f"a:Header/a:BerichtIdentificatie/b:{field}"
        expected.xpath(path, namespaces=NS325)[0].text = ours.xpath(path, namespaces=NS325)[0].text
    assert re.fullmatch(r"RB\d{10}", ours.xpath("a:Header/a:BerichtIdentificatie/b:Identificatie/text()",
                                                   namespaces=NS325)[0])
    def canon(el):
        return etree.tostring(etree.fromstring(etree.tostring(el), etree.XMLParser(remove_blank_text=True)),
                                          method="c14n")
    assert canon(ours) == canon(expected)


def test_the_pre_check_gave_the_same_325_and_reasons_and_kept_nothing(example):
    _, antwoord = example
    (proef,) = PROEVEN
    assert proef["proef"] is True and proef["vastgelegd"] is False
    assert proef["header_retourcodes"] == ["0200"] and proef["totaal_toegekend_cent"] == 143500
    afgewezen = [(r["referentienummer"], r["retourcodes"]) for r in proef["regels"] if not r["goedgekeurd"]]
    assert afgewezen == [("P20260504000002", ["0611"])]
    reden = next(r["redenen"][0] for r in proef["regels"] if r["retourcodes"])
    assert "TR418" in reden and "21500" in reden and "21000" in reden
    would_be, real = etree.fromstring(proef["antwoord_325"].encode()), etree.fromstring(antwoord.content)
    assert would_be.xpath("a:Header/a:BerichtIdentificatie/b:Identificatie/text()", namespaces=NS325) == ["PROEF"]
    for el in (would_be, real):  # only the identification differs: the pre-check's answer is never sent
        el.xpath("a:Header/a:BerichtIdentificatie/b:Identificatie", namespaces=NS325)[0].text = "X"
    assert etree.tostring(would_be, method="c14n") == etree.tostring(real, method="c14n")


def test_the_pre_check_refuses_what_it_cannot_judge(bv, fixture_bytes):
    voorbeeld = fixture_bytes("jw323-voorbeeld.xml")
    cases = [
        ("not XML", b"<x", {**PROVIDER, **XML}, 400, "not a valid"),
        ("no token", voorbeeld, XML, 401, "missing Authorization"),
        ("other provider", voorbeeld, {**XML, "Authorization": "Bearer demo-aanbieder-12345678"}, 403, "AGB"),
        ("an allocation", fixture_bytes("jw301-voorbeeld.xml"), {**XML, **WOERDEN}, 422, "only declarations"),
        ("outside the region", voorbeeld.replace(b"<jw323:Ontvanger>0632", b"<jw323:Ontvanger>0344"),
         {**PROVIDER, **XML}, 422, "routing"),
    ]
    for name, body, headers, status, text in cases:
        r = bv.post("/v1/declaraties/proef", content=body, headers=headers)
        assert r.status_code == status and text in r.json()["error"], f"{name}: {r.status_code} {r.text}"


def test_status_shows_the_verdict_with_readable_reasons(example, bv):
    bericht_id, _ = example
    s = bv.get(f"/v1/berichten/{bericht_id}", headers=PROVIDER).json()
    assert s["status"] == "beantwoord" and s["antwoord_beschikbaar"] is True
    assert s["samenvatting"]["totaal_toegekend_cent"] == 143500
    (rejected,) = s["samenvatting"]["afgewezen_regels"]
    assert rejected["referentienummer"] == "P20260504000002" and rejected["retourcodes"] == ["0611"]
    assert "21500" in rejected["redenen"][0] and "21000" in rejected["redenen"][0]


def _wait_booked(bv, bericht_id):
    return poll(lambda: next((s for s in bv.get(f"/v1/berichten/{bericht_id}/tijdlijn", headers=PROVIDER)
                              .json()["stappen"] if s["stap"] == "geboekt"), None))


# Approved: March's 985.00 (credited back by the example) and the example's 1,182.00 + 788.00 + 450.00. Of the
# 2,420.00 the ceiling makes 2,000.00 payable; 420.00 is withheld: approved, booked as expense, not paid.
EXPECTED_WOERDEN = {"kosten:45": 98500 + 118200 - 98500 + 78800, "kosten:54": 45000,
                    "crediteur:87654321": -200000, "ingehouden:87654321": -(98500 + 143500 - 200000)}


def woerden_balances(fa) -> dict[str, int]:
    r = fa.get("/v1/gemeenten/0632/saldi", headers=WOERDEN)
    assert r.status_code == 200, r.text
    return {x["code"]: x["saldo_cent"] for x in r.json()["rekeningen"]}


def test_approved_lines_are_posted_in_woerdens_ledger(example, bv, fa):
    bericht_id, _ = example
    _wait_booked(bv, bericht_id)
    assert woerden_balances(fa) == EXPECTED_WOERDEN
    posten = fa.get("/v1/gemeenten/0632/journaal", params={"bericht_id": bericht_id}, headers=WOERDEN).json()
    keys = sorted(p["idempotentie_sleutel"] for p in posten["journaalposten"])
    assert keys == [f"87654321:jw:P2026050400000{i}" for i in (1, 3, 4, 5)]
    credit = next(p for p in posten["journaalposten"] if p["idempotentie_sleutel"].endswith("3"))
    assert credit["tegenboeking_van"] == "87654321:jw:P20260403000017"


def test_other_municipalities_and_providers_cannot_read_woerdens_ledger(fa):
    assert fa.get("/v1/gemeenten/0632/saldi", headers={"Authorization": "Bearer demo-gemeente-1904"}).status_code == 403
    assert fa.get("/v1/gemeenten/0632/saldi", headers=PROVIDER).status_code == 403
    assert fa.get("/v1/gemeenten/9999/saldi", headers=WOERDEN).status_code == 404


def test_one_trace_runs_from_the_request_to_the_posting(example, bv):
    bericht_id, _ = example
    _wait_booked(bv, bericht_id)
    stappen = bv.get(f"/v1/berichten/{bericht_id}/tijdlijn", headers=PROVIDER).json()["stappen"]
    # The gateway hears of the verdict (and answers) and of the posting on two topics, so the posting may come first;
    # the verdict always comes before its answer.
    namen = [s["stap"] for s in stappen]
    assert namen[0] == "ontvangen" and sorted(namen[1:]) == ["beantwoord", "beoordeeld", "geboekt"]
    assert namen.index("beoordeeld") < namen.index("beantwoord")
    trace_ids = {s["trace_id"] for s in stappen}
    assert len(trace_ids) == 1 and re.fullmatch(r"[0-9a-f]{32}", trace_ids.pop())


def test_messages_are_visible_to_their_parties_only(example, bv):
    bericht_id, _ = example
    assert bv.get(f"/v1/berichten/{bericht_id}", headers=WOERDEN).status_code == 200  # the addressee
    other = {"Authorization": "Bearer demo-aanbieder-12345678"}
    assert bv.get(f"/v1/berichten/{bericht_id}", headers=other).status_code == 404
    assert bv.get("/v1/berichten/not-a-uuid", headers=PROVIDER).status_code == 404


def test_identical_resubmission_returns_the_same_id_and_changes_nothing(example, bv, fa, infra, fixture_bytes):
    bericht_id, _ = example
    _wait_booked(bv, bericht_id)
    r = bv.post("/v1/berichten", content=fixture_bytes("jw323-voorbeeld.xml"), headers={**PROVIDER, **XML})
    assert r.status_code == 200 and r.json()["bericht_id"] == bericht_id and r.json()["herhaald"] is True
    answers = bv.get("/v1/berichten", params={"type": "325"}, headers=PROVIDER).json()["berichten"]
    assert len(answers) == 2  # the March declaration's and the example's
    assert woerden_balances(fa) == EXPECTED_WOERDEN


async def test_redelivered_verdicts_never_post_twice_or_answer_twice(example, bv, fa, infra):
    bericht_id, _ = example
    _wait_booked(bv, bericht_id)
    kafka = infra.kafka_connection()

    async def redeliver_all_verdicts() -> int:
        consumer = AIOKafkaConsumer(TOPIC_DECLARATIE_BEOORDEELD, **kafka.client_kwargs(),
                                    auto_offset_reset="earliest", enable_auto_commit=False)
        producer = AIOKafkaProducer(**kafka.client_kwargs())
        await consumer.start()
        await producer.start()
        try:
            batch = await consumer.getmany(timeout_ms=5000)
            # Ours only: the topic is the session's, and other modules' verdicts belong to their own databases.
            ours = {str(i) for i in await fetch_all(infra.database_url, "SELECT id FROM berichtenverkeer.berichten")}
            records = [r for rs in batch.values() for r in rs if json.loads(r.value)["bericht_id"] in ours]
            for rec in records:
                await producer.send_and_wait(TOPIC_DECLARATIE_BEOORDEELD, rec.value, key=rec.key,
                                             headers=list(rec.headers))
            return len(records)
        finally:
            await stop_consumer(consumer)
            await producer.stop()

    assert await redeliver_all_verdicts() >= 1
    for group in ("facturatie", "berichtenverkeer"):
        await wait_until_consumed(kafka, group, TOPIC_DECLARATIE_BEOORDEELD)
    assert woerden_balances(fa) == EXPECTED_WOERDEN
    assert len(bv.get("/v1/berichten", params={"type": "325"}, headers=PROVIDER).json()["berichten"]) == 2


def test_health_and_metrics(system, bv, example):
    services, _ = system
    for name, url in services.urls.items():
        h = httpx.get(f"{url}/health")
        extra = {"uitgaand_afgekeurd": 0, "laatste_uitgaand_afgekeurd": []} if name == "berichtenverkeer" else {}
        # berichtenverkeer also says how many messages it made and refused to send (a bug): none.
        assert h.status_code == 200 and h.json() == {"status": "ok", "service": name, "kafka": True, "database": True,
                                                     **extra}
    metrics = httpx.get(f"{services.urls['declaratie']}/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    assert "faststream_received_messages_total" in metrics.text


async def test_the_services_run_as_their_runtime_roles_never_as_a_superuser(system, example, infra):
    """ADR 0042: each service's pool connects as its own <service>_app role (DML only); the owner role only migrated,
    over a connection closed at start."""
    services, _ = system
    conn = await asyncpg.connect(infra.database_url)
    try:
        rows = await conn.fetch(
            "SELECT a.application_name, a.usename, r.rolsuper FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = "
            "a.usename WHERE a.datname = current_database() AND a.application_name = ANY($1::text[])",
            list(services.urls))
    finally:
        await conn.close()
    assert {(r["application_name"], r["usename"]) for r in rows} == {(s, f"{s}_app") for s in services.urls}
    assert not any(r["rolsuper"] for r in rows)


async def test_archive_is_append_only_in_the_database(example, infra):
    conn = await asyncpg.connect(infra.database_url)
    try:
        for statement in ("UPDATE berichtenverkeer.archief SET inhoud = 'x'", "DELETE FROM berichtenverkeer.archief"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                await conn.execute(statement)
        stored = await conn.fetchval("SELECT inhoud FROM berichtenverkeer.archief a JOIN berichtenverkeer.berichten b "
                                     "ON b.id = a.bericht_id WHERE b.id = $1", uuid.UUID(example[0]))
    finally:
        await conn.close()
    assert stored == (FIXTURES / "jw323-voorbeeld.xml").read_bytes()  # byte-exact


def test_a_level2_failure_is_answered_with_0001_only_and_books_nothing(bv, fa, fixture_bytes):
    # Same example, but one BSN fails the 11-proef (CS002): the whole message is rejected (§6.2).
    raw = fixture_bytes("jw323-voorbeeld.xml").replace(b"999990044", b"999990045").replace(
        b"DCL2605-0001", b"DCL2605-0002")
    r = bv.post("/v1/berichten", content=raw, headers={**PROVIDER, **XML})
    assert r.status_code == 202, r.text
    bericht_id = r.json()["bericht_id"]
    antwoord = poll(lambda: (a := bv.get(f"/v1/berichten/{bericht_id}/antwoord", headers=PROVIDER)).status_code == 200
                    and a)
    root = etree.fromstring(antwoord.content)
    assert root.xpath("a:Header/a:RetourCodes/a:RetourCode/text()", namespaces=NS325) == ["0001"]
    assert root.xpath("a:DeclaratieAntwoord", namespaces=NS325) == []
    assert root.xpath("a:Header/a:DeclaratieIdentificatie/b:Identificatie/text()", namespaces=NS325) == ["DCL2605-0002"]
    status = bv.get(f"/v1/berichten/{bericht_id}", headers=PROVIDER).json()["samenvatting"]
    assert status["header_retourcodes"] == ["0001"] and status["totaal_toegekend_cent"] == 0
    assert any(reden.startswith("CS002 ") for reden in status["header_redenen"])
    assert "999990045" not in antwoord.text and "999990045" not in str(status)
    _wait_booked(bv, bericht_id)
    posten = fa.get("/v1/gemeenten/0632/journaal", params={"bericht_id": bericht_id}, headers=WOERDEN).json()
    assert posten["journaalposten"] == []


def _answer(bv, raw: bytes):
    r = bv.post("/v1/berichten", content=raw, headers={**PROVIDER, **XML})
    assert r.status_code == 202, r.text
    bericht_id = r.json()["bericht_id"]
    antwoord = poll(lambda: (a := bv.get(f"/v1/berichten/{bericht_id}/antwoord", headers=PROVIDER)).status_code == 200
                    and a)
    return bericht_id, etree.fromstring(antwoord.content)


def codes(root, path: str) -> list[str]:
    return root.xpath(f"{path}/a:RetourCodes/a:RetourCode/text()", namespaces=NS325)


def test_level3_rules_answer_with_their_codes_in_the_right_place(example, bv, fa, fixture_bytes):
    _wait_booked(bv, example[0])
    voorbeeld = fixture_bytes("jw323-voorbeeld.xml")
    # Another message with the example's Identificatie: TR056 → header 9056, no DeclaratieAntwoord.
    dubbel_id, root = _answer(bv, voorbeeld.replace(b"D202604001", b"D202604009"))
    assert codes(root, "a:Header") == ["9056"] and root.xpath("a:DeclaratieAntwoord", namespaces=NS325) == []
    # Rejected as a whole: the message's status says so (the example's own declaration stays "beantwoord").
    assert bv.get(f"/v1/berichten/{dubbel_id}", headers=PROVIDER).json()["status"] == "technisch_afgekeurd"
    # A new message with the example's DeclaratieNummer: TR333 → 9333 on the declaration, nothing granted.
    _, root = _answer(bv, voorbeeld.replace(b"DCL2605-0001", b"DCL2605-0003"))
    assert codes(root, "a:Header") == ["0200"] and codes(root, "a:DeclaratieAntwoord") == ["9333"]
    assert root.xpath("a:DeclaratieAntwoord/a:TotaalToegekendBedrag/b:TotaalBedrag/text()", namespaces=NS325) == ["0"]
    # The same lines again under new numbers: the credit's debit was credited already (TR390); lines 1, 4 and 5
    # duplicate approved, uncredited debits for the same allocation, period and product (TR389); line 2 still
    # has the wrong tariff. Nothing is granted.
    raw = voorbeeld.replace(b"DCL2605-0001", b"DCL2605-0004").replace(b"D202604001", b"D202604002")
    for i in range(1, 6):
        raw = raw.replace(f"P2026050400000{i}<".encode(), f"P2026050499999{i}<".encode())
    bericht_id, root = _answer(bv, raw)
    per_line = {p.xpath("a:ProductReferentie/b:ReferentieNummer/text()", namespaces=NS325)[0]:
                codes(p, ".") for p in root.xpath("//a:Prestatie", namespaces=NS325)}
    assert per_line == {"P20260504999991": ["9389"], "P20260504999992": ["0611"], "P20260504999993": ["9390"],
                        "P20260504999994": ["9389"], "P20260504999995": ["9389"]}
    assert root.xpath("a:DeclaratieAntwoord/a:TotaalToegekendBedrag/b:TotaalBedrag/text()", namespaces=NS325) == ["0"]
    status = bv.get(f"/v1/berichten/{bericht_id}", headers=PROVIDER).json()["samenvatting"]
    assert any("TR390" in r for x in status["afgewezen_regels"] for r in x["redenen"])


def test_a_start_and_a_stop_are_recorded_and_acknowledged_at_once_and_change_no_money(bv, fa):
    before = woerden_balances(fa)
    for heen, retour in (("305", "306"), ("307", "308")):
        r = bv.post("/v1/berichten", content=(FIXTURES / f"jw{heen}-voorbeeld.xml").read_bytes(),
                    headers={**PROVIDER, **XML})
        assert r.status_code == 202 and r.json()["status"] == "beantwoord", r.text
        antwoord = bv.get(f"/v1/berichten/{r.json()['bericht_id']}/antwoord", headers=PROVIDER)
        assert antwoord.status_code == 200
        root = etree.fromstring(antwoord.content)
        ns = {"r": HUIDIGE.soort("jw", retour).namespace}
        assert root.tag == f"{{{ns['r']}}}Bericht"
        # IV028: the retour keeps the heen header, so the provider is still its Afzender.
        assert root.xpath("r:Header/r:Afzender/text()", namespaces=ns) == ["87654321"]
        assert re.fullmatch(r"RB\d{10}", root.xpath("r:Header/r:IdentificatieRetour/text()", namespaces=ns)[0])
    assert woerden_balances(fa) == before  # OP364: start and stop are never a payment condition


def test_the_325_obligation_is_recorded_with_its_deadline_and_met(example, bv):
    bericht_id, _ = example
    r = bv.get("/v1/gemeenten/0632/termijnen", params={"alleen_open": "false"}, headers=WOERDEN)
    assert r.status_code == 200, r.text
    mine = [v for v in r.json()["verplichtingen"] if v["bericht_id"] == bericht_id]
    assert len(mine) == 1 and mine[0]["verplichting"] == "325" and mine[0]["stand"] == "vervuld"
    ontvangen = dt.date.fromisoformat(mine[0]["ontvangen_at"][:10])
    # Ten working days: at least two weeks later, and never on a weekend.
    uiterlijk = dt.date.fromisoformat(mine[0]["uiterlijk"])
    assert uiterlijk >= ontvangen + dt.timedelta(days=14) and uiterlijk.weekday() < 5
    status = bv.get(f"/v1/berichten/{bericht_id}", headers=PROVIDER).json()
    assert mine[0]["antwoord_id"] == status["samenvatting"]["antwoord_id"]
    assert bv.get("/v1/gemeenten/0632/termijnen", headers=PROVIDER).status_code == 403
    assert bv.get("/v1/gemeenten/0632/termijnen", headers={"Authorization": "Bearer demo-gemeente-1904"}
                  ).status_code == 403
    assert "backoffice_termijnen_open" in bv.get("/metrics").text


# Last in the module: every flow above has written its logs by now.
def test_no_bsn_in_any_service_log(system, example, bv):
    _, log_dir = system
    _wait_booked(bv, example[0])
    logs = "".join(p.read_text(errors="replace") for p in Path(log_dir).glob("*.log"))
    assert logs, "service logs were not captured"
    for bsn in BSNS_IN_FIXTURES:
        assert bsn not in logs


# ------------------------------------------------------------------ from declaration to payment (last: it settles)

CONTROLLER = {"Authorization": "Bearer demo-regio-controller"}


def test_a_payment_run_pays_what_woerden_owes_and_a_line_can_be_followed_to_it(example, bv, fa):
    _wait_booked(bv, example[0])
    before = woerden_balances(fa)
    assert -before["crediteur:87654321"] == PLAFOND_WOERDEN["cent"]  # the withheld part is not payable
    vandaag = SYSTEEMKLOK.vandaag().isoformat()
    r = fa.post("/v1/gemeenten/0632/betaalruns", json={"peildatum": vandaag}, headers=WOERDEN)
    assert r.status_code == 201, r.text
    run = r.json()["betaalrun"]
    assert run["totaal_cent"] == sum(-v for k, v in before.items() if k.startswith("crediteur:") and v < 0)
    after = woerden_balances(fa)
    assert after["crediteur:87654321"] == 0 and after["bank"] == -run["totaal_cent"]
    assert after["ingehouden:87654321"] == before["ingehouden:87654321"] < 0
    assert {k: v for k, v in after.items() if k.startswith("kosten:")} == \
        {k: v for k, v in before.items() if k.startswith("kosten:")}
    # The same cut-off again: the same run, nothing new.
    again = fa.post("/v1/gemeenten/0632/betaalruns", json={"peildatum": vandaag}, headers=WOERDEN)
    assert again.status_code == 200 and again.json() == {"betaalrun": run, "herhaald": True}
    # The bank file, as made; the controller may read it too, another municipality may not.
    pain = fa.get(run["bestand"], headers=CONTROLLER)
    assert pain.status_code == 200 and pain.headers["content-type"].startswith("application/xml")
    doc = etree.fromstring(pain.content)
    assert doc.findtext(".//{*}DbtrAcct/{*}Id/{*}IBAN") == "NL58BNGH0285063201"
    assert fa.get(run["bestand"], headers={"Authorization": "Bearer demo-gemeente-1904"}).status_code == 403
    # March's line: booked, reversed by the example's credit, and its provider paid in this run.
    h = fa.get("/v1/gemeenten/0632/regels/87654321/jw/P20260403000017", headers=CONTROLLER)
    assert h.status_code == 200, h.text
    historie = h.json()
    assert [p["idempotentie_sleutel"] for p in historie["boekingen"]] == [
        "87654321:jw:P20260403000017", "87654321:jw:P20260504000003"]
    assert historie["boekingen"][1]["tegenboeking_van"] == "87654321:jw:P20260403000017"
    assert historie["betaald"]["betaalrun_id"] == run["id"]
    assert historie["betaald"]["end_to_end_id"] == f"0632-{vandaag.replace('-', '')}-jw-87654321"
    # A rejected line was never booked: a clear 404.
    missing = fa.get("/v1/gemeenten/0632/regels/87654321/jw/P20260504000002", headers=WOERDEN)
    assert missing.status_code == 404 and "only approved lines" in missing.json()["hint"]


def test_woerdens_budget_shows_usage_and_a_forecast(example, bv, fa):
    _wait_booked(bv, example[0])
    r = fa.get("/v1/gemeenten/0632/budgetten", params={"jaar": str(SYSTEEMKLOK.vandaag().year)}, headers=WOERDEN)
    assert r.status_code == 200, r.text
    body = r.json()
    if body["jaar"] != 2026:  # the region file budgets 2026 only
        assert body["budgetten"] == []
        return
    by_cat = {(b["domein"], b["categorie"]): b for b in body["budgetten"]}
    kosten = {k: v for k, v in woerden_balances(fa).items() if k.startswith("kosten:")}
    assert by_cat[("jw", "45")]["verbruikt_cent"] == kosten["kosten:45"]
    assert by_cat[("jw", "54")]["budget_cent"] == 81_000_000
    assert by_cat[("jw", "45")]["prognose_cent"] >= by_cat[("jw", "45")]["verbruikt_cent"]
    assert fa.get("/v1/gemeenten/0632/budgetten", headers={"Authorization": "Bearer demo-gemeente-1904"}
                  ).status_code == 403


def test_woerdens_spending_ceiling_shows_what_was_made_payable_and_what_was_withheld(example, bv, fa):
    _wait_booked(bv, example[0])
    r = fa.get("/v1/gemeenten/0632/bestedingsruimte", params={"jaar": 2026}, headers=WOERDEN)
    assert r.status_code == 200, r.text
    assert r.json()["plafonds"] == [{
        "domein": "jw", "aanbieder": "87654321", "jaar": 2026, "plafond_cent": 200000, "betaalbaar_cent": 200000,
        "ingehouden_cent": 42000, "resterend_cent": 0, "benut_procent": 100.0}]
    # The journal shows which line crossed the ceiling: its entry credits both crediteur and ingehouden.
    posten = fa.get("/v1/gemeenten/0632/journaal", params={"rekening": "ingehouden:87654321"}, headers=WOERDEN).json()
    withheld = sum(r["credit_cent"] - r["debet_cent"] for p in posten["journaalposten"] for r in p["regels"]
                   if r["rekening"] == "ingehouden:87654321")
    assert withheld == 42000
    assert fa.get("/v1/gemeenten/0632/bestedingsruimte", headers={"Authorization": "Bearer demo-gemeente-1904"}
                  ).status_code == 403
    other_year = fa.get("/v1/gemeenten/0632/bestedingsruimte", params={"jaar": 2025}, headers=CONTROLLER).json()
    assert other_year["plafonds"] == [] and other_year["ingehouden_zonder_plafond"] == []


def test_the_controller_shares_a_regional_cost_exactly_once_over_the_municipalities(fa):
    body = {"referentie": "GR-E2E-1", "omschrijving": "Uitvoeringskosten GR", "domein": "jw", "bedrag_cent": 1_000_000}
    assert fa.post("/v1/kostenverdeling", json=body, headers=WOERDEN).status_code == 403
    r = fa.post("/v1/kostenverdeling", json=body, headers=CONTROLLER)
    assert r.status_code == 201, r.text
    shares = {a["gemeente"]: a["cent"] for a in r.json()["aandelen"]}
    assert sum(shares.values()) == 1_000_000 and shares["0632"] == 287_234  # 54,000 of 188,000 inhabitants
    again = fa.post("/v1/kostenverdeling", json=body, headers=CONTROLLER)
    assert again.status_code == 200 and again.json()["al_geboekt"] == 5
    other = fa.post("/v1/kostenverdeling", json={**body, "bedrag_cent": 999}, headers=CONTROLLER)
    assert other.status_code == 409 and "other amounts" in other.json()["error"]
    for cbs, share in shares.items():
        saldi = fa.get(f"/v1/gemeenten/{cbs}/saldi", params={"domein": "jw"}, headers=CONTROLLER).json()
        codes = {x["code"]: x["saldo_cent"] for x in saldi["rekeningen"]}
        assert codes["kosten:gr"] == share and codes["schuld:gr"] == -share
