"""Use case: book the approved lines of verdicts in the municipalities' ledgers, exactly once.

Verdicts arrive in batches (one Kafka poll): one transaction claims them in the inbox, books all their lines
(balances netted per account, locks in a fixed order) and enqueues one PrestatiesGeboekt per verdict. A batch
that fails rolls back whole and is redelivered; claimed ids and idempotency keys make that harmless."""

from __future__ import annotations

import logging
import time
import uuid

import asyncpg

from shared.platform.db import claim_events, enqueue_many
from shared.platform.events import TOPIC_PRESTATIES_GEBOEKT, DeclaratieBeoordeeld, PrestatiesGeboekt
from shared.platform.telemetry import current_traceparent, gedaan_in_trace, zakelijke_attributen

from ..adapters import statistiek_repo
from ..adapters.grootboek_repo import boek, werk_saldi_bij
from ..domain.beoordelingsstatistiek import Contractsoort, statistiek
from ..domain.grootboek import Journaalpost, PlafondSleutel, journaalpost_voor

log = logging.getLogger(__name__)
CONSUMER = "facturatie"


def _kosten_per_bericht(posten: list[Journaalpost]) -> dict[str, tuple[int, int]]:
    """Per message: (entries booked, net expense in cents), in one pass."""
    uit: dict[str, tuple[int, int]] = {}
    for p in posten:
        aantal, netto = uit.get(p.bericht_id, (0, 0))
        for r in p.regels:
            if r.rekening.startswith("kosten:"):
                netto += r.debet - r.credit
        uit[p.bericht_id] = (aantal + 1, netto)
    return uit


async def boek_verdicts(pool: asyncpg.Pool, events: list[DeclaratieBeoordeeld],
                        traceparents: list[str | None] | None = None,
                        plafonds: dict[PlafondSleutel, int] | None = None,
                        contractsoort: Contractsoort | None = None) -> int:
    """Returns how many verdicts were new (the rest were processed before: nothing changes for them).
    `traceparents`: the trace each verdict arrived in; its PrestatiesGeboekt continues that trace.
    `plafonds`: the region's spending ceilings (approved lines beyond one are withheld, not payable).
    `contractsoort`: how the dashboard's statistics tell regional from local contracts (None: not split)."""
    begin_ns = time.time_ns()
    eigen = current_traceparent()
    herkomst = {e.event_id: tp or eigen for e, tp in zip(events, traceparents or [None] * len(events))}
    zakelijke_attributen({"verdicts": len(events)})
    if len(events) == 1:
        e = events[0]
        zakelijke_attributen({"bericht_id": e.bericht_id, "declaratienummer": e.declaratienummer,
                              "agb": e.aanbieder, "cbs": e.gemeente})
    async with pool.acquire() as conn, conn.transaction():
        nieuw_ids = await claim_events(conn, [e.event_id for e in events], CONSUMER)
        nieuw = list({e.event_id: e for e in reversed(events) if e.event_id in nieuw_ids}.values())[::-1]
        if not nieuw:
            return 0
        posten = [journaalpost_voor(e.aanbieder, e.gemeente, e.domein, e.bericht_id, p)
                  for e in nieuw for p in e.goedgekeurd]
        result = await boek(conn, posten, saldi=False, plafonds=plafonds)
        if result.geweigerd:
            log.warning("%d postings refused (same key, different content); see geweigerde_boekingen",
                        len(result.geweigerd))
        per_bericht = _kosten_per_bericht(result.geboekt)
        # The dashboard's counts commit with the booking, so they never disagree with the ledger.
        geboekt_per_bericht: dict[str, list[Journaalpost]] = {}
        for p in result.geboekt:
            geboekt_per_bericht.setdefault(p.bericht_id, []).append(p)
        await statistiek_repo.leg_vast(conn, [statistiek(e, geboekt_per_bericht.get(e.bericht_id, ()), contractsoort)
                                              for e in nieuw])
        zakelijke_attributen({"geboekt_cent": sum(netto for _, netto in per_bericht.values())})
        await enqueue_many(conn, [
            (TOPIC_PRESTATIES_GEBOEKT, e.bericht_id, PrestatiesGeboekt(
                event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"geboekt:{e.bericht_id}")), bericht_id=e.bericht_id,
                gemeente=e.gemeente, domein=e.domein, journaalposten=per_bericht.get(e.bericht_id, (0, 0))[0],
                geboekt_bedrag=per_bericht.get(e.bericht_id, (0, 0))[1]), herkomst[e.event_id])
            for e in nieuw])
        await werk_saldi_bij(conn, result)  # last: the busy balance rows are held only until the commit
    for e in nieuw:
        aantal, netto = per_bericht.get(e.bericht_id, (0, 0))
        gedaan_in_trace("grootboek boeking", herkomst[e.event_id], begin_ns, {
            "bericht_id": e.bericht_id, "declaratienummer": e.declaratienummer, "agb": e.aanbieder,
            "cbs": e.gemeente, "domein": e.domein, "journaalposten": aantal, "geboekt_cent": netto,
            "regels.goedgekeurd": len(e.goedgekeurd)})
    return len(nieuw)


async def handle_declaratie_beoordeeld(pool: asyncpg.Pool, event: DeclaratieBeoordeeld,
                                      plafonds: dict[PlafondSleutel, int] | None = None,
                                      contractsoort: Contractsoort | None = None) -> bool:
    """One verdict; False when it was processed before (redelivery)."""
    return await boek_verdicts(pool, [event], plafonds=plafonds, contractsoort=contractsoort) == 1
