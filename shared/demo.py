"""Demo traffic: a month of realistic declarations for every provider and municipality in the region file.

Lines use the contract's products and tariffs; a small share carries a deliberate tariff error so the 325
answers show rejected lines with readable reasons.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from .bsn import test_bsns
from .codec import BERICHTCODES, write_323
from .models import Client, Declaratie, Declaratiebericht, Header, Periode, Prestatie
from .regio import Regio

EXAMPLE_323 = Path(__file__).resolve().parent / "voorbeelden" / "jw323-voorbeeld.xml"


@dataclass(frozen=True)
class DemoBericht:
    agb: str
    cbs: str
    xml: bytes
    regels: int


def vorige_maand(today: dt.date) -> Periode:
    first = today.replace(day=1)
    last_prev = first - dt.timedelta(days=1)
    return Periode(begindatum=last_prev.replace(day=1), einddatum=last_prev)


def _volume(eenheid: str, rnd: random.Random) -> int:
    return {"01": rnd.randint(30, 900), "04": rnd.randint(2, 24), "14": rnd.randint(5, 30),
            "16": rnd.randint(2, 16), "83": rnd.randint(5_000, 150_000)}.get(eenheid, rnd.randint(1, 10))


def generate_month(regio: Regio, periode: Periode, *, clients_per_bericht: int = 40, error_share: float = 0.04,
                   seed: int = 2027, dagtekening: dt.date | None = None) -> list[DemoBericht]:
    rnd = random.Random(seed)
    bsns = test_bsns()
    dagtekening = dagtekening or dt.date.today()
    berichten: list[DemoBericht] = []
    teller = 0
    for contract in regio.contracten:
        for cbs in contract.gemeenten:
            teller += 1
            clienten = []
            for _ in range(clients_per_bericht):
                prestaties = []
                for product in rnd.sample(contract.producten, k=rnd.randint(1, min(2, len(contract.producten)))):
                    teller += 1
                    volume = _volume(product.eenheid, rnd)
                    tarief = product.tarief_op(periode.begindatum)
                    if product.eenheid == "83":
                        tarief_opgave, bedrag = None, volume
                    else:
                        tarief_opgave = tarief + (rnd.choice([-50, 75]) if rnd.random() < error_share else 0)
                        bedrag = volume * tarief_opgave
                    prestaties.append(Prestatie(
                        referentienummer=f"DEMO{periode.begindatum:%y%m}{teller:08d}",
                        toewijzingnummer=rnd.randint(100_000, 999_999), productcategorie=product.categorie,
                        productcode=product.code, productperiode=periode, geleverd_volume=volume,
                        eenheid=product.eenheid, producttarief=tarief_opgave, ingediend_bedrag=bedrag,
                        debet_credit="D"))
                clienten.append(Client(bsn=next(bsns), prestaties=prestaties))
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
    return berichten


def _say(msg: str) -> None:
    print(f"[demo] {msg}", file=sys.stderr, flush=True)


async def submit(client: httpx.AsyncClient, agb: str, xml: bytes) -> dict:
    r = await client.post("/v1/berichten", content=xml, headers={
        "Content-Type": "application/xml", "Authorization": f"Bearer demo-aanbieder-{agb}"})
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
        r = await client.get(f"/v1/berichten/{bericht_id}/tijdlijn", headers={"Authorization": f"Bearer demo-aanbieder-{agb}"})
        if any(s["stap"] == stap for s in r.json()["stappen"]):
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"message {bericht_id} did not reach step {stap!r} within {timeout:.0f}s")


async def run_demo(berichtenverkeer_url: str, facturatie_url: str, regio: Regio) -> None:
    async with httpx.AsyncClient(base_url=berichtenverkeer_url, timeout=30) as bv, \
            httpx.AsyncClient(base_url=facturatie_url, timeout=30) as fa:
        _say("1/2 the standard's example declaration (§13.2): provider 87654321 → Woerden (0632)")
        sent = await submit(bv, "87654321", EXAMPLE_323.read_bytes())
        status = await wait_for_answer(bv, "87654321", sent["bericht_id"])
        s = status["samenvatting"]
        _say(f"    325 ready: granted {s['totaal_toegekend_cent'] / 100:.2f} EUR ({s['totaal_toegekend_debet_credit']}) "
             f"of {s['totaal_ingediend_cent'] / 100:.2f} EUR submitted; {len(s['afgewezen_regels'])} line(s) rejected")
        for regel in s["afgewezen_regels"]:
            _say(f"      {regel['referentienummer']}: {regel['redenen'][0]}")
        await wait_for_step(bv, "87654321", sent["bericht_id"], "geboekt")
        ledger = (await fa.get("/v1/gemeenten/0632/saldi",
                               headers={"Authorization": "Bearer demo-gemeente-0632"})).json()
        for rek in ledger["rekeningen"]:
            _say(f"    ledger Woerden {rek['domein']} {rek['code']:<20} {rek['saldo_cent'] / 100:>12.2f}")

        periode = vorige_maand(dt.date.today())
        berichten = generate_month(regio, periode)
        regels = sum(b.regels for b in berichten)
        _say(f"2/2 a month of declarations ({periode.begindatum:%B %Y}): {len(berichten)} messages, {regels} lines")
        t0 = time.monotonic()
        sem = asyncio.Semaphore(8)
        done = 0

        async def one(b: DemoBericht) -> dict:
            nonlocal done
            async with sem:
                sent = await submit(bv, b.agb, b.xml)
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
