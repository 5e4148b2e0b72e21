"""Use case: judge a received declaration, once, and hand the verdict to the outbox in the same transaction."""

from __future__ import annotations

import uuid

import asyncpg
from opentelemetry import trace

from shared.db import claim_event, enqueue
from shared.events import TOPIC_DECLARATIE_BEOORDEELD, BeoordeeldePrestatie, DeclaratieBeoordeeld, DeclaratieOntvangen
from shared.regio import Regio
from shared.telemetry import current_traceparent

from ..domain.beoordeling import beoordeel

CONSUMER = "declaratie"


def verdict_event(event: DeclaratieOntvangen, regio: Regio) -> DeclaratieBeoordeeld:
    bericht = event.bericht
    b = beoordeel(bericht, regio)
    return DeclaratieBeoordeeld(
        # Deterministic id: a re-judged redelivery yields the same event id, so downstream dedupes it.
        event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"beoordeeld:{event.bericht_id}")),
        bericht_id=event.bericht_id,
        domein=bericht.domein,
        aanbieder=bericht.header.afzender,
        gemeente=bericht.header.ontvanger,
        declaratienummer=bericht.declaratie.declaratienummer,
        header_retourcodes=b.header_retourcodes,
        header_redenen=b.header_redenen,
        declaratie_retourcodes=b.declaratie_retourcodes,
        client_retourcodes=b.client_retourcodes,
        oordelen=b.oordelen,
        goedgekeurd=[
            BeoordeeldePrestatie(referentienummer=p.referentienummer, vorig_referentienummer=p.vorig_referentienummer,
                                 productcategorie=p.productcategorie, productcode=p.productcode,
                                 periode_begin=p.productperiode.begindatum, bedrag=p.ingediend_bedrag,
                                 debet_credit=p.debet_credit)
            for p in b.goedgekeurd
        ],
        totaal_toegekend_bedrag=b.totaal_toegekend_bedrag,
        totaal_toegekend_debet_credit=b.totaal_toegekend_debet_credit,
    )


async def handle_declaratie_ontvangen(pool: asyncpg.Pool, regio: Regio, event: DeclaratieOntvangen) -> bool:
    """Returns False when the event was processed before (redelivery): nothing changes then."""
    span = trace.get_current_span()
    span.set_attribute("backoffice.bericht_id", event.bericht_id)
    span.set_attribute("backoffice.declaratienummer", event.bericht.declaratie.declaratienummer)
    span.set_attribute("backoffice.agb", event.bericht.header.afzender)
    span.set_attribute("backoffice.cbs", event.bericht.header.ontvanger)
    async with pool.acquire() as conn, conn.transaction():
        if not await claim_event(conn, event.event_id, CONSUMER):
            return False
        verdict = verdict_event(event, regio)
        afgewezen = sum(1 for o in verdict.oordelen if not o.goedgekeurd)
        span.set_attribute("backoffice.regels", len(verdict.oordelen))
        span.set_attribute("backoffice.afgewezen", afgewezen)
        await conn.execute(
            "INSERT INTO beoordelingen (bericht_id, domein, aanbieder, gemeente, declaratienummer, goedgekeurd, "
            "afgewezen, toegekend_cent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            verdict.bericht_id, verdict.domein, verdict.aanbieder, verdict.gemeente, verdict.declaratienummer,
            len(verdict.oordelen) - afgewezen, afgewezen,
            verdict.totaal_toegekend_bedrag * (-1 if verdict.totaal_toegekend_debet_credit == "C" else 1),
        )
        await enqueue(conn, TOPIC_DECLARATIE_BEOORDEELD, verdict.bericht_id, verdict.model_dump(mode="json"),
                      current_traceparent())
    return True
