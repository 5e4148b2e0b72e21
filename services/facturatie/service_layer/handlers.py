"""Use case: book the approved lines of a verdict in the municipality's ledger, exactly once."""

from __future__ import annotations

import logging
import uuid

import asyncpg
from opentelemetry import trace

from shared.db import claim_event, enqueue
from shared.events import TOPIC_PRESTATIES_GEBOEKT, DeclaratieBeoordeeld, PrestatiesGeboekt
from shared.telemetry import current_traceparent

from ..adapters.grootboek_repo import boek
from ..domain.grootboek import journaalpost_voor

log = logging.getLogger(__name__)
CONSUMER = "facturatie"


async def handle_declaratie_beoordeeld(pool: asyncpg.Pool, event: DeclaratieBeoordeeld) -> bool:
    span = trace.get_current_span()
    span.set_attribute("backoffice.bericht_id", event.bericht_id)
    span.set_attribute("backoffice.declaratienummer", event.declaratienummer)
    span.set_attribute("backoffice.agb", event.aanbieder)
    span.set_attribute("backoffice.cbs", event.gemeente)
    posten = [journaalpost_voor(event.aanbieder, event.gemeente, event.domein, event.bericht_id, p)
              for p in event.goedgekeurd]
    async with pool.acquire() as conn, conn.transaction():
        if not await claim_event(conn, event.event_id, CONSUMER):
            return False
        result = await boek(conn, posten)
        if result.geweigerd:
            log.warning("bericht %s: %d postings refused (same key, different content)", event.bericht_id,
                        len(result.geweigerd))
        netto = sum(r.debet for p in result.geboekt for r in p.regels if r.rekening.startswith("kosten:")) - sum(
            r.credit for p in result.geboekt for r in p.regels if r.rekening.startswith("kosten:"))
        span.set_attribute("backoffice.geboekt_cent", netto)
        geboekt = PrestatiesGeboekt(
            event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"geboekt:{event.bericht_id}")), bericht_id=event.bericht_id,
            gemeente=event.gemeente, domein=event.domein, journaalposten=len(result.geboekt), geboekt_bedrag=netto)
        await enqueue(conn, TOPIC_PRESTATIES_GEBOEKT, event.bericht_id, geboekt,
                      current_traceparent())
    return True
