"""A generated region-month for load tests: many providers, tens of thousands of clients with allocations, and
a month of declarations with credits, late lines and deliberate rule violations whose verdicts are known.

Pure and seeded: the same arguments give the same region, messages and expectations. Dates are fixed (a
September history, an October month declared early November 2026), so the verdicts do not depend on the clock.

What a generated month holds, per provider and municipality one 323:
- a debit line for October for every allocation the client has (one line per allocation per month, TR389);
- late lines: September lines for the allocations the September declaration left out;
- credits of approved September lines (OP366), about half of them followed by a replacement debit;
- violations on about `fout_aandeel` of the lines, each of a kind whose RetourCode the benchmark expects:
  a wrong tariff (0611), an unknown allocation (9338), more hours than allocated (9321), a euro line over the
  budget (9369), a reference number used before (8021), a credit of a line that never existed (8017).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from shared.bsn import test_bsns
from shared.istandaard import BERICHTCODES
from shared.models import (
    Client,
    Declaratie,
    Declaratiebericht,
    Header,
    Omvang,
    Periode,
    Prestatie,
    Toewijzing,
    Toewijzingsbericht,
)
from shared.platform.regio import Aanbieder, Contract, ContractProduct, Gemeente, Regio, Tarief, load_regio
from tools.checkout import DEFAULT_REGIO
from tools.demo import toewijzingsbericht

SEPTEMBER = Periode(begindatum=dt.date(2026, 9, 1), einddatum=dt.date(2026, 9, 30))
OKTOBER = Periode(begindatum=dt.date(2026, 10, 1), einddatum=dt.date(2026, 10, 31))
TOEWIJZINGSDATUM = dt.date(2025, 12, 15)
JAAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
DAGTEKENING_SEPTEMBER = dt.date(2026, 10, 5)
DAGTEKENING_OKTOBER = dt.date(2026, 11, 5)

# (categorie, code, eenheid, tarief in cents, allocated volume per week); euro products get a budget instead.
PRODUCTEN = {
    "jw": [("45", "45A07", "04", 9850, 6), ("43", "43A01", "14", 21000, 7), ("54", "54B02", "83", None, None),
           ("42", "42A03", "04", 8700, 4), ("41", "41A11", "14", 18500, 7)],
    "wmo": [("02", "02A05", "04", 6400, 5), ("07", "07A01", "14", 9900, 7), ("08", "08A02", "83", None, None)],
}
BUDGET = 2_000_000
FOUTSOORTEN = ("0611", "9338", "9321", "9369", "8021", "8017")


@dataclass(frozen=True)
class Verwachting:
    """What the benchmark expects for one line: approved, or rejected with (at least) this code."""

    aanbieder: str
    referentienummer: str
    code: str | None  # None = approved


@dataclass
class Regiomaand:
    regio: Regio
    toewijzingen: list[Toewijzingsbericht]
    september: list[Declaratiebericht]  # history, judged before the month under test
    oktober: list[Declaratiebericht]
    verwacht: dict[tuple[str, str], str | None] = field(default_factory=dict)  # (AGB, ref) -> code or None

    @property
    def clienten(self) -> int:
        return len(self.toewijzingen)

    @property
    def regels(self) -> int:
        return sum(len(c.prestaties) for b in self.oktober for c in b.declaratie.clienten)


def _regio(aanbieders: int, wmo_aandeel: float, rnd: random.Random, aantal_gemeenten: int | None = None) -> Regio:
    basis = load_regio(DEFAULT_REGIO)
    gemeenten = [Gemeente(cbs=g.cbs, naam=g.naam, inwoners=g.inwoners, aangesloten_per=g.aangesloten_per)
                 for g in basis.gemeenten]
    if aantal_gemeenten is not None:  # fewer: the first ones; more: made-up municipalities with codes 9001...
        extra = [Gemeente(cbs=f"{9001 + i:04d}", naam=f"Gemeente {9001 + i}", inwoners=20_000 + 1_000 * i,
                          aangesloten_per=gemeenten[0].aangesloten_per)
                 for i in range(max(0, aantal_gemeenten - len(gemeenten)))]
        gemeenten = (gemeenten + extra)[:max(1, aantal_gemeenten)]
    cbs = [g.cbs for g in gemeenten]
    partijen, contracten = [], []
    for i in range(aanbieders):
        agb = f"{71000000 + i:08d}"
        partijen.append(Aanbieder(agb=agb, naam=f"Zorgaanbieder {i:03d}", iban=f"NL{10 + i % 89:02d}BANK{i:010d}"))
        domein = "wmo" if rnd.random() < wmo_aandeel else "jw"
        keuze = rnd.sample(PRODUCTEN[domein], k=min(4, len(PRODUCTEN[domein])))
        producten = [ContractProduct(categorie=cat, code=code, eenheid=eenheid, tarieven=[
            Tarief(van=dt.date(2025, 1, 1), tot=dt.date(2025, 12, 31), cent=tarief - 250),
            Tarief(van=dt.date(2026, 1, 1), cent=tarief)] if tarief else [])
            for cat, code, eenheid, tarief, _w in keuze]
        contracten.append(Contract(id=f"GEN-{agb}", aanbieder=agb, domein=domein, soort="regionaal", gemeenten=cbs,
                                   geldig_van=dt.date(2025, 1, 1), producten=producten))
    return Regio(code="gegenereerd", naam="Utrecht West (generated load)", gemeenten=gemeenten,
                 aanbieders=partijen, contracten=contracten)


def _header(domein: str, berichttype: str, afzender: str, ontvanger: str, identificatie: str,
            dagtekening: dt.date) -> Header:
    return Header(berichtcode=BERICHTCODES[domein][berichttype], berichtversie=3, berichtsubversie=2,
                  afzender=afzender, ontvanger=ontvanger, identificatie=identificatie, dagtekening=dagtekening,
                  basisschema_xsd_versie="1.0.0", bericht_xsd_versie="1.0.0")


def _weekvolume(code: str) -> int | None:
    return next(w for ps in PRODUCTEN.values() for _c, pc, _e, _t, w in ps if pc == code)


def _regel(ref: str, t: Toewijzing, product: ContractProduct, periode: Periode, rnd: random.Random,
           debet_credit: str = "D", vorig: str | None = None, volume: int | None = None) -> Prestatie:
    if product.eenheid == "83":
        bedrag = volume if volume is not None else rnd.randint(5_000, 150_000)
        return Prestatie(referentienummer=ref, vorig_referentienummer=vorig, toewijzingnummer=t.toewijzingnummer,
                         productcategorie=product.categorie, productcode=product.code, productperiode=periode,
                         geleverd_volume=bedrag, eenheid="83", ingediend_bedrag=bedrag, debet_credit=debet_credit)
    if volume is None:  # at most four allocated weeks' worth: every month has at least four ISO weeks
        volume = rnd.randint(1, 4 * _weekvolume(product.code))
    tarief = product.tarief_op(periode.begindatum)
    return Prestatie(referentienummer=ref, vorig_referentienummer=vorig, toewijzingnummer=t.toewijzingnummer,
                     productcategorie=product.categorie, productcode=product.code, productperiode=periode,
                     geleverd_volume=volume, eenheid=product.eenheid, producttarief=tarief,
                     ingediend_bedrag=volume * tarief, debet_credit=debet_credit)


def _als_credit(p: Prestatie, ref: str) -> Prestatie:
    return dataclasses.replace(p, referentienummer=ref, vorig_referentienummer=p.referentienummer,
                               debet_credit="C")


def _declaratie(domein: str, agb: str, cbs: str, nummer: str, periode: Periode, dagtekening: dt.date,
                regels_per_client: dict[str, list[Prestatie]]) -> Declaratiebericht:
    clienten = [Client(bsn=bsn, prestaties=ps) for bsn, ps in regels_per_client.items() if ps]
    netto = sum(p.signed_bedrag for c in clienten for p in c.prestaties)
    return Declaratiebericht(domein=domein, header=_header(domein, "323", agb, cbs, nummer, dagtekening),
                             declaratie=Declaratie(declaratienummer=nummer, declaratieperiode=periode,
                                                   declaratiedagtekening=dagtekening,
                                                   totaal_ingediend_bedrag=abs(netto),
                                                   totaal_debet_credit="D" if netto >= 0 else "C",
                                                   clienten=clienten))


def genereer(*, aanbieders: int = 200, clienten: int = 30_000, fout_aandeel: float = 0.05,
             september_aandeel: float = 0.6, credit_aandeel: float = 0.04, wmo_aandeel: float = 0.15,
             seed: int = 2026, gemeenten: int | None = None) -> Regiomaand:
    """A region-month of `clienten` clients over `aanbieders` providers and the five municipalities (or
    `gemeenten` of them: beyond five, made-up ones are added). Clients have one to four allocations; provider sizes
    are skewed (a few large, many small), as in a real region."""
    rnd = random.Random(seed)
    regio = _regio(aanbieders, wmo_aandeel, rnd, gemeenten)
    # The reserved test range holds ~9,090 valid BSNs, so a person can be a client of several providers (as
    # children in youth care often are); a person lives in one municipality.
    personen = list(test_bsns())
    rnd.shuffle(personen)
    cbs_lijst = [g.cbs for g in regio.gemeenten]
    inwoners_van = {cbs: personen[i::len(cbs_lijst)] for i, cbs in enumerate(cbs_lijst)}
    volgende = {cbs: 0 for cbs in cbs_lijst}
    relaties: set[tuple[str, str]] = set()
    gewichten = [1 / (i + 1) ** 0.8 for i in range(aanbieders)]
    paren: dict[tuple[str, str], list[tuple[str, list[tuple[Toewijzing, ContractProduct]]]]] = {}
    toewijzingsberichten: list[Toewijzingsbericht] = []
    nummer = 1_000_000
    for n, contract in enumerate(rnd.choices(regio.contracten, weights=gewichten, k=clienten)):
        cbs = rnd.choice(contract.gemeenten)
        while True:
            inwoners = inwoners_van[cbs]
            bsn = inwoners[volgende[cbs] % len(inwoners)]
            volgende[cbs] += 1
            if (bsn, contract.aanbieder) not in relaties:
                relaties.add((bsn, contract.aanbieder))
                break
        toegewezen = []
        for product in rnd.sample(contract.producten, k=rnd.randint(1, len(contract.producten))):
            nummer += 1
            if product.eenheid == "83":
                t = Toewijzing(toewijzingnummer=nummer, productcategorie=product.categorie,
                               toewijzingsdatum=TOEWIJZINGSDATUM, toewijzingstijd=dt.time(9, 0),
                               ingangsdatum=JAAR[0], einddatum=JAAR[1], budget=BUDGET)
            else:
                t = Toewijzing(toewijzingnummer=nummer, productcategorie=product.categorie,
                               productcode=product.code, toewijzingsdatum=TOEWIJZINGSDATUM,
                               toewijzingstijd=dt.time(9, 0), ingangsdatum=JAAR[0], einddatum=JAAR[1],
                               omvang=Omvang(volume=_weekvolume(product.code), eenheid=product.eenheid,
                                             frequentie="2"))
            toegewezen.append((t, product))
        toewijzingsberichten.append(Toewijzingsbericht(
            domein=contract.domein, header=_header(contract.domein, "301", cbs, contract.aanbieder,
                                                   f"TW{n:08d}", TOEWIJZINGSDATUM),
            bsn=bsn, toewijzingen=[t for t, _p in toegewezen]))
        paren.setdefault((contract.aanbieder, cbs), []).append((bsn, toegewezen))

    domein_van = {c.aanbieder: c.domein for c in regio.contracten}
    # Violations go on October lines, which are about 1 / (1 + late share + corrections) of all lines.
    fout_kans = fout_aandeel * (1 + (1 - september_aandeel) + september_aandeel * credit_aandeel * 1.5)
    september, oktober, verwacht = [], [], {}
    for paar, ((agb, cbs), clientlijst) in enumerate(paren.items()):
        domein = domein_van[agb]
        teller = iter(range(1, 10**9))

        def ref(maand: str, cbs: str = cbs, teller: Iterator[int] = teller) -> str:
            return f"R{maand}{cbs}{next(teller):07d}"

        sep: dict[str, list[Prestatie]] = {}
        okt: dict[str, list[Prestatie]] = {}
        for bsn, toegewezen in clientlijst:
            sep[bsn], okt[bsn] = [], []
            credits, debets = [], []
            ongemoeid = []  # September lines this message does not credit (TR316 forbids reusing those)
            for t, product in toegewezen:
                if rnd.random() < september_aandeel:
                    regel = _regel(ref("09"), t, product, SEPTEMBER, rnd)
                    sep[bsn].append(regel)
                    if rnd.random() < credit_aandeel:  # corrected in October: credit, maybe a new debit
                        credits.append(_als_credit(regel, ref("10")))
                        verwacht[(agb, credits[-1].referentienummer)] = None
                        if rnd.random() < 0.5:
                            debets.append(_regel(ref("10"), t, product, SEPTEMBER, rnd))
                            verwacht[(agb, debets[-1].referentienummer)] = None
                    else:
                        ongemoeid.append(regel)
                else:  # late: September declared in October
                    debets.append(_regel(ref("10"), t, product, SEPTEMBER, rnd))
                    verwacht[(agb, debets[-1].referentienummer)] = None
                regel = _regel(ref("10"), t, product, OKTOBER, rnd)
                if rnd.random() < fout_kans:
                    regel, fout = _met_fout(regel, rnd.choice(_passende_fouten(product, ongemoeid)), product,
                                            ongemoeid, rnd, ref)
                else:
                    fout = None
                debets.append(regel)
                verwacht[(agb, regel.referentienummer)] = fout
            okt[bsn] = credits + debets
        september.append(_declaratie(domein, agb, cbs, f"S{paar:05d}{cbs}", SEPTEMBER, DAGTEKENING_SEPTEMBER, sep))
        oktober.append(_declaratie(domein, agb, cbs, f"O{paar:05d}{cbs}", OKTOBER, DAGTEKENING_OKTOBER, okt))
    return Regiomaand(regio, toewijzingsberichten, [b for b in september if b.declaratie.clienten], oktober,
                      verwacht)


def _passende_fouten(product: ContractProduct, eerder: list[Prestatie]) -> list[str]:
    soorten = ["9338", "8017"] + (["8021"] if eerder else [])
    return soorten + (["9369"] if product.eenheid == "83" else ["0611", "9321"])


def _met_fout(regel: Prestatie, fout: str | None, product: ContractProduct, eerder: list[Prestatie],
              rnd: random.Random, ref) -> tuple[Prestatie, str | None]:
    """The line with the violation `fout` worked in, or unchanged when that kind does not fit this line."""
    euro = product.eenheid == "83"
    if fout == "0611" and not euro:
        tarief = regel.producttarief + 75
        return dataclasses.replace(regel, producttarief=tarief,
                                   ingediend_bedrag=regel.geleverd_volume * tarief), fout
    if fout == "9338":
        return dataclasses.replace(regel, toewijzingnummer=9_000_000 + rnd.randint(0, 999_999)), fout
    if fout == "9321" and not euro:
        volume = 6 * _weekvolume(product.code)  # October 2026 touches five ISO weeks
        return dataclasses.replace(regel, geleverd_volume=volume,
                                   ingediend_bedrag=volume * regel.producttarief), fout
    if fout == "9369" and euro:
        return dataclasses.replace(regel, geleverd_volume=BUDGET + 1, ingediend_bedrag=BUDGET + 1), fout
    if fout == "8021" and eerder:
        return dataclasses.replace(regel, referentienummer=eerder.pop().referentienummer), fout
    if fout == "8017":
        spook = f"X{regel.referentienummer[1:]}"
        return dataclasses.replace(regel, debet_credit="C", vorig_referentienummer=spook,
                                   referentienummer=ref("10")), fout
    return regel, None


def xml_301(b: Toewijzingsbericht) -> bytes:
    """The generator's allocation model as a 301 (on the standard's example client, as the demo builds them)."""
    producten = [{"ToewijzingNummer": t.toewijzingnummer,
                  "Product": {"Categorie": t.productcategorie, "Code": t.productcode},
                  "Toewijzingsdatum": t.toewijzingsdatum, "Toewijzingstijd": t.toewijzingstijd,
                  "Ingangsdatum": t.ingangsdatum, "Einddatum": t.einddatum,
                  "Omvang": ({"Volume": t.omvang.volume, "Eenheid": t.omvang.eenheid,
                              "Frequentie": t.omvang.frequentie} if t.omvang else None),
                  "Budget": t.budget} for t in b.toewijzingen]
    return toewijzingsbericht(b.domein, b.header.afzender, b.header.ontvanger, b.header.identificatie,
                              b.header.dagtekening, b.bsn, producten)
