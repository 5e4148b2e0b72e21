"""Demo traffic: a month of realistic declarations for every provider and municipality in the region file, each
preceded by the municipality's allocations (301) the lines are judged against.

Lines use the contract's products and tariffs; a small share carries a deliberate tariff error so the 325
answers show rejected lines with readable reasons.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import functools
import random
import sys
import time
from dataclasses import dataclass

import httpx

from shared.bsn import test_bsns
from shared.istandaard import BERICHTCODES, HUIDIGE, read_bericht, validate_structure, write_323, write_bericht
from shared.kalender import SYSTEEMKLOK
from shared.models import Client, Declaratie, Declaratiebericht, Header, Periode, Prestatie
from shared.platform.regio import Regio

VOORBEELDEN = HUIDIGE.voorbeelden
EXAMPLE_323 = VOORBEELDEN / "jw323-voorbeeld.xml"


@dataclass(frozen=True)
class DemoBericht:
    agb: str
    cbs: str
    xml: bytes
    regels: int
    berichttype: str = "323"

    @property
    def token(self) -> str:
        return f"demo-aanbieder-{self.agb}" if self.berichttype == "323" else f"demo-gemeente-{self.cbs}"


def _toegewezen(nummer: int, datum: dt.date, ingang: dt.date, eind: dt.date, categorie: str, code: str | None = None,
                omvang: tuple[int, str, str] | None = None, budget: int | None = None) -> dict:
    product = {"Categorie": categorie, "Code": code}
    return {"ToewijzingNummer": nummer, "Product": product, "Toewijzingsdatum": datum,
            "Toewijzingstijd": dt.time(9, 0), "Ingangsdatum": ingang, "Einddatum": eind,
            "Omvang": {"Volume": omvang[0], "Eenheid": omvang[1], "Frequentie": omvang[2]} if omvang else None,
            "Budget": budget}


@functools.cache
def _voorbeeld_301() -> dict:
    """The example 301's values, read once: the demo builds hundreds of 301s on it."""
    domein, _type, root = read_bericht((VOORBEELDEN / "jw301-voorbeeld.xml").read_bytes())
    return validate_structure(root, domein, "301")


def toewijzingsbericht(domein: str, cbs: str, agb: str, identificatie: str, dagtekening: dt.date, bsn: str,
                       producten: list[dict]) -> bytes:
    """A 301 for one client at one provider (OP087: all its allocations), built on the standard's example client
    (§13.1) with another BSN and other allocations."""
    values = copy.deepcopy(_voorbeeld_301())
    values["Header"].update({"BerichtCode": BERICHTCODES[domein]["301"], "Afzender": cbs, "Ontvanger": agb,
                             "BerichtIdentificatie": {"Identificatie": identificatie, "Dagtekening": dagtekening}})
    values["Client"]["Bsn"] = bsn
    values["Client"]["ToegewezenProducten"] = {"ToegewezenProduct": producten}
    return write_bericht(domein, "301", values)


