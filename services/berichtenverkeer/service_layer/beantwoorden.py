"""Use cases on what declaratie and facturatie publish: a judged declaration gets its one 325, a booking joins the
declaration's timeline."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from shared.istandaard import UitgaandBerichtOngeldig, controleer_uitgaand, parse_323, write_325
from shared.kalender import Klok, nederlandse_datum
from shared.models import Declaratieantwoord
from shared.platform.events import DeclaratieBeoordeeld, PrestatiesGeboekt
from shared.platform.telemetry import current_trace_id, zakelijke_attributen

from ..domain.antwoord import antwoord_identificatie, declaratieantwoord
from ..domain.lifecycle import Stap, Status
from ..domain.termijnen import Soort
from .archief import archiveer
from .uitgaand import leg_afkeuring_vast
from .unit_of_work import BerichtenverkeerUnitOfWork, NieuwBericht, UnitOfWorkFabriek


async def verwerk_beoordeling(uow: UnitOfWorkFabriek, klok: Klok, event: DeclaratieBeoordeeld,
                              bewaartermijn_jaren: int) -> bool:
    """Make and archive the one 325 for a judged declaration; False when the verdict (or another one for the same
    declaration) was handled before. A 325 that breaks the standard is a bug: nothing is stored, the defect is
    recorded, and the error is raised again so the consumer retries and then dead-letters the verdict (a replay
    after the fix makes the 325)."""
    bericht_id = uuid.UUID(event.bericht_id)
    zakelijke_attributen({"bericht_id": event.bericht_id})
    try:
        return await _beantwoord_declaratie(uow(), klok, event, bericht_id, bewaartermijn_jaren)
    except UitgaandBerichtOngeldig as exc:
        async with uow() as u:  # apart from the unit of work that rolled back
            await leg_afkeuring_vast(u, bericht_id, exc, klok.nu())
            await u.commit()
        raise


async def _beantwoord_declaratie(uow: BerichtenverkeerUnitOfWork, klok: Klok, event: DeclaratieBeoordeeld,
                                 bericht_id: uuid.UUID, bewaartermijn_jaren: int) -> bool:
    async with uow:
        if not await uow.inbox.claim(event.event_id) or await uow.berichten.has_answer(bericht_id):
            return False
        raw = await uow.archief.content(bericht_id)
        if raw is None:
            raise LookupError(f"verdict for unknown message {event.bericht_id}")
        nu = klok.nu()
        antwoord = declaratieantwoord(parse_323(raw), event,
                                      antwoord_identificatie(await uow.berichten.next_answer_number()),
                                      nederlandse_datum(nu))
        xml = write_325(antwoord)
        controleer_uitgaand(xml)  # a 325 that breaks the standard is a bug: it raises, is retried, dead-lettered
        antwoord_id = uuid.uuid4()
        await archiveer(uow, NieuwBericht(
            id=antwoord_id, richting="uit", domein=antwoord.domein, berichttype="325",
            afzender=antwoord.header.afzender, ontvanger=antwoord.header.ontvanger,
            identificatie=antwoord.header.identificatie, sha256=hashlib.sha256(xml).hexdigest(),
            status=Status.TER_AFLEVERING, ontvangen_at=nu), xml, bewaartermijn_jaren)
        await _leg_antwoord_vast(uow, event, bericht_id, antwoord_id, antwoord, nu)
        await uow.commit()
    return True


async def _leg_antwoord_vast(uow: BerichtenverkeerUnitOfWork, event: DeclaratieBeoordeeld, bericht_id: uuid.UUID,
                             antwoord_id: uuid.UUID, antwoord: Declaratieantwoord, nu: dt.datetime) -> None:
    """The declaration has its answer: the deadline met, the timeline, the status with the verdict's figures."""
    await uow.berichten.link_answer(bericht_id, antwoord_id)
    await uow.termijnen.fulfil(bericht_id, Soort.ANTWOORD_325, antwoord_id, nu)
    afgewezen = [{"referentienummer": o.referentienummer, "retourcodes": o.retourcodes, "redenen": o.redenen}
                 for o in event.oordelen if o.retourcodes]
    trace_id = current_trace_id()
    await uow.tijdlijn.add(bericht_id, Stap.BEOORDEELD, nu, trace_id,
                           {"goedgekeurd": len(event.oordelen) - len(afgewezen), "afgewezen": len(afgewezen)})
    await uow.tijdlijn.add(bericht_id, Stap.BEANTWOORD, nu, trace_id,
                           {"antwoord_id": str(antwoord_id), "identificatie": antwoord.header.identificatie})
    # A 325 that rejects the message as a whole (header: 0001, 9056, ...) is a technical rejection.
    afgekeurd = event.header_retourcodes != ["0200"]
    await uow.berichten.set_status(bericht_id, Status.TECHNISCH_AFGEKEURD if afgekeurd else Status.BEANTWOORD, nu, {
        "antwoord_id": str(antwoord_id),
        "header_retourcodes": event.header_retourcodes,
        "header_redenen": event.header_redenen,
        "declaratie_retourcodes": event.declaratie_retourcodes,
        "totaal_toegekend_cent": event.totaal_toegekend_bedrag,
        "totaal_toegekend_debet_credit": event.totaal_toegekend_debet_credit,
        "afgewezen_regels": afgewezen,
    })


async def verwerk_geboekt(uow: UnitOfWorkFabriek, klok: Klok, event: PrestatiesGeboekt) -> bool:
    """facturatie booked the declaration's approved lines: a step in its timeline (once per event)."""
    async with uow() as u:
        if not await u.inbox.claim(event.event_id):
            return False
        await u.tijdlijn.add(uuid.UUID(event.bericht_id), Stap.GEBOEKT, klok.nu(), current_trace_id(),
                             {"gemeente": event.gemeente, "journaalposten": event.journaalposten,
                              "geboekt_cent": event.geboekt_bedrag})
        await u.commit()
    return True
