"""Use cases of declaratie: record the allocations of a 301; judge a 323 once against the registers and hand the
verdict to the outbox. Each runs in one transaction with the inbox claim, so redelivery changes nothing and a
crash leaves nothing half-done."""

from __future__ import annotations

import logging
import uuid

import asyncpg

from shared.bsn import sleutel
from shared.platform.db import claim_event, enqueue
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

from ..adapters import register_repo
from ..domain.beoordeling import Beoordeling, beoordeel

CONSUMER = "declaratie"
log = logging.getLogger(__name__)


def verdict_event(event: DeclaratieOntvangen, gemeente: str, b: Beoordeling) -> DeclaratieBeoordeeld:
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
        client_retourcodes=b.client_retourcodes,
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


async def handle_declaratie_ontvangen(pool: asyncpg.Pool, regio: Regio, geheim: bytes,
                                      event: DeclaratieOntvangen) -> bool:
    """Returns False when the event was processed before (redelivery): nothing changes then."""
    bericht = event.bericht
    gemeente = regio.huidige_code(bericht.header.ontvanger)
    zakelijke_attributen({"bericht_id": event.bericht_id, "declaratienummer": bericht.declaratie.declaratienummer,
                          "agb": bericht.header.afzender, "cbs": gemeente})
    async with pool.acquire() as conn, conn.transaction():
        if not await claim_event(conn, event.event_id, CONSUMER):
            return False
        ctx = await register_repo.laad_context(conn, bericht, gemeente, event.ontvangen_op)
        beoordeling = beoordeel(bericht, regio, ctx, geheim)
        await register_repo.leg_vast(conn, event.bericht_id, bericht, gemeente, ctx, beoordeling)
        verdict = verdict_event(event, gemeente, beoordeling)
        afgewezen = sum(1 for o in verdict.oordelen if not o.goedgekeurd)
        zakelijke_attributen({"regels": len(verdict.oordelen), "afgewezen": afgewezen,
                              "retourcodes.header": ",".join(verdict.header_retourcodes)})
        await conn.execute(
            "INSERT INTO beoordelingen (bericht_id, domein, aanbieder, gemeente, declaratienummer, goedgekeurd, "
            "afgewezen, toegekend_cent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            verdict.bericht_id, verdict.domein, verdict.aanbieder, verdict.gemeente, verdict.declaratienummer,
            len(verdict.oordelen) - afgewezen, afgewezen,
            verdict.totaal_toegekend_bedrag * (-1 if verdict.totaal_toegekend_debet_credit == "C" else 1),
        )
        await enqueue(conn, TOPIC_DECLARATIE_BEOORDEELD, verdict.bericht_id, verdict,
                      current_traceparent())
    return True


async def proef(pool: asyncpg.Pool, regio: Regio, geheim: bytes, event: DeclaratieOntvangen) -> DeclaratieBeoordeeld:
    """Judge a declaration against the registers as they are now, recording nothing: the provider's pre-check.
    A read-only transaction, so a mistake here can never write (PostgreSQL refuses it)."""
    gemeente = regio.huidige_code(event.bericht.header.ontvanger)
    async with pool.acquire() as conn, conn.transaction(readonly=True):
        ctx = await register_repo.laad_context(conn, event.bericht, gemeente, event.ontvangen_op)
    return verdict_event(event, gemeente, beoordeel(event.bericht, regio, ctx, geheim))


async def handle_toewijzing_ontvangen(pool: asyncpg.Pool, regio: Regio, geheim: bytes,
                                      event: ToewijzingOntvangen) -> bool:
    bericht = event.bericht
    gemeente = regio.huidige_code(bericht.header.afzender)
    zakelijke_attributen({"bericht_id": event.bericht_id, "agb": bericht.header.ontvanger, "cbs": gemeente})
    async with pool.acquire() as conn, conn.transaction():
        if not await claim_event(conn, event.event_id, CONSUMER):
            return False
        nieuw, geweigerd = await register_repo.leg_toewijzingen_vast(conn, event.bericht_id, bericht, gemeente,
                                                                     sleutel(bericht.bsn, geheim))
    zakelijke_attributen({"toewijzingen.nieuw": nieuw})
    if geweigerd:
        # TR332: numbers are unique per municipality and domain; the numbers are not personal data.
        log.warning("301 %s: allocation numbers %s already belong to another client or provider; not recorded",
                    event.bericht_id, geweigerd)
    return True
