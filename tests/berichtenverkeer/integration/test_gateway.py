"""The gateway's message flows end to end, on real Kafka and PostgreSQL with berichtenverkeer and declaratie running
as processes, driven only over HTTP (domain brief §3, §7.7; issue: gateway):

- 301 from a municipality → the provider's mailbox → fetched (afgeleverd) → the provider's 302 answers it;
- 315/317 from a provider → 316/318 at once, a task for the municipality (301 or 319 within 5 working days) that a
  319 carrying the request's ReferentieAanbieder meets → the provider's 320;
- 9056 for a different message with an Identificatie used before; ZIP batches of up to 30, accepted whole or not at
  all; who may read and submit what; the rate limit per party; the archive's chains intact after all of it.

The module runs on a database of its own, so its messages meet nobody else's.
"""

from __future__ import annotations

import asyncio
import io
import re
import time
import uuid
import zipfile

import httpx
import pytest
from lxml import etree

from berichtenverkeer.domain.termijnen import Soort
from shared.istandaard import HUIDIGE
from shared.kalender import SYSTEEMKLOK, werkdagen_na
from tests.berichten import as_wmo
from tests.conftest import FIXTURES, fresh_database
from tests.support.live import fetchval
from tools.checkout import DEFAULT_REGIO
from tools.cli import ServiceSet

pytestmark = pytest.mark.integration

XML = {"Content-Type": "application/xml"}
ZIP = {"Content-Type": "application/zip"}
PROVIDER = {"Authorization": "Bearer demo-aanbieder-87654321"}
OTHER_PROVIDER = {"Authorization": "Bearer demo-aanbieder-12345678"}
WOERDEN = {"Authorization": "Bearer demo-gemeente-0632"}
RATE = 10  # requests per second per party in this module (burst 50)


@pytest.fixture(scope="module")
def database_url(infra):
    return fresh_database(infra, "gateway")


@pytest.fixture(scope="module")
def bv(infra, database_url, tmp_path_factory):
    services = ServiceSet({"KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers, "DATABASE_URL": database_url,
                           "REGIO_CONFIG": str(DEFAULT_REGIO), "RATE_LIMIT_PER_PARTIJ": str(RATE),
                           "PATH": "/usr/bin:/bin"},
                          log_dir=tmp_path_factory.mktemp("gateway-logs"), kafka_env=infra.kafka_env,
                          services=(("berichtenverkeer", 0), ("declaratie", 0)))
    services.start(fixed_ports=False)
    try:
        services.wait_healthy(timeout=120)
        with httpx.Client(base_url=services.urls["berichtenverkeer"], timeout=30) as client:
            yield client
    finally:
        services.stop()


def xsd_valid(berichttype: str, data: bytes) -> bool:
    return HUIDIGE.soort("jw", berichttype).xmlschema.validate(etree.fromstring(data))


def uniek(name: str, *replacements: tuple[bytes, bytes]) -> bytes:
    """An example message with its Identificatie (and more) made unique for this test."""
    raw = (FIXTURES / name).read_bytes()
    tag = uuid.uuid4().hex[:4].upper().encode()
    for old, new in replacements:
        raw = raw.replace(old, new.replace(b"{tag}", tag))
    return raw


def ident(raw: bytes) -> str:
    return etree.fromstring(raw).xpath("string(//*[local-name()='BerichtIdentificatie']/*[local-name()="
                                       "'Identificatie'])")


def post(bv, raw: bytes, headers: dict, status: int = 202) -> dict:
    r = bv.post("/v1/berichten", content=raw, headers={**XML, **headers})
    assert r.status_code == status, r.text
    return r.json()


