"""Messages the back office made that failed its own check against the standard before they left: a bug. They are
never stored as sent or delivered; this records which and why (rule ids and paths, never a value) and reports it."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from shared.istandaard import UitgaandBerichtOngeldig

from .unit_of_work import BerichtenverkeerUnitOfWork, UnitOfWorkFabriek

log = logging.getLogger(__name__)


async def leg_afkeuring_vast(uow: BerichtenverkeerUnitOfWork, bericht_id: uuid.UUID, exc: UitgaandBerichtOngeldig,
                             at: dt.datetime) -> None:
    """Logged (rule ids and paths, never a value) and recorded for /health, in the caller's unit of work."""
    log.error("outgoing %s for message %s breaks the standard and was not sent: %s", exc.berichttype, bericht_id, exc)
    await uow.uitgaand_afgekeurd.record(bericht_id, exc.berichttype, sorted({p.rule for p in exc.problems}), str(exc),
                                        at)


async def uitgaand_afgekeurd(uow: UnitOfWorkFabriek) -> dict[str, Any]:
    """For /health: how many messages the back office refused to send, and the latest."""
    async with uow(readonly=True) as u:
        total, latest = await u.uitgaand_afgekeurd.summary()
    return {"uitgaand_afgekeurd": total,
            "laatste_uitgaand_afgekeurd": [{"bericht_id": str(f.bericht_id), "berichttype": f.berichttype,
                                            "regels": list(f.regels), "gezien_at": f.gezien_at.isoformat()}
                                           for f in latest]}
