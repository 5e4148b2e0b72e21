"""Every request of the bad-input corpus (tests/corpus/bad_input/manifest.json) through the real HTTP API of the
running system (the three services as processes on real Kafka and PostgreSQL, on a database of their own).

For each case: the specific 4xx and error text (or rule, path, file) the manifest names, never a 5xx; or, for content
the gateway must accept, the specific RetourCodes of its 325 in their place, the message stored byte-exact and
nothing booked. At the end: the database, the outbox and Kafka changed only by the accepted cases, and no service
log holds a BSN. The corpus itself must be exactly what tests/corpus/make_bad_input.py makes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from lxml import etree

from shared.istandaard import HUIDIGE
from shared.platform.events import PARTITIONS, TOPIC_ONTVANGEN
from shared.platform.kafka_connection import KafkaConnection
from tests.conftest import fresh_database
from tests.corpus import make_bad_input as gen
from tests.support.live import poll, wait_all_consumed
from tools.checkout import DEFAULT_REGIO
from tools.cli import ServiceSet

pytestmark = pytest.mark.integration

CORPUS = Path(gen.__file__).resolve().parent / "bad_input"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text())
CASES = MANIFEST["cases"]
BSNS = ("999990019", "999990018", "999990044", "999990045")
NS = {"a": HUIDIGE.soort("jw", "325").namespace, "b": HUIDIGE.basis_namespace["jw"]}
PROVIDER = {"Authorization": gen.TOKENS["provider"]}
WOERDEN = {"Authorization": gen.TOKENS["own_municipality"]}


def is_submitted(case: dict) -> bool:
    """Accepted by POST /v1/berichten: sent up front (in manifest order) so their answers are made meanwhile."""
    return case["path"] == gen.B and case["expect"]["status"] in (200, 202)


# ------------------------------------------------------------------ the corpus cannot drift from its generator

def test_the_corpus_is_what_the_generator_makes():
    made = gen.corpus_files()
    committed = {p.name: p.read_bytes() for p in CORPUS.iterdir() if p.is_file()}
    assert sorted(committed) == sorted(made), "run: .venv/bin/python -m tests.corpus.make_bad_input"
    different = [name for name in made if committed[name] != made[name]]
    assert not different, f"differs from the generator: {different[:5]}"
    assert len(CASES) >= 200 and len({c["id"] for c in CASES}) == len(CASES)


# ------------------------------------------------------------------ the system

def run(coro):
    return asyncio.run(coro)


@pytest.fixture(scope="module")
def system(infra, tmp_path_factory):
    database_url = fresh_database(infra, "badinput")
    log_dir = tmp_path_factory.mktemp("bad-input-logs")
    services = ServiceSet({"KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers, "DATABASE_URL": database_url,
                           "REGIO_CONFIG": str(DEFAULT_REGIO), "RATE_LIMIT_PER_PARTIJ": "0", "PATH": "/usr/bin:/bin"},
                          log_dir=log_dir, kafka_env=infra.kafka_env)
    services.start(fixed_ports=False)
    try:
        services.wait_healthy(timeout=120)
        with httpx.Client(base_url=services.urls["berichtenverkeer"], timeout=60) as bv, \
                httpx.Client(base_url=services.urls["facturatie"], timeout=60) as fa:
            yield {"bv": bv, "fa": fa, "db": database_url, "logs": log_dir, "kafka": infra.kafka_connection()}
            # The topics are the session's: leave nothing of ours for the next module's services.
            run(wait_all_consumed(infra.kafka_connection()))
    finally:
        services.stop()


COUNTED = {"berichtenverkeer": ("berichten", "archief", "outbox", "tijdlijn", "verplichtingen"),
           "declaratie": ("beoordelingen", "declaraties", "prestaties", "toewijzingen", "berichtidentificaties",
                          "outbox"),
           "facturatie": ("journaalposten", "journaalregels", "geweigerde_boekingen", "betaalruns", "outbox")}


async def _snapshot(database_url: str) -> dict:
    conn = await asyncpg.connect(database_url)
    try:
        counts = {f"{schema}.{table}": await conn.fetchval(f"SELECT count(*) FROM {schema}.{table}")
                  for schema, tables in COUNTED.items() for table in tables}
        ids = {r["id"] for r in await conn.fetch("SELECT id FROM berichtenverkeer.berichten")}
        return {"counts": counts, "ids": ids}
    finally:
        await conn.close()


async def _end_offsets(kafka: KafkaConnection, topic: str) -> int:
    consumer = AIOKafkaConsumer(**kafka.client_kwargs())
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        consumer.assign(parts)  # the client learns the topic's leaders (partitions_for_topic knows none yet)
        return sum((await consumer.end_offsets(parts)).values())
    finally:
        # aiokafka: a group-less consumer re-raises its cancelled reset task
        with contextlib.suppress(asyncio.CancelledError):
            await consumer.stop()


@pytest.fixture(scope="module")
def baseline(system):
    return {**run(_snapshot(system["db"])), "offsets": run(_end_offsets(system["kafka"], TOPIC_ONTVANGEN))}


def headers_for(case: dict) -> dict:
    headers = {}
    token = case["token"]
    value = token[4:] if token.startswith("raw:") else gen.TOKENS[token]
    if value is not None:
        headers["Authorization"] = value
    if case["content_type"] is not None:
        headers["Content-Type"] = case["content_type"]
    return headers


def body_of(case: dict):
    if case.get("build"):
        return gen.runtime_body(case["build"])
    return (CORPUS / case["file"]).read_bytes() if case["file"] else None


def send(system: dict, case: dict) -> httpx.Response:
    client = system["fa"] if case.get("service") == "facturatie" else system["bv"]
    if case.get("concurrent"):
        return send_at_once(client, case)
    return send_once(client, case)


def send_once(client: httpx.Client, case: dict) -> httpx.Response:
    if case.get("build", {}).get("kind") == "declared_length":
        return declared_length_only(client, case)
    return client.request(case["method"], case["path"], content=body_of(case), headers=headers_for(case))


def send_at_once(client: httpx.Client, case: dict) -> httpx.Response:
    """The same request `concurrent` times at once: every answer must be the same; the first is checked further."""
    with ThreadPoolExecutor(case["concurrent"]) as pool:
        answers = list(pool.map(lambda _i: send_once(client, case), range(case["concurrent"])))
    assert len({(r.status_code, r.text) for r in answers}) == 1, [(r.status_code, r.text[:200]) for r in answers]
    return answers[0]


def declared_length_only(bv: httpx.Client, case: dict) -> httpx.Response:
    """Headers announcing more than 25 MB and no body: the answer must come before anything is read."""
    url = urlsplit(str(bv.base_url))
    head = [f"{case['method']} {case['path']} HTTP/1.1", f"Host: {url.hostname}:{url.port}",
            f"Content-Length: {case['build']['content_length']}", "Connection: close",
            *(f"{k}: {v}" for k, v in headers_for(case).items()), "", ""]
    with socket.create_connection((url.hostname, url.port), timeout=30) as s:
        s.sendall("\r\n".join(head).encode())
        s.sendall(b"<x>")
        data = b""
        while b"\r\n\r\n" not in data or not _complete(data):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    raw_headers, _, body = rest.partition(b"\r\n\r\n")
    hdrs = dict(line.decode().split(": ", 1) for line in raw_headers.split(b"\r\n") if b": " in line)
    return httpx.Response(int(status_line.split()[1]), headers=hdrs, content=body)


def _complete(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


@pytest.fixture(scope="module")
def submitted(system, baseline):
    """The cases the gateway accepts, sent first and in manifest order (a reused Identificatie follows the message
    it reuses), so their 325s are made while the refused cases run."""
    return {case["id"]: send(system, case) for case in CASES if is_submitted(case)}


def codes(el, path: str) -> list[str]:
    return el.xpath(f"{path}/a:RetourCodes/a:RetourCode/text()", namespaces=NS)


# ------------------------------------------------------------------ one test per case

@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case, system, baseline, submitted):
    bv = system["bv"]
    expect = case["expect"]
    r = submitted[case["id"]] if is_submitted(case) else send(system, case)
    assert r.status_code < 500, f"{case['id']}: {r.status_code} {r.text[:500]}"
    assert r.status_code == expect["status"], f"{case['id']} ({case['why']}): {r.status_code} {r.text[:1000]}"
    assert r.headers["content-type"].startswith("application/json"), r.headers
    body = r.json()
    if expect["status"] >= 400:
        for bsn in BSNS:  # an error never shows one (a pre-check's would-be 325 holds the provider's own)
            assert bsn not in r.text, f"a BSN in the answer of {case['id']}"
        check_refused(case, r, body)
    elif case["path"] == gen.PROEF:
        check_proef(case, body)
    elif "retour" in expect:
        check_accepted_retour(case, bv, body)
    elif case["token"] == "own_municipality":
        check_accepted_301(case, bv, body)
    else:
        check_accepted_323(case, system, body, submitted)


def check_refused(case: dict, r: httpx.Response, body: dict) -> None:
    expect = case["expect"]
    assert expect["error"] in body["error"], f"{case['id']}: {body}"
    problems = body.get("problems", [])
    if "rule" in expect:
        assert expect["rule"] in [p["rule"] for p in problems], f"{case['id']}: {problems[:5]}"
    if "path_contains" in expect:
        assert any(expect["path_contains"] in p["path"] for p in problems), f"{case['id']}: {problems[:5]}"
    if "bestand" in expect:
        assert body["bestand"] == expect["bestand"], body
    if "max_problems" in expect:
        assert len(problems) <= expect["max_problems"], len(problems)
    if "not_in_body" in expect:
        assert expect["not_in_body"] not in r.text
    if expect["status"] == 401:
        assert r.headers.get("www-authenticate", "").startswith("Bearer")


def check_proef(case: dict, body: dict) -> None:
    expect = case["expect"]["proef"]
    assert body["proef"] is True and body["vastgelegd"] is False
    assert body["header_retourcodes"] == expect["header"]
    assert {x["referentienummer"]: x["retourcodes"] for x in body["regels"]} == expect["regels"]
    antwoord = etree.fromstring(body["antwoord_325"].encode())
    check_echo(case, antwoord)


def check_accepted_301(case: dict, bv: httpx.Client, body: dict) -> None:
    expect = case["expect"]
    assert body["status"] == expect["bericht_status"] and body["herhaald"] is False
    inhoud = bv.get(f"/v1/berichten/{body['bericht_id']}/inhoud", headers=WOERDEN)
    assert inhoud.status_code == 200 and inhoud.content == body_of(case)  # byte-exact
    assert expect["echo"]["text"] in etree.fromstring(inhoud.content).xpath("string(.)")


def check_accepted_retour(case: dict, bv: httpx.Client, body: dict) -> None:
    """A provider's heen message that breaks level 2: kept, rejected as a whole by a retour with the code on its
    header alone, and the readable reasons in its status."""
    expect = case["expect"]
    assert body["status"] == "technisch_afgekeurd" and body["retourcodes"] == expect["retour"]["header"]
    retour = bv.get(f"/v1/berichten/{body['bericht_id']}/antwoord", headers=PROVIDER)
    assert retour.status_code == 200
    root = etree.fromstring(retour.content)
    header = root.xpath("*[local-name()='Header']/*[local-name()='RetourCodes']/*[local-name()='RetourCode']/text()")
    assert header == expect["retour"]["header"] and len(root) == 1  # the header only (IV032)
    status = bv.get(f"/v1/berichten/{body['bericht_id']}", headers=PROVIDER).json()
    assert any(x.startswith(expect["level2_rule"] + " ") for x in status["samenvatting"]["header_redenen"]), \
        status["samenvatting"]
    inhoud = bv.get(f"/v1/berichten/{body['bericht_id']}/inhoud", headers=PROVIDER)
    assert inhoud.status_code == 200 and inhoud.content == body_of(case)  # archived byte-exact


def antwoord_of(bv: httpx.Client, bericht_id: str) -> httpx.Response:
    return poll(lambda: (a := bv.get(f"/v1/berichten/{bericht_id}/antwoord", headers=PROVIDER)).status_code == 200
                and a, timeout=90)


def check_accepted_323(case: dict, system: dict, body: dict, submitted: dict) -> None:
    bv, fa = system["bv"], system["fa"]
    expect = case["expect"]
    if expect.get("herhaald"):
        original = next(c["id"] for c in CASES if c["id"].startswith(expect["depends_on"] + "-"))
        assert body["herhaald"] is True and body["bericht_id"] == submitted[original].json()["bericht_id"]
        return
    bericht_id = body["bericht_id"]
    assert body["herhaald"] is False and body["status"] == "ontvangen"
    antwoord = antwoord_of(bv, bericht_id)
    root = etree.fromstring(antwoord.content)
    want = expect["antwoord"]
    assert codes(root, "a:Header") == want["header"], antwoord.text
    if "declaratie" not in want:  # rejected as a whole: no DeclaratieAntwoord
        assert root.xpath("a:DeclaratieAntwoord", namespaces=NS) == []
    else:
        assert codes(root, "a:DeclaratieAntwoord") == want["declaratie"], antwoord.text
        clienten = root.xpath("a:DeclaratieAntwoord/a:Clienten/a:Client", namespaces=NS)
        assert [codes(k, ".") for k in clienten] == ([want["client"]] if "client" in want else [])
        regels = {p.xpath("a:ProductReferentie/b:ReferentieNummer/text()", namespaces=NS)[0]: codes(p, ".")
                  for p in root.xpath("//a:Prestatie", namespaces=NS)}
        assert regels == want.get("prestatie", {}), antwoord.text
        granted = root.xpath("a:DeclaratieAntwoord/a:TotaalToegekendBedrag/b:TotaalBedrag/text()", namespaces=NS)
        assert granted == ["0"]
    if "echo" in expect:
        check_echo(case, root)
    status = bv.get(f"/v1/berichten/{bericht_id}", headers=PROVIDER).json()
    assert status["status"] == ("beantwoord" if want["header"] == ["0200"] else "technisch_afgekeurd")
    if "level2_rule" in expect:
        assert any(x.startswith(expect["level2_rule"] + " ") for x in status["samenvatting"]["header_redenen"]), \
            status["samenvatting"]["header_redenen"]
    inhoud = bv.get(f"/v1/berichten/{bericht_id}/inhoud", headers=PROVIDER)
    assert inhoud.status_code == 200 and inhoud.content == body_of(case)  # archived byte-exact
    # Nothing booked: facturatie has handled the verdict (the "geboekt" step) and made no journal entry for it.
    poll(lambda: any(s["stap"] == "geboekt" for s in
                     bv.get(f"/v1/berichten/{bericht_id}/tijdlijn", headers=PROVIDER).json()["stappen"]), timeout=90)
    journaal = fa.get("/v1/gemeenten/0632/journaal", params={"bericht_id": bericht_id}, headers=WOERDEN)
    assert journaal.status_code == 200 and journaal.json()["journaalposten"] == []


def check_echo(case: dict, root) -> None:
    """Free text comes back as it was sent: the same characters, escaped by the XML writer, never interpreted."""
    echo = case["expect"]["echo"]
    xpath = {"ReferentieNummer": "//a:Prestatie/a:ProductReferentie/b:ReferentieNummer/text()",
             "Identificatie": "a:Header/a:DeclaratieIdentificatie/b:Identificatie/text()",
             "ProductCode": "//a:Prestatie/a:ProductCode/text()"}[echo["field"]]
    assert root.xpath(xpath, namespaces=NS) == [echo["text"]]


# ------------------------------------------------------------------ side effects: only the accepted cases

def test_only_the_accepted_cases_changed_anything(system, baseline, submitted):
    accepted = [c for c in CASES if is_submitted(c) and not c["expect"].get("herhaald")]
    assert all(submitted[c["id"]].status_code == 202 for c in accepted)
    heen = [submitted[c["id"]].json()["bericht_id"] for c in accepted if "retour" in c["expect"]]
    ids323 = [submitted[c["id"]].json()["bericht_id"] for c in accepted
              if c["token"] == "provider" and "retour" not in c["expect"]]
    ids301 = [submitted[c["id"]].json()["bericht_id"] for c in accepted if c["token"] == "own_municipality"]
    n323, n301 = len(ids323), len(ids301)
    assert n323 + n301 + len(heen) == len(accepted)
    # A 305/307/315/317 rejected at level 2 is stored with its retour and sets nothing else in motion.
    answers = [antwoord_of(system["bv"], bid).headers["x-bericht-id"] for bid in ids323 + heen]
    expected_ids = {uuid.UUID(x) for x in ids323 + ids301 + heen + answers}
    # Everything the accepted messages set in motion has settled (the 301s are registered by declaratie).
    before = baseline["counts"]

    def settled():
        now = run(_snapshot(system["db"]))
        return now if now["counts"]["declaratie.toewijzingen"] - before["declaratie.toewijzingen"] >= n301 else None

    now = poll(settled, timeout=60, interval=0.5)
    delta = {k: v - before[k] for k, v in now["counts"].items()}
    # Every stored message is an accepted case or its answer; each is archived once.
    assert now["ids"] - baseline["ids"] == expected_ids
    assert delta["berichtenverkeer.berichten"] == delta["berichtenverkeer.archief"] == len(expected_ids)
    assert delta["berichtenverkeer.outbox"] == n323 + n301  # one "ontvangen" event per accepted 301/323
    assert run(_end_offsets(system["kafka"], TOPIC_ONTVANGEN)) - baseline["offsets"] == n323 + n301
    assert delta["declaratie.toewijzingen"] == n301
    assert delta["declaratie.beoordelingen"] == n323  # exactly one verdict per accepted declaration
    # Not one line was approved, so the ledgers and payment runs are untouched.
    for table in ("journaalposten", "journaalregels", "betaalruns"):
        assert delta[f"facturatie.{table}"] == 0, table
    assert system["bv"].get("/health").status_code == 200


def test_no_bsn_in_any_service_log(system, submitted):
    logs = "".join(p.read_text(errors="replace") for p in Path(system["logs"]).glob("*.log"))
    assert logs, "service logs were not captured"
    for bsn in BSNS:
        assert bsn not in logs