def voorgeschiedenis_voorbeeld() -> list[DemoBericht]:
    """What Woerden's register must hold for the standard's example 323 (§13.2) to get exactly the example 325
    (§13.3): the allocations its lines refer to, and the March declaration whose line P20260403000017 the example
    credits. Worked out by hand: 12 h ≤ 4 h/week × 5 ISO weeks of April 2026; 21 etmalen ≤ 7 × 4 weeks from
    10 April; the March replacement 8 h ≤ 3 h/week × 6 weeks; 450.00 EUR within a 5,000.00 EUR budget."""
    woerden, agb, d = "0632", "87654321", dt.date
    client1 = toewijzingsbericht("jw", woerden, agb, "TW2603-00042", d(2026, 3, 20), "999990019", [
        _toegewezen(400123, d(2026, 3, 20), d(2026, 4, 1), d(2026, 9, 30), "45", "45A07", (4, "04", "2")),
        _toegewezen(400124, d(2026, 3, 20), d(2026, 4, 10), d(2026, 12, 31), "43", "43A01", (7, "14", "2"))])
    client2 = toewijzingsbericht("jw", woerden, agb, "TW2512-00007", d(2025, 12, 15), "999990044", [
        _toegewezen(400200, d(2025, 12, 15), d(2026, 1, 1), d(2026, 12, 31), "45", "45A07", (3, "04", "2")),
        _toegewezen(400201, d(2025, 12, 15), d(2026, 1, 1), d(2026, 12, 31), "54", budget=500_000)])
    maart = Periode(begindatum=d(2026, 3, 1), einddatum=d(2026, 3, 31))
    header = Header(berichtcode=BERICHTCODES["jw"]["323"], berichtversie=3, berichtsubversie=2, afzender=agb,
                    ontvanger=woerden, identificatie="DCL2604-0001", dagtekening=d(2026, 4, 3),
                    basisschema_xsd_versie="1.0.0", bericht_xsd_versie="1.0.0")
    regel = Prestatie(referentienummer="P20260403000017", toewijzingnummer=400200, productcategorie="45",
                      productcode="45A07", productperiode=maart, geleverd_volume=10, eenheid="04", producttarief=9850,
                      ingediend_bedrag=98_500, debet_credit="D")
    maart_323 = write_323(Declaratiebericht(domein="jw", header=header, declaratie=Declaratie(
        declaratienummer="D202603001", declaratieperiode=maart, declaratiedagtekening=d(2026, 4, 3),
        totaal_ingediend_bedrag=98_500, totaal_debet_credit="D",
        clienten=[Client(bsn="999990044", prestaties=[regel])])))
    return [DemoBericht(agb, woerden, client1, 2, "301"), DemoBericht(agb, woerden, client2, 2, "301"),
            DemoBericht(agb, woerden, maart_323, 1, "323")]


def vorige_maand(today: dt.date) -> Periode:
    first = today.replace(day=1)
    last_prev = first - dt.timedelta(days=1)
    return Periode(begindatum=last_prev.replace(day=1), einddatum=last_prev)


def _volume(eenheid: str, rnd: random.Random) -> int:
    return {"01": rnd.randint(30, 900), "04": rnd.randint(2, 24), "14": rnd.randint(5, 30),
            "16": rnd.randint(2, 16), "83": rnd.randint(5_000, 150_000)}.get(eenheid, rnd.randint(1, 10))


def _demo_toewijzing(nummer: int, product, periode: Periode) -> dict:
    """A year-long allocation that covers what _volume can deliver in a month: specific with a monthly volume
    (minutes are allocated in hours, IV081), or aspecific with a budget for euro products."""
    jaar = periode.begindatum.year
    datum, ingang, eind = periode.begindatum - dt.timedelta(days=20), dt.date(jaar, 1, 1), dt.date(jaar, 12, 31)
    if product.eenheid == "83":
        return _toegewezen(nummer, datum, ingang, eind, product.categorie, budget=2_000_000)
    eenheid, maximum = ("04", 15) if product.eenheid == "01" else (product.eenheid, 30)
    return _toegewezen(nummer, datum, ingang, eind, product.categorie, product.code, (maximum, eenheid, "4"))


