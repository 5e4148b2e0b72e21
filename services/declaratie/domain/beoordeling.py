"""Judging a 323 (pure: no I/O): level 2 first, then the level-3/4 rules of shared.regels per class, producing
what the 325 needs (§6.2) and the lines to record and book.

Order per §6.2 and §7.5: a level-2 failure gives header 0001 and nothing else; a header rule (9056, 8848, S300)
stops the message; a declaration rule (9333, 8214) rejects the declaration with TotaalToegekendBedrag 0; then each
client (8187 rejects all its lines as 0233) and each line, credit lines before debit lines (OP366), so that a
replacement debit in the same message sees its credit. Messages stopped at header or declaration level are
"treated as not sent": none of their lines is recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from shared.bsn import sleutel
from shared.istandaard import Problem, niveau2_323
from shared.models import Declaratiebericht, Prestatie, PrestatieOordeel
from shared.platform.regio import ContractProduct, Regio

from .context import Beoordelingscontext, EerdereRegel, Stand
from .redenen import Reden
from .regels import CLIENT_RULES, CREDIT_RULES, DEBIT_RULES, DECLARATIE_RULES, HEADER_RULES, Regel, tr378_gemeentecode

CLIENT_AFGEWEZEN = "0233"  # "not assessed": every line of a rejected client


@dataclass(frozen=True)
class Beoordeling:
    header_retourcodes: list[str]
    declaratie_retourcodes: list[str]
    client_retourcodes: dict[str, list[str]]  # by BSN: only for the 325, never logged
    oordelen: list[PrestatieOordeel]
    totaal_toegekend_bedrag: int  # absolute cents
    totaal_toegekend_debet_credit: str
    goedgekeurd: list[Prestatie] = field(default_factory=list)
    header_redenen: list[str] = field(default_factory=list)
    declaratie_redenen: list[str] = field(default_factory=list)
    # Every line of a processed message with its verdict, to record for later messages (TR314, TR323, TR389 …);
    # empty when the message is treated as not sent.
    vast_te_leggen: list[EerdereRegel] = field(default_factory=list)

    @property
    def verwerkt(self) -> bool:
        """Whether the message counts as sent: its declaration number, period and lines are recorded."""
        return self.header_retourcodes == ["0200"] and not self.declaratie_retourcodes


def _afgewezen(header: list[str], declaratie: Sequence[str] = (), header_redenen: Sequence[str] = (),
               declaratie_redenen: Sequence[str] = ()) -> Beoordeling:
    return Beoordeling(header_retourcodes=header, declaratie_retourcodes=list(declaratie), client_retourcodes={},
                       oordelen=[], totaal_toegekend_bedrag=0, totaal_toegekend_debet_credit="D",
                       header_redenen=list(header_redenen), declaratie_redenen=list(declaratie_redenen))


def technisch_afgekeurd(problems: list[Problem]) -> Beoordeling:
    """Level 2 failed: header RetourCode 0001 only, nothing assessed, nothing booked (§6.2)."""
    return _afgewezen(["0001"], header_redenen=[p.tekst() for p in problems])


def _vastlegging(p: Prestatie, goedgekeurd: bool) -> EerdereRegel:
    return EerdereRegel(p.referentienummer, p.debet_credit, goedgekeurd, p.toewijzingnummer, p.productcategorie,
                        p.productcode, p.productperiode.begindatum, p.productperiode.einddatum, p.geleverd_volume,
                        p.eenheid, p.ingediend_bedrag, p.vorig_referentienummer)


def _berichtniveau(bericht: Declaratiebericht, regio: Regio, ctx: Beoordelingscontext) -> Beoordeling | None:
    """The verdict when the message as a whole is rejected (level 2, header or declaration), else None."""
    problems = niveau2_323(bericht)
    if problems:
        return technisch_afgekeurd(problems)
    header = [r for rule in HEADER_RULES if (r := rule(bericht, ctx))]
    if (r := tr378_gemeentecode(bericht, ctx, regio)) is not None:
        header.append(r)
    if header:
        return _afgewezen([r.retourcode for r in header], header_redenen=[r.tekst() for r in header])
    declaratie = [r for rule in DECLARATIE_RULES if (r := rule(bericht, ctx))]
    if declaratie:
        return _afgewezen(["0200"], [r.retourcode for r in declaratie],
                          declaratie_redenen=[r.tekst() for r in declaratie])
    return None


def _regels(bericht: Declaratiebericht, regio: Regio, ctx: Beoordelingscontext,
            geheim: bytes) -> list[tuple[str, Regel]]:
    """Every line in message order with its client's BSN, its allocation (only the provider's own) and its
    contract product, each looked up once."""
    afzender = bericht.header.afzender
    gemeente = regio.huidige_code(bericht.header.ontvanger)
    contracten: dict[tuple[str, dt.date], ContractProduct | None] = {}  # most lines share product and period

    def regel(bsn_sleutel: str, p: Prestatie) -> Regel:
        t = ctx.toewijzingen.get(p.toewijzingnummer)
        k = (p.productcode, p.productperiode.begindatum)
        if k not in contracten:
            gevonden = regio.contractproduct(afzender, bericht.domein, gemeente, *k)
            contracten[k] = gevonden[1] if gevonden else None
        return Regel(p, bericht, bsn_sleutel, t if t is not None and t.aanbieder == afzender else None, contracten[k])

    return [(c.bsn, regel(client_sleutel, p)) for c in bericht.declaratie.clienten
            for client_sleutel in (sleutel(c.bsn, geheim),) for p in c.prestaties]


def _client_redenen(regels: list[tuple[str, Regel]], stand: Stand) -> dict[str, list[Reden]]:
    """The client rules on every debit, per client (by BSN): each RetourCode once."""
    client_redenen: dict[str, list[Reden]] = {}
    for bsn, r in regels:
        if r.prestatie.debet_credit != "D":
            continue
        for rule in CLIENT_RULES:
            reden = rule(r, stand)
            if reden and reden.retourcode not in {x.retourcode for x in client_redenen.get(bsn, [])}:
                client_redenen.setdefault(bsn, []).append(reden)
    return client_redenen


@dataclass
class _Regeloordelen:
    redenen: list[list[Reden]]  # by line position: a number used twice in one message (TR314) keeps both verdicts
    goedgekeurd: list[Prestatie]
    vast_te_leggen: list[EerdereRegel]


def _beoordeel_regels(regels: list[tuple[str, Regel]], client_redenen: dict[str, list[Reden]],
                      stand: Stand) -> _Regeloordelen:
    """The line rules, credit lines first (OP366; stable: message order within each kind), each approved line
    added to the running state before the next is judged."""
    uitkomst = _Regeloordelen([[] for _ in regels], [], [])
    for i in sorted(range(len(regels)), key=lambda i: regels[i][1].prestatie.debet_credit != "C"):
        bsn, r = regels[i]
        p = r.prestatie
        if bsn not in client_redenen:  # else the client's code covers it; the line comes back as 0233
            rules = CREDIT_RULES if p.debet_credit == "C" else DEBIT_RULES
            uitkomst.redenen[i] = [x for rule in rules if (x := rule(r, stand)) is not None]
        ok = not uitkomst.redenen[i] and bsn not in client_redenen
        stand.gebruikte_referenties.add(p.referentienummer)
        vastlegging = _vastlegging(p, ok)
        uitkomst.vast_te_leggen.append(vastlegging)
        if ok:
            stand.goedgekeurd(vastlegging)
            uitkomst.goedgekeurd.append(p)
    return uitkomst


def _oordelen(regels: list[tuple[str, Regel]], redenen_per_regel: list[list[Reden]],
              client_redenen: dict[str, list[Reden]]) -> list[PrestatieOordeel]:
    """One verdict per line in message order: a rejected client's lines carry 0233 and the client's reasons."""
    oordelen = []
    for (bsn, r), redenen in zip(regels, redenen_per_regel):
        if bsn in client_redenen:
            codes, redenen = [CLIENT_AFGEWEZEN], client_redenen[bsn]
        else:
            codes = [x.retourcode for x in redenen]
        # model_construct: built from validated values, and a declaration has hundreds of lines.
        oordelen.append(PrestatieOordeel.model_construct(referentienummer=r.prestatie.referentienummer,
                                                         retourcodes=codes, redenen=[x.tekst() for x in redenen]))
    return oordelen


def beoordeel(bericht: Declaratiebericht, regio: Regio, ctx: Beoordelingscontext, geheim: bytes) -> Beoordeling:
    afgewezen = _berichtniveau(bericht, regio, ctx)
    if afgewezen is not None:
        return afgewezen
    regels = _regels(bericht, regio, ctx, geheim)
    stand = Stand.van(ctx)
    client_redenen = _client_redenen(regels, stand)
    uitkomst = _beoordeel_regels(regels, client_redenen, stand)
    netto = sum(p.signed_bedrag for p in uitkomst.goedgekeurd)
    return Beoordeling(
        header_retourcodes=["0200"], declaratie_retourcodes=[],
        client_retourcodes={bsn: [x.retourcode for x in rs] for bsn, rs in client_redenen.items()},
        oordelen=_oordelen(regels, uitkomst.redenen, client_redenen), totaal_toegekend_bedrag=abs(netto),
        totaal_toegekend_debet_credit="C" if netto < 0 else "D", goedgekeurd=uitkomst.goedgekeurd,
        vast_te_leggen=uitkomst.vast_te_leggen)
