"""Use cases of declaratie: record the allocations of a 301; judge a 323 once against the registers and hand the
verdict to the outbox; judge one without recording anything (the pre-check). Each runs in one unit of work with
the inbox claim, so redelivery changes nothing and a crash leaves nothing half-done."""

from __future__ import annotations

import logging
import uuid

from shared.bsn import sleutel
from shared.platform.events import (
    TOPIC_DECLARATIE_BEOORDEELD,
    BeoordeeldePrestatie,
    DeclaratieBeoordeeld,
    DeclaratieOntvangen,
    ToewijzingOntvangen,
    idempotentie_sleutel,
)
from shared.platform.regio import Regio
from shared.platform.telemetry import current_traceparent, zakelijke_attributen
from shared.platform.werkpool import naar_omvang

from ..domain.beoordeling import Beoordeling, beoordeel
from .unit_of_work import DeclaratieUnitOfWork, Samenvatting, UnitOfWorkFabriek

log = logging.getLogger(__name__)


def beoordeeld_event(event: DeclaratieOntvangen, gemeente: str, b: Beoordeling) -> DeclaratieBeoordeeld:
    bericht = event.bericht
    return DeclaratieBeoordeeld(
        # Deterministic id: a re-judged redelivery yields the same event id, so downstream dedupes it.
        event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"beoordeeld:{event.bericht_id}")),
        bericht_id=event.bericht_id,
        domein=bericht.domein,
        aanbieder=bericht.header.afzender,
        gemeente=gemeente,
        declaratienummer=bericht.declaratie.declaratienummer,
        header_retourcodes=b.header_retourcodes,
        header_redenen=b.header_redenen,
        declaratie_retourcodes=b.declaratie_retourcodes,
        declaratie_redenen=b.declaratie_redenen,
        client_retourcodes_per_positie={i: b.client_retourcodes[c.bsn]
                                        for i, c in enumerate(bericht.declaratie.clienten)
                                        if c.bsn in b.client_retourcodes},
        oordelen=b.oordelen,
        goedgekeurd=[  # model_construct: copied from the validated declaration, one per approved line
            BeoordeeldePrestatie.model_construct(
                idempotentie_sleutel=idempotentie_sleutel(bericht.header.afzender, bericht.domein, p.referentienummer),
                referentienummer=p.referentienummer, vorig_referentienummer=p.vorig_referentienummer,
                productcategorie=p.productcategorie, productcode=p.productcode,
                periode_begin=p.productperiode.begindatum, bedrag=p.ingediend_bedrag, debet_credit=p.debet_credit)
            for p in b.goedgekeurd
        ],
        totaal_toegekend_bedrag=b.totaal_toegekend_bedrag,
        totaal_toegekend_debet_credit=b.totaal_toegekend_debet_credit,
    )


def samenvatting(verdict: DeclaratieBeoordeeld) -> Samenvatting:
    afgewezen = sum(1 for o in verdict.oordelen if not o.goedgekeurd)
    teken = -1 if verdict.totaal_toegekend_debet_credit == "C" else 1
    return Samenvatting(verdict.bericht_id, verdict.domein, verdict.aanbieder, verdict.gemeente,
                        verdict.declaratienummer, goedgekeurd=len(verdict.oordelen) - afgewezen, afgewezen=afgewezen,
                        toegekend_cent=verdict.totaal_toegekend_bedrag * teken)


async def beoordeel_declaratie(uow: DeclaratieUnitOfWork, regio: Regio, geheim: bytes,
                               event: DeclaratieOntvangen) -> bool:
    """Judge a 323 once: record its facts and its verdict and put the verdict in the outbox. Returns False when
    the event was processed before (redelivery): nothing changes then. A GelijktijdigGebruikt from the registers
    rolls everything back, so the event can be judged again against the new state."""
    bericht = event.bericht
    gemeente = regio.huidige_code(bericht.header.ontvanger)
    zakelijke_attributen({"bericht_id": event.bericht_id, "declaratienummer": bericht.declaratie.declaratienummer,
                          "agb": bericht.header.afzender, "cbs": gemeente})
    async with uow:
        if not await uow.inbox.claim(event.event_id):
            return False
        ctx = await uow.registers.laad_context(bericht, gemeente, event.ontvangen_op)
        beoordeling = await naar_omvang(bericht.declaratie.aantal_regels, beoordeel, bericht, regio, ctx, geheim)
        await uow.registers.leg_vast(event.bericht_id, bericht, gemeente, ctx, beoordeling)
        verdict = beoordeeld_event(event, gemeente, beoordeling)
        cijfers = samenvatting(verdict)
        zakelijke_attributen({"regels": len(verdict.oordelen), "afgewezen": cijfers.afgewezen,
                              "retourcodes.header": ",".join(verdict.header_retourcodes)})
        await uow.registers.leg_samenvatting_vast(cijfers)
        await uow.outbox.add(TOPIC_DECLARATIE_BEOORDEELD, verdict.bericht_id, verdict, current_traceparent())
        await uow.commit()
    return True


async def proef(uow: UnitOfWorkFabriek, regio: Regio, geheim: bytes,
                event: DeclaratieOntvangen) -> DeclaratieBeoordeeld:
    """Judge a declaration against the registers as they are now, recording nothing: the provider's pre-check.
    A read-only unit of work, so a mistake here can never write (the store refuses it)."""
    gemeente = regio.huidige_code(event.bericht.header.ontvanger)
    async with uow(readonly=True) as alleen_lezen:
        ctx = await alleen_lezen.registers.laad_context(event.bericht, gemeente, event.ontvangen_op)
    bericht = event.bericht
    beoordeling = await naar_omvang(bericht.declaratie.aantal_regels, beoordeel, bericht, regio, ctx, geheim)
    return beoordeeld_event(event, gemeente, beoordeling)


async def registreer_toewijzingen(uow: DeclaratieUnitOfWork, regio: Regio, geheim: bytes,
                                  event: ToewijzingOntvangen) -> bool:
    """Record the allocations of a 301 once (the client under a keyed pseudonym). Returns False when the event
    was processed before. Numbers that belong to another client or provider are refused and logged (TR332)."""
    bericht = event.bericht
    gemeente = regio.huidige_code(bericht.header.afzender)
    zakelijke_attributen({"bericht_id": event.bericht_id, "agb": bericht.header.ontvanger, "cbs": gemeente})
    async with uow:
        if not await uow.inbox.claim(event.event_id):
            return False
        nieuw, geweigerd = await uow.registers.leg_toewijzingen_vast(event.bericht_id, bericht, gemeente,
                                                                     sleutel(bericht.bsn, geheim))
        await uow.commit()
    zakelijke_attributen({"toewijzingen.nieuw": nieuw})
    if geweigerd:
        # TR332: numbers are unique per municipality and domain; the numbers are not personal data.
        log.warning("301 %s: allocation numbers %s already belong to another client or provider; not recorded",
                    event.bericht_id, geweigerd)
    return True