def generate_month(regio: Regio, periode: Periode, *, clients_per_bericht: int = 40, error_share: float = 0.04,
                   seed: int = 2027, dagtekening: dt.date | None = None) -> list[DemoBericht]:
    rnd = random.Random(seed)
    bsns = test_bsns()
    dagtekening = dagtekening or SYSTEEMKLOK.vandaag()
    berichten: list[DemoBericht] = []
    toewijzingen: list[DemoBericht] = []
    teller = 0
    for contract in regio.contracten:
        for cbs in contract.gemeenten:
            teller += 1
            clienten = []
            for _ in range(clients_per_bericht):
                prestaties = []
                bsn = next(bsns)
                toegewezen = []
                producten = rnd.sample(contract.producten, k=rnd.randint(1, min(2, len(contract.producten))))
                if len({p.categorie for p in producten}) < len(producten) and any(p.eenheid == "83" for p in producten):
                    # An aspecific allocation (the euro product's) overlaps any other of its category (TR302).
                    producten = producten[:1]
                for product in producten:
                    teller += 1
                    toegewezen.append(_demo_toewijzing(teller, product, periode))
                    volume = _volume(product.eenheid, rnd)
                    tarief = product.tarief_op(periode.begindatum) or 0  # the region file has a rate for every month
                    if product.eenheid == "83":
                        tarief_opgave, bedrag = None, volume
                    else:
                        tarief_opgave = tarief + (rnd.choice([-50, 75]) if rnd.random() < error_share else 0)
                        bedrag = volume * tarief_opgave
                    prestaties.append(Prestatie(
                        referentienummer=f"DEMO{periode.begindatum:%y%m}{teller:08d}",
                        toewijzingnummer=teller, productcategorie=product.categorie,
                        productcode=product.code, productperiode=periode, geleverd_volume=volume,
                        eenheid=product.eenheid, producttarief=tarief_opgave, ingediend_bedrag=bedrag,
                        debet_credit="D"))
                clienten.append(Client(bsn=bsn, prestaties=prestaties))
                toewijzingen.append(DemoBericht(contract.aanbieder, cbs, toewijzingsbericht(
                    contract.domein, cbs, contract.aanbieder, f"T{periode.begindatum:%y%m}{teller:07d}",
                    periode.begindatum - dt.timedelta(days=20), bsn, toegewezen), len(toegewezen), "301"))
            totaal = sum(p.ingediend_bedrag for c in clienten for p in c.prestaties)
            header = Header(berichtcode=BERICHTCODES[contract.domein]["323"], berichtversie=3, berichtsubversie=2,
                            afzender=contract.aanbieder, ontvanger=cbs,
                            identificatie=f"D{periode.begindatum:%y%m}{teller:07d}", dagtekening=dagtekening,
                            basisschema_xsd_versie="1.0.0", bericht_xsd_versie="1.0.0")
            bericht = Declaratiebericht(domein=contract.domein, header=header, declaratie=Declaratie(
                declaratienummer=f"D{periode.begindatum:%y%m}{teller:06d}", declaratieperiode=periode,
                declaratiedagtekening=dagtekening, totaal_ingediend_bedrag=totaal, totaal_debet_credit="D",
                clienten=clienten))
            berichten.append(DemoBericht(contract.aanbieder, cbs, write_323(bericht),
                                         sum(len(c.prestaties) for c in clienten)))
    return toewijzingen + berichten  # allocations first: the gateway keeps their order per provider/municipality