def status_of(bv, bericht_id: str, headers: dict) -> str:
    r = bv.get(f"/v1/berichten/{bericht_id}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["status"]


def postvak(bv, headers: dict) -> list[dict]:
    r = bv.get("/v1/postvak", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["berichten"]


def termijn(bv, headers: dict, bericht_id: str, soort: str) -> dict | None:
    r = bv.get("/v1/termijnen", params={"alleen_open": "false"}, headers=headers)
    assert r.status_code == 200, r.text
    return next((v for v in r.json()["verplichtingen"] if v["bericht_id"] == bericht_id
                 and v["verplichting"] == soort), None)


def test_an_allocation_goes_to_the_providers_mailbox_and_its_302_answers_it(bv):
    raw301 = uniek("jw301-voorbeeld.xml", (b"TW2603-00042", b"TW{tag}-00042"))
    toewijzing = post(bv, raw301, WOERDEN)
    assert toewijzing["status"] == "ter_aflevering"
    tid = toewijzing["bericht_id"]
    # The provider owes its 302 within 3 working days; the other provider sees nothing of it.
    open_ = termijn(bv, PROVIDER, tid, Soort.RETOUR.value)
    assert open_["stand"] in ("op_tijd", "bijna_verlopen")
    assert open_["uiterlijk"] == werkdagen_na(SYSTEEMKLOK.vandaag(), 3).isoformat()
    assert tid not in [b["id"] for b in postvak(bv, OTHER_PROVIDER)]
    assert bv.get(f"/v1/berichten/{tid}/inhoud", headers=OTHER_PROVIDER).status_code == 404

    assert tid in [b["id"] for b in postvak(bv, PROVIDER)]
    inhoud = bv.get(f"/v1/berichten/{tid}/inhoud", headers=PROVIDER)
    assert inhoud.status_code == 200 and inhoud.content == raw301  # byte-exact from the archive
    assert status_of(bv, tid, WOERDEN) == "afgeleverd"
    assert tid not in [b["id"] for b in postvak(bv, PROVIDER)]
    # The municipality reading its own message does not deliver it.
    assert bv.get(f"/v1/berichten/{tid}/inhoud", headers=WOERDEN).status_code == 200

    raw302 = uniek("jw302-voorbeeld.xml", (b"TW2603-00042", ident(raw301).encode()),
                   (b"TWR2603-0042", b"TWR{tag}-0042"))
    # Only the provider the 301 was addressed to may answer it.
    other = post(bv, raw302, OTHER_PROVIDER, 403)
    assert "Ontvanger" in other["error"]
    retour = post(bv, raw302, PROVIDER)
    assert retour["status"] == "ter_aflevering"
    assert retour["bericht_id"] in [b["id"] for b in postvak(bv, WOERDEN)]
    # The example 302 rejects a client (9332): the allocation message stands as rejected, with the code.
    s = bv.get(f"/v1/berichten/{tid}", headers=WOERDEN).json()
    assert s["status"] == "afgekeurd" and s["samenvatting"]["retourcodes"] == ["9332"]
    assert s["antwoord_beschikbaar"] is True
    assert bv.get(f"/v1/berichten/{tid}/antwoord", headers=WOERDEN).content == raw302
    assert termijn(bv, PROVIDER, tid, Soort.RETOUR.value)["stand"] in ("vervuld", "te_laat_vervuld")
    # Fetching the answer delivered it: out of the municipality's mailbox.
    assert retour["bericht_id"] not in [b["id"] for b in postvak(bv, WOERDEN)]
    stappen = [s["stap"] for s in bv.get(f"/v1/berichten/{tid}/tijdlijn", headers=WOERDEN).json()["stappen"]]
    assert stappen == ["ontvangen", "afgeleverd", "beantwoord"]

    # A second, different retour on the same 301 is refused; one on a 301 that does not exist too.
    tweede = post(bv, raw302.replace(b"TWR", b"TWX"), PROVIDER, 409)
    assert "already answered" in tweede["error"]
    onbekend = post(bv, raw302.replace(ident(raw301).encode(), b"TW0000-99999"), PROVIDER, 422)
    assert "no 301 with Identificatie TW0000-99999" in onbekend["error"]


def test_a_request_makes_a_task_for_the_municipality_that_a_319_meets(bv):
    raw315 = uniek("jw315-voorbeeld.xml", (b"VOT2604-0007", b"VOT{tag}-07"), (b"VOT-2026-0007", b"REF-{tag}-0007"))
    verzoek = post(bv, raw315, PROVIDER)
    vid = verzoek["bericht_id"]
    assert verzoek["status"] == "in_behandeling"
    # The 316 is there at once, valid against the official XSD, addressed back with the 315's header (IV028).
    r316 = bv.get(f"/v1/berichten/{vid}/antwoord", headers=PROVIDER)
    assert r316.status_code == 200
    assert xsd_valid("316", r316.content)
    # The municipality finds the request in its mailbox and owes a 301 or 319 within 5 working days.
    assert vid in [b["id"] for b in postvak(bv, WOERDEN)]
    taak = termijn(bv, WOERDEN, vid, Soort.TOEWIJZING_OF_319.value)
    assert taak["uiterlijk"] == werkdagen_na(SYSTEEMKLOK.vandaag(), 5).isoformat() and taak["vervuld_at"] is None
    lijst = bv.get("/v1/gemeenten/0632/termijnen", headers=WOERDEN).json()["verplichtingen"]
    assert vid in [v["bericht_id"] for v in lijst]

    # A 319 about another reference answers nothing; the one with the request's reference answers it.
    ref = ident(raw315).replace("VOT", "REF-").replace("-07", "-0007").encode()
    andere = uniek("jw319-voorbeeld.xml", (b"ANTW2604-011", b"AN{tag}-011"), (b"VOT-2026-0007", b"ANDERS-{tag}"))
    post(bv, andere, WOERDEN)
    assert status_of(bv, vid, PROVIDER) == "in_behandeling"
    raw319 = uniek("jw319-voorbeeld.xml", (b"ANTW2604-011", b"AN{tag}-011"), (b"VOT-2026-0007", ref))
    antwoord = post(bv, raw319, WOERDEN)
    assert status_of(bv, vid, PROVIDER) == "beantwoord"
    assert termijn(bv, WOERDEN, vid, Soort.TOEWIJZING_OF_319.value)["antwoord_id"] == antwoord["bericht_id"]
    # The provider fetches the 319 and acknowledges it with a 320.
    assert antwoord["bericht_id"] in [b["id"] for b in postvak(bv, PROVIDER)]
    assert bv.get(f"/v1/berichten/{antwoord['bericht_id']}/inhoud", headers=PROVIDER).content == raw319
    raw320 = uniek("jw320-voorbeeld.xml", (b"ANTW2604-011", ident(raw319).encode()))
    post(bv, raw320, PROVIDER)
    assert status_of(bv, antwoord["bericht_id"], WOERDEN) == "afgekeurd"  # the example 320 carries 9379


def test_a_change_request_is_acknowledged_with_a_318(bv):
    raw317 = uniek("jw317-voorbeeld.xml", (b"VOW2605-0003", b"VOW{tag}-03"))
    verzoek = post(bv, raw317, PROVIDER)
    assert verzoek["status"] == "in_behandeling"
    r318 = bv.get(f"/v1/berichten/{verzoek['bericht_id']}/antwoord", headers=PROVIDER)
    assert xsd_valid("318", r318.content)


def test_a_different_message_with_a_used_identificatie_gets_9056(bv):
    eerste = uniek("jw305-voorbeeld.xml", (b"SZ2604-0001", b"SZ{tag}-01"))
    assert post(bv, eerste, PROVIDER)["status"] == "beantwoord"
    # Identical again: the same id, nothing new.
    again = post(bv, eerste, PROVIDER, 200)
    assert again["herhaald"] is True
    anders = eerste.replace(b"<jw305:Dagtekening>", b"<jw305:Dagtekening>", 1).replace(b"</jw305:Header>",
                                                                                        b"</jw305:Header>\n")
    assert anders != eerste
    tweede = post(bv, anders, PROVIDER)
    assert tweede["status"] == "technisch_afgekeurd" and tweede["retourcodes"] == ["9056"]
    r306 = bv.get(f"/v1/berichten/{tweede['bericht_id']}/antwoord", headers=PROVIDER).content
    assert xsd_valid("306", r306)
    codes = etree.fromstring(r306).xpath("//*[local-name()='Header']//*[local-name()='RetourCode']/text()")
    assert codes == ["9056"]
    # TR056 counts per berichtsoort: the provider's iWmo start message may carry the same Identificatie.
    wmo = as_wmo(eerste, "305")
    assert post(bv, wmo, PROVIDER)["status"] == "beantwoord"
    # A municipality's system reusing an Identificatie hears so at once, and nothing is stored.
    raw301 = uniek("jw301-voorbeeld.xml", (b"TW2603-00042", b"TW{tag}-00043"))
    post(bv, raw301, WOERDEN)
    dubbel = post(bv, raw301.replace(b"</jw301:Header>", b"</jw301:Header>\n"), WOERDEN, 409)
    assert dubbel["retourcode"] == "9056"


def zip_of(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def berichten_van(bv, headers) -> int:
    r = bv.get("/v1/berichten", params={"limit": 500}, headers=headers)
    return len(r.json()["berichten"])


def test_a_zip_batch_is_accepted_whole_or_not_at_all(bv):
    files = {f"start-{i}.xml": uniek("jw305-voorbeeld.xml", (b"SZ2604-0001", f"ZB{{tag}}-{i:02d}".encode()))
             for i in range(3)}
    files["stop.xml"] = uniek("jw307-voorbeeld.xml", (b"SP2607-0001", b"ZS{tag}-01"))
    voor = berichten_van(bv, PROVIDER)
    kapot = dict(files)
    kapot["start-1.xml"] = b"<geen-bericht/>"
    r = bv.post("/v1/berichten", content=zip_of(kapot), headers={**ZIP, **PROVIDER})
    assert r.status_code == 400 and r.json()["bestand"] == "start-1.xml" and r.json()["bericht"] == 2
    assert berichten_van(bv, PROVIDER) == voor  # nothing of the batch was stored

    r = bv.post("/v1/berichten", content=zip_of(files), headers={**ZIP, **PROVIDER})
    assert r.status_code == 202, r.text
    results = r.json()["berichten"]
    assert [x["bestand"] for x in results] == list(files)
    assert all(x["status"] == "beantwoord" and not x["herhaald"] for x in results)
    # The same batch again: every message is recognised.
    again = bv.post("/v1/berichten", content=zip_of(files), headers={**ZIP, **PROVIDER})
    assert again.status_code == 200 and [x["bericht_id"] for x in again.json()["berichten"]] == \
        [x["bericht_id"] for x in results]
    te_veel = zip_of({f"b{i}.xml": files["stop.xml"] for i in range(31)})
    r = bv.post("/v1/berichten", content=te_veel, headers={**ZIP, **PROVIDER})
    assert r.status_code == 413 and "at most 30" in r.json()["error"]


def test_listing_is_own_messages_only_filtered_and_paged(bv):
    mine = bv.get("/v1/berichten", params={"type": "305", "limit": 2}, headers=PROVIDER).json()
    assert len(mine["berichten"]) == 2 and mine["volgende_offset"] == 2
    assert {b["berichttype"] for b in mine["berichten"]} == {"305"}
    assert bv.get("/v1/berichten", headers=OTHER_PROVIDER).json()["berichten"] == []
    bad = bv.get("/v1/berichten", params={"status": "kwijt"}, headers=PROVIDER)
    assert bad.status_code == 400 and "status" in bad.text and "ter_aflevering" in bad.text


def test_the_rate_limit_slows_one_party_and_not_the_others(bv):
    time.sleep(5 * 50 / (RATE * 5))  # a full burst for the parties used so far
    answers = [bv.get("/v1/postvak", headers=OTHER_PROVIDER) for _ in range(90)]
    limited = [r for r in answers if r.status_code == 429]
    assert limited, "90 requests at once should exceed a burst of 50"
    assert all(r.status_code in (200, 429) for r in answers)
    assert int(limited[0].headers["Retry-After"]) >= 1 and "slow down" in limited[0].json()["hint"]
    assert bv.get("/v1/postvak", headers=WOERDEN).status_code == 200  # another party is not slowed


def test_after_all_flows_the_archive_chains_are_intact(bv, database_url):
    from berichtenverkeer.adapters.unit_of_work import unit_of_work_fabriek
    from berichtenverkeer.service_layer.archief import controleer_archief
    from shared.platform.db import create_pool

    async def check():
        pool = await create_pool(database_url, "berichtenverkeer", max_size=2)
        try:
            return await controleer_archief(unit_of_work_fabriek(lambda: pool), SYSTEEMKLOK)
        finally:
            await pool.close()

    rapport = asyncio.run(check())
    assert rapport["intact"] is True, rapport["breuken"]
    assert {"87654321", "0632"} <= {k["partij"] for k in rapport["ketens"]}


def grote_declaratie(regels: int) -> bytes:
    """The example 323 with one client declaring `regels` lines (each the example's first line with its own
    reference and allocation number, so level 2 has nothing against it and each line gets 9338, no such
    allocation): well within the 25 MB limit, but its event is over Kafka's default 1 MB record size."""
    raw = uniek("jw323-voorbeeld.xml", (b"DCL2605-0001", b"DCLG{tag}"), (b"D202604001", b"DG{tag}"))
    prestatie = re.search(rb"<jw323:Prestatie>.*?</jw323:Prestatie>", raw, re.S).group(0)
    bedrag = int(re.search(rb"<ijw:Bedrag>(\d+)<", prestatie).group(1))
    regels_xml = b"".join(prestatie.replace(b"P20260504000001", f"G{uuid.uuid4().hex[:13].upper()}".encode())
                          .replace(b">400123<", f">{7_000_000 + i}<".encode()) for i in range(regels))
    client = re.search(rb"<jw323:Client>.*?</jw323:Client>", raw, re.S).group(0)
    een_client = re.sub(rb"<jw323:Prestaties>.*</jw323:Prestaties>",
                        lambda _m: b"<jw323:Prestaties>" + regels_xml + b"</jw323:Prestaties>", client, flags=re.S)
    raw = re.sub(rb"<jw323:Clienten>.*</jw323:Clienten>",
                 lambda _m: b"<jw323:Clienten>" + een_client + b"</jw323:Clienten>", raw, flags=re.S)
    return raw.replace(b"<ijw:TotaalBedrag>595000<", f"<ijw:TotaalBedrag>{bedrag * regels}<".encode())


def test_a_declaration_whose_event_is_over_kafkas_default_record_size_is_answered(bv, database_url):
    # Before MAX_EVENT_BYTES this 4,000-line 323 got 202 and no 325: its event (~1.3 MB) was refused by the broker
    # and the outbox relay retried it forever at the head of the queue, holding back every later event too.
    raw = grote_declaratie(4000)
    assert 2_000_000 < len(raw) < 25 * 1024 * 1024
    bericht_id = post(bv, raw, PROVIDER)["bericht_id"]
    deadline = time.monotonic() + 120
    while status_of(bv, bericht_id, PROVIDER) != "beantwoord":
        assert time.monotonic() < deadline, "no 325 for the large declaration"
        time.sleep(0.5)
    antwoord = bv.get(f"/v1/berichten/{bericht_id}/antwoord", headers=PROVIDER)
    assert antwoord.status_code == 200
    root = etree.fromstring(antwoord.content, etree.XMLParser(huge_tree=True))
    assert root.xpath("string(//*[local-name()='Header']/*[local-name()='RetourCodes']/*)") == "0200"
    assert root.xpath("//*[local-name()='Prestatie']/*[local-name()='RetourCodes']/*/text()") == ["9338"] * 4000
    event_bytes = asyncio.run(fetchval(database_url, "SELECT octet_length(payload::text) FROM berichtenverkeer.outbox "
                                                     "WHERE payload->>'bericht_id' = $1", bericht_id))
    assert event_bytes > 1024 * 1024  # the boundary this test is about: over the broker's default
