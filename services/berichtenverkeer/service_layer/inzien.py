"""Use cases of a party reading its messages: status, timeline, mailbox, listing, and fetching a message or its
answer, which delivers it when the party is its addressee. A party sees only the messages it sent or received;
someone else's is reported as absent, so ids do not leak across parties."""

from __future__ import annotations

import datetime as dt
import uuid

from shared.kalender import Klok
from shared.platform.partij import Party
from shared.platform.telemetry import current_trace_id

from ..domain.fouten import Gewist, NietGevonden
from ..domain.lifecycle import Stap
from .unit_of_work import Bericht, BerichtenverkeerUnitOfWork, TijdlijnStap, UnitOfWorkFabriek


async def _eigen(uow: BerichtenverkeerUnitOfWork, party: Party, bericht_id: str) -> Bericht:
    try:
        bid = uuid.UUID(bericht_id)
    except ValueError:
        raise NietGevonden({"error": f"no message with id {bericht_id}"}) from None
    bericht = await uow.berichten.get(bid)
    if bericht is None or party.code not in (bericht.afzender, bericht.ontvanger):
        raise NietGevonden({"error": f"no message with id {bericht_id}"})
    return bericht


async def _lever_af(uow: BerichtenverkeerUnitOfWork, bericht_id: uuid.UUID, nu: dt.datetime) -> None:
    if await uow.berichten.mark_delivered(bericht_id, nu):
        await uow.tijdlijn.add(bericht_id, Stap.AFGELEVERD, nu, current_trace_id())


async def eigen_bericht(uow: UnitOfWorkFabriek, party: Party, bericht_id: str) -> Bericht:
    async with uow(readonly=True) as u:
        return await _eigen(u, party, bericht_id)


async def tijdlijn(uow: UnitOfWorkFabriek, party: Party, bericht_id: str) -> tuple[Bericht, list[TijdlijnStap]]:
    async with uow(readonly=True) as u:
        bericht = await _eigen(u, party, bericht_id)
        return bericht, await u.tijdlijn.list_for(bericht.id)


async def postvak(uow: UnitOfWorkFabriek, party: Party, limit: int) -> list[Bericht]:
    """What is addressed to the party and not fetched yet, oldest first."""
    async with uow(readonly=True) as u:
        return await u.berichten.list_mailbox(party.code, limit)


async def eigen_berichten(uow: UnitOfWorkFabriek, party: Party, *, berichttype: str | None, status: str | None,
                          sinds: dt.datetime | None, limit: int, offset: int) -> list[Bericht]:
    """What the party sent or received, newest first."""
    async with uow(readonly=True) as u:
        return await u.berichten.list_own(party.code, berichttype=berichttype, status=status, sinds=sinds,
                                          limit=limit, offset=offset)


async def haal_op(uow: UnitOfWorkFabriek, klok: Klok, party: Party, bericht_id: str) -> tuple[Bericht, bytes]:
    """A message byte-exact as archived; fetched by its addressee, it is delivered (also when its content was
    erased after its retention, which raises Gewist)."""
    async with uow() as u:
        bericht = await _eigen(u, party, bericht_id)
        inhoud = await u.archief.content(bericht.id)
        if party.code == bericht.ontvanger:
            await _lever_af(u, bericht.id, klok.nu())
        await u.commit()
    if inhoud is None:
        raise Gewist({"error": "the content of this message was erased after its retention period",
                      "sha256": bericht.sha256})
    return bericht, inhoud


async def haal_antwoord_op(uow: UnitOfWorkFabriek, klok: Klok, party: Party,
                           bericht_id: str) -> tuple[uuid.UUID, bytes | None]:
    """The answer to a message (its 325, retour, or the provider's 302/320) as archived; fetched by the message's
    sender, the answer is delivered. NietGevonden until there is one."""
    async with uow() as u:
        bericht = await _eigen(u, party, bericht_id)
        if bericht.antwoord_id is None:
            raise NietGevonden({"error": "no answer yet", "status": bericht.status,
                                "hint": "poll again shortly; the 325 follows within seconds"})
        inhoud = await u.archief.content(bericht.antwoord_id)
        if party.code == bericht.afzender:  # the sender of the heen message fetches its answer: delivered
            await _lever_af(u, bericht.antwoord_id, klok.nu())
        await u.commit()
    return bericht.antwoord_id, inhoud