class PoliteTransport(httpx.AsyncHTTPTransport):
    """Waits as the gateway's rate limit asks (429 + Retry-After) and tries again, as a provider's client should."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        for _ in range(20):
            response = await super().handle_async_request(request)
            if response.status_code != 429:
                return response
            await response.aclose()
            await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
        return response


def _say(msg: str) -> None:
    print(f"[demo] {msg}", file=sys.stderr, flush=True)


async def submit(client: httpx.AsyncClient, token: str, xml: bytes) -> dict:
    r = await client.post("/v1/berichten", content=xml, headers={
        "Content-Type": "application/xml", "Authorization": f"Bearer {token}"})
    if r.status_code not in (200, 202):
        raise RuntimeError(f"submission refused ({r.status_code}): {r.text[:500]}")
    return r.json()


async def wait_for_answer(client: httpx.AsyncClient, agb: str, bericht_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    headers = {"Authorization": f"Bearer demo-aanbieder-{agb}"}
    while time.monotonic() < deadline:
        r = await client.get(f"/v1/berichten/{bericht_id}", headers=headers)
        body = r.json()
        if body.get("antwoord_beschikbaar"):
            return body
        await asyncio.sleep(0.1)
    raise TimeoutError(f"no 325 for message {bericht_id} within {timeout:.0f}s")


async def wait_for_step(client: httpx.AsyncClient, agb: str, bericht_id: str, stap: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = await client.get(f"/v1/berichten/{bericht_id}/tijdlijn",
                             headers={"Authorization": f"Bearer demo-aanbieder-{agb}"})
        if any(s["stap"] == stap for s in r.json()["stappen"]):
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"message {bericht_id} did not reach step {stap!r} within {timeout:.0f}s")


async def run_demo(berichtenverkeer_url: str, facturatie_url: str, regio: Regio) -> None:
    async with httpx.AsyncClient(base_url=berichtenverkeer_url, timeout=30, transport=PoliteTransport()) as bv, \
            httpx.AsyncClient(base_url=facturatie_url, timeout=30) as fa:
        _say("1/2 the standard's example declaration (§13.2): provider 87654321 → Woerden (0632)")
        _say("    first its history: Woerden's allocations (301) and the March declaration it corrects")
        for b in voorgeschiedenis_voorbeeld():
            vorig = await submit(bv, b.token, b.xml)
        await wait_for_answer(bv, "87654321", vorig["bericht_id"])
        sent = await submit(bv, "demo-aanbieder-87654321", EXAMPLE_323.read_bytes())
        status = await wait_for_answer(bv, "87654321", sent["bericht_id"])
        s = status["samenvatting"]
        _say(f"    325 ready: granted {s['totaal_toegekend_cent'] / 100:.2f} EUR "
             f"({s['totaal_toegekend_debet_credit']}) "
             f"of {s['totaal_ingediend_cent'] / 100:.2f} EUR submitted; {len(s['afgewezen_regels'])} line(s) rejected")
        for regel in s["afgewezen_regels"]:
            _say(f"      {regel['referentienummer']}: {regel['redenen'][0]}")
        await wait_for_step(bv, "87654321", sent["bericht_id"], "geboekt")
        ledger = (await fa.get("/v1/gemeenten/0632/saldi",
                               headers={"Authorization": "Bearer demo-gemeente-0632"})).json()
        for rek in ledger["rekeningen"]:
            _say(f"    ledger Woerden {rek['domein']} {rek['code']:<20} {rek['saldo_cent'] / 100:>12.2f}")

        periode = vorige_maand(SYSTEEMKLOK.vandaag())
        alles = generate_month(regio, periode)
        toewijzingen = [b for b in alles if b.berichttype == "301"]
        berichten = [b for b in alles if b.berichttype == "323"]
        regels = sum(b.regels for b in berichten)
        _say(f"2/2 a month ({periode.begindatum:%B %Y}): {len(toewijzingen)} allocation messages, then "
             f"{len(berichten)} declarations with {regels} lines")
        t0 = time.monotonic()
        sem = asyncio.Semaphore(8)

        async def allocate(b: DemoBericht) -> None:
            async with sem:
                await submit(bv, b.token, b.xml)

        # Every allocation is accepted before any declaration is sent: the gateway keeps that order per
        # provider and municipality, so each line finds its allocation.
        await asyncio.gather(*(allocate(b) for b in toewijzingen))
        _say(f"    {len(toewijzingen)} allocation messages accepted in {time.monotonic() - t0:.1f}s")
        t0 = time.monotonic()
        done = 0

        async def one(b: DemoBericht) -> dict:
            nonlocal done
            async with sem:
                sent = await submit(bv, b.token, b.xml)
                result = await wait_for_answer(bv, b.agb, sent["bericht_id"])
                done += 1
                if done % 10 == 0 or done == len(berichten):
                    _say(f"    {done}/{len(berichten)} answered")
                return result

        results = await asyncio.gather(*(one(b) for b in berichten))
        afgewezen = sum(len(r["samenvatting"]["afgewezen_regels"]) for r in results)
        toegekend = sum(r["samenvatting"]["totaal_toegekend_cent"] for r in results)
        _say(f"    all {len(results)} answered in {time.monotonic() - t0:.1f}s: {regels - afgewezen} lines approved "
             f"({toegekend / 100:,.2f} EUR), {afgewezen} rejected")
