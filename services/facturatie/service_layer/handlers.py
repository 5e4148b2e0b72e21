"""Use case: book the approved lines of verdicts in the municipalities' ledgers, exactly once.

Verdicts arrive in batches (one Kafka poll): one transaction claims them in the inbox, books all their lines
(balances netted per account, locks in a fixed order), records the dashboard's statistics and enqueues one
PrestatiesGeboekt per verdict. A batch that fails rolls back whole and is redelivered; claimed ids and idempotency
keys make that harmless."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping, Sequence

from shared.platform.events import TOPIC_PRESTATIES_GEBOEKT, DeclaratieBeoordeeld, PrestatiesGeboekt
from shared.platform.telemetry import current_traceparent, gedaan_in_trace, zakelijke_attributen
from shared.platform.unit_of_work import OutboxItem

from ..domain.beoordelingsstatistiek import Contractsoort, statistiek
from ..domain.grootboek import Journaalpost, PlafondSleutel, journaalpost_voor
from .grootboek import boek
from .unit_of_work import FacturatieUnitOfWork

log = logging.getLogger(__name__)


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


def _per_bericht(posten: list[Journaalpost]) -> dict[str, list[Journaalpost]]:
    uit: dict[str, list[Journaalpost]] = {}
    for p in posten:
        uit.setdefault(p.bericht_id, []).append(p)
    return uit


def _geboekt(e: DeclaratieBeoordeeld, per_bericht: dict[str, tuple[int, int]], traceparent: str | None) -> OutboxItem:
    aantal, netto = per_bericht.get(e.bericht_id, (0, 0))
    return (TOPIC_PRESTATIES_GEBOEKT, e.bericht_id, PrestatiesGeboekt(
        event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"geboekt:{e.bericht_id}")), bericht_id=e.bericht_id,
        gemeente=e.gemeente, domein=e.domein, journaalposten=aantal, geboekt_bedrag=netto), traceparent)


def _kenmerken(events: Sequence[DeclaratieBeoordeeld]) -> None:
    """What finance searches traces on (never a BSN)."""
    zakelijke_attributen({"verdicts": len(events)})
    if len(events) == 1:
        e = events[0]
        zakelijke_attributen({"bericht_id": e.bericht_id, "declaratienummer": e.declaratienummer,
                              "agb": e.aanbieder, "cbs": e.gemeente})


def _in_eigen_trace(nieuw: list[DeclaratieBeoordeeld], per_bericht: dict[str, tuple[int, int]],
                    herkomst: dict[str, str | None], begin_ns: int) -> None:
    """One transaction books many declarations: each gets a span in its own trace with what was booked for it."""
    for e in nieuw:
        aantal, netto = per_bericht.get(e.bericht_id, (0, 0))
        gedaan_in_trace("grootboek boeking", herkomst[e.event_id], begin_ns, {
            "bericht_id": e.bericht_id, "declaratienummer": e.declaratienummer, "agb": e.aanbieder,
            "cbs": e.gemeente, "domein": e.domein, "journaalposten": aantal, "geboekt_cent": netto,
            "regels.goedgekeurd": len(e.goedgekeurd)})


async def boek_verdicts(uow: FacturatieUnitOfWork, events: Sequence[DeclaratieBeoordeeld],
                        traceparents: Sequence[str | None] | None = None,
                        plafonds: Mapping[PlafondSleutel, int] | None = None,
                        contractsoort: Contractsoort | None = None) -> int:
    """Returns how many verdicts were new (the rest were processed before: nothing changes for them).
    `traceparents`: the trace each verdict arrived in; its PrestatiesGeboekt continues that trace.
    `plafonds`: the region's spending ceilings (approved lines beyond one are withheld, not payable).
    `contractsoort`: how the dashboard's statistics tell regional from local contracts (None: not split)."""
    begin_ns = time.time_ns()
    eigen = current_traceparent()
    herkomst = {e.event_id: tp or eigen for e, tp in zip(events, traceparents or [None] * len(events))}
    _kenmerken(events)
    async with uow:
        nieuw_ids = await uow.inbox.claim_many([e.event_id for e in events])
        nieuw = list({e.event_id: e for e in reversed(events) if e.event_id in nieuw_ids}.values())[::-1]
        if not nieuw:
            return 0
        posten = [journaalpost_voor(e.aanbieder, e.gemeente, e.domein, e.bericht_id, p)
                  for e in nieuw for p in e.goedgekeurd]
        result = await boek(uow.grootboek, posten, plafonds=plafonds)
        if result.geweigerd:
            log.warning("%d postings refused (same key, different content); see geweigerde_boekingen",
                        len(result.geweigerd))
        per_bericht = _kosten_per_bericht(result.geboekt)
        # The dashboard's counts commit with the booking, so they never disagree with the ledger.
        geboekt = _per_bericht(result.geboekt)
        await uow.statistiek.add([statistiek(e, geboekt.get(e.bericht_id, ()), contractsoort) for e in nieuw])
        zakelijke_attributen({"geboekt_cent": sum(netto for _, netto in per_bericht.values())})
        await uow.outbox.add_many([_geboekt(e, per_bericht, herkomst[e.event_id]) for e in nieuw])
        await uow.grootboek.update_balances(result.saldomutaties)  # last: busy balances held only until the commit
        await uow.commit()
    _in_eigen_trace(nieuw, per_bericht, herkomst, begin_ns)
    return len(nieuw)


async def boek_verdict(uow: FacturatieUnitOfWork, event: DeclaratieBeoordeeld,
                       plafonds: Mapping[PlafondSleutel, int] | None = None,
                       contractsoort: Contractsoort | None = None) -> bool:
    """One verdict; False when it was processed before (redelivery)."""
    return await boek_verdicts(uow, [event], plafonds=plafonds, contractsoort=contractsoort) == 1
