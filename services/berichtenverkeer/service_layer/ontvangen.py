"""Use case: accept a message (or a ZIP batch of them) and set in motion what it asks for: archive it, make the
retour a provider's heen message gets at once, the deadline it sets, answer the request or the heen it answers,
and hand declarations and allocations on to declaratie."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from shared.istandaard import UitgaandBerichtOngeldig, controleer_uitgaand, write_bericht
from shared.kalender import Klok, nederlandse_datum
from shared.platform.events import TOPIC_ONTVANGEN, DeclaratieOntvangen, ToewijzingOntvangen, relatie_sleutel
from shared.platform.partij import Party
from shared.platform.regio import Regio
from shared.platform.telemetry import current_trace_id, current_traceparent, zakelijke_attributen
from shared.platform.werkpool import buiten_de_lus

from ..domain.antwoord import antwoord_identificatie
from ..domain.fouten import Dubbel, Geweigerd, NietVerwerkbaar
from ..domain.inzending import Aanvaard, controleer_inzending
from ..domain.lifecycle import Stap, Status
from ..domain.retour import RETOUR_VAN, retourbericht
from ..domain.routering import status_na_ontvangst
from ..domain.termijnen import Soort, uiterlijk
from .archief import archiveer
from .uitgaand import leg_afkeuring_vast
from .unit_of_work import Bericht, BerichtenverkeerUnitOfWork, Gelijktijdig, NieuwBericht, UnitOfWorkFabriek


@dataclass(frozen=True)
class _Inzending:
    aanvaard: Aanvaard
    raw: bytes
    sha256: str


async def ontvang_berichten(uow: UnitOfWorkFabriek, regio: Regio, klok: Klok, party: Party,
                            raws: list[bytes]) -> list[dict[str, Any]]:
    """Accept one message or a batch (ZIP) of them. Every message is checked before anything is stored; a batch
    is stored in one unit of work, so it is accepted whole or not at all. Returns one result per message; raises
    a `Geweigerd` (for a batch naming the message, counted from 1)."""
    ontvangen_op = klok.vandaag()
    # Reading and checking a message is the CPU-heavy part (~1.4 s for 25 MB): off the event loop.
    inzendingen = await buiten_de_lus(_controleer_alle, raws, party, regio, ontvangen_op)
    for i in inzendingen:
        a = i.aanvaard
        zakelijke_attributen({"berichttype": a.berichttype, "agb": a.aanbieder, "cbs": a.gemeente, "regels": a.regels}
                             | ({"declaratienummer": a.samenvatting["declaratienummer"]} if a.berichttype == "323"
                                else {}))
    try:
        results = await _neem_alle_aan(uow(), inzendingen, regio, klok, ontvangen_op)
    except Gelijktijdig:
        # An identical message arrived at the same moment and was stored by the other request; the second
        # attempt finds it by its hash and answers with its id.
        results = await _neem_alle_aan(uow(), inzendingen, regio, klok, ontvangen_op)
    if len(results) == 1:
        zakelijke_attributen({"bericht_id": results[0]["bericht_id"]})
    return results


def _controleer_alle(raws: list[bytes], party: Party, regio: Regio, ontvangen_op: dt.date) -> list[_Inzending]:
    checked = []
    for i, raw in enumerate(raws):
        try:
            checked.append(_Inzending(controleer_inzending(raw, party, regio, ontvangen_op), raw,
                                      hashlib.sha256(raw).hexdigest()))
        except Geweigerd as exc:
            if len(raws) > 1:
                exc.body = {**exc.body, "bericht": i + 1,
                            "batch": "nothing of this batch was recorded; fix this message and send the batch again"}
            raise
    return checked


async def _neem_alle_aan(uow: BerichtenverkeerUnitOfWork, inzendingen: list[_Inzending], regio: Regio, klok: Klok,
                         ontvangen_op: dt.date) -> list[dict[str, Any]]:
    async with uow:
        results = []
        for i, inzending in enumerate(inzendingen):
            try:
                results.append(await _neem_aan(uow, inzending, regio, klok.nu(), ontvangen_op))
            except Geweigerd as exc:
                if len(inzendingen) > 1:
                    exc.body = {**exc.body, "bericht": i + 1, "batch": "nothing of this batch was recorded"}
                raise
        await uow.commit()
    return results


async def _neem_aan(uow: BerichtenverkeerUnitOfWork, inzending: _Inzending, regio: Regio, nu: dt.datetime,
                    ontvangen_op: dt.date) -> dict[str, Any]:
    """Store an accepted message and set in motion what it asks for, in the caller's unit of work."""
    a = inzending.aanvaard
    existing = await uow.berichten.find_by_hash(a.afzender, "in", inzending.sha256)
    if existing is not None:
        return {"bericht_id": str(existing.id), "status": existing.status, "herhaald": True}
    eerder = await _eerder_gebruikt(uow, a)
    bericht_id = uuid.uuid4()
    status = status_na_ontvangst(a.stroom, afgekeurd=eerder is not None or bool(a.niveau2))
    await archiveer(uow, NieuwBericht(
        id=bericht_id, richting="in", domein=a.domein, berichttype=a.berichttype, afzender=a.afzender,
        ontvanger=a.ontvanger, identificatie=a.identificatie, sha256=inzending.sha256, status=status,
        ontvangen_at=nu, samenvatting=a.samenvatting), inzending.raw, regio.archief_bewaartermijn_jaren)
    await uow.tijdlijn.add(bericht_id, Stap.ONTVANGEN, nu, current_trace_id(), {"regels": a.regels})
    if a.stroom.retour:
        afgewezen = await _beantwoord_heen(uow, a, bericht_id, status, eerder is not None, regio, nu)
        if afgewezen is not None:
            return afgewezen
    await _zet_in_gang(uow, a, bericht_id, nu, ontvangen_op)
    return {"bericht_id": str(bericht_id), "status": status.value, "herhaald": False}


async def _eerder_gebruikt(uow: BerichtenverkeerUnitOfWork, a: Aanvaard) -> Bericht | None:
    """An earlier message of this sender and berichtsoort with this Identificatie (TR056). A 323's is declaratie's
    to judge (9056 in its 325); a retour repeats the Identificatie of the message it answers."""
    if a.berichttype == "323" or a.stroom.antwoord_op:
        return None
    eerder = await uow.berichten.find_identificatie(a.afzender, a.domein, a.berichttype, a.identificatie)
    if eerder is not None and a.stroom.indiener == "gemeente":
        # The municipality's own system reused an Identificatie: it hears so now, before a provider answers 9056.
        raise Dubbel({"error": f"Identificatie {a.identificatie} was used before for a {a.berichttype} of "
                               f"{a.afzender} (TR056, 9056)", "retourcode": "9056", "bericht_id": str(eerder.id),
                      "hint": "give every message a new Identificatie"})
    return eerder


async def _beantwoord_heen(uow: BerichtenverkeerUnitOfWork, a: Aanvaard, bericht_id: uuid.UUID, status: Status,
                           eerder: bool, regio: Regio, nu: dt.datetime) -> dict[str, Any] | None:
    """The retour on a provider's heen message (306/308/316/318), made at once. The result when the retour rejects
    the message as a whole (nothing more is set in motion), else None."""
    # Rejected as a whole: level 2 (0001, the header alone, IV032) or an Identificatie used before (9056, TR056).
    codes = ["0001"] if a.niveau2 else ["9056"] if eerder else []
    try:
        antwoord_id = await _maak_retour(uow, a, bericht_id, codes, regio, nu)
    except UitgaandBerichtOngeldig as exc:
        # Our own retour breaks the standard: the message is kept and owed its retour, which is not sent.
        await leg_afkeuring_vast(uow, bericht_id, exc, nu)
        await uow.termijnen.add(bericht_id, Soort.RETOUR, a.gemeente, uiterlijk(Soort.RETOUR, nu))
        await uow.berichten.set_status(bericht_id, Status.ONTVANGEN, nu, {"retour": "niet verstuurd (interne fout)"})
        return {"bericht_id": str(bericht_id), "status": Status.ONTVANGEN.value, "herhaald": False} if codes else None
    await uow.berichten.set_status(bericht_id, status, nu, {"antwoord_id": str(antwoord_id)}
                                   | ({"header_redenen": a.samenvatting["header_redenen"]} if a.niveau2 else {}))
    if codes:
        return {"bericht_id": str(bericht_id), "status": status.value, "herhaald": False, "retourcodes": codes}
    return None


async def _maak_retour(uow: BerichtenverkeerUnitOfWork, a: Aanvaard, bericht_id: uuid.UUID, codes: list[str],
                       regio: Regio, nu: dt.datetime) -> uuid.UUID:
    """Make and store the back office's retour on a provider's heen message as its answer."""
    assert isinstance(a.bericht, dict)  # the heen messages that get a retour are read as level-1 values
    identificatie = antwoord_identificatie(await uow.berichten.next_answer_number())
    retour_type = RETOUR_VAN[a.berichttype]
    xml = write_bericht(a.domein, retour_type, retourbericht(a.domein, a.berichttype, a.bericht, identificatie,
                                                             nederlandse_datum(nu), codes))
    controleer_uitgaand(xml)  # a retour that breaks the standard is a bug: never stored or delivered
    antwoord_id = uuid.uuid4()
    await archiveer(uow, NieuwBericht(
        id=antwoord_id, richting="uit", domein=a.domein, berichttype=retour_type, afzender=a.gemeente,
        ontvanger=a.aanbieder, identificatie=identificatie, sha256=hashlib.sha256(xml).hexdigest(),
        status=Status.TER_AFLEVERING, ontvangen_at=nu), xml, regio.archief_bewaartermijn_jaren)
    await uow.berichten.link_answer(bericht_id, antwoord_id)
    # Owed and met at once: kept so turnaround is reported for every obligation, not only the slow ones.
    await uow.termijnen.add(bericht_id, Soort.RETOUR, a.gemeente, uiterlijk(Soort.RETOUR, nu),
                            vervuld_door=antwoord_id, vervuld_at=nu)
    await uow.tijdlijn.add(bericht_id, Stap.BEANTWOORD, nu, current_trace_id(),
                           {"antwoord_id": str(antwoord_id), "identificatie": identificatie, "type": retour_type,
                            "retourcodes": codes or ["0200"]})
    return antwoord_id


async def _zet_in_gang(uow: BerichtenverkeerUnitOfWork, a: Aanvaard, bericht_id: uuid.UUID, nu: dt.datetime,
                       ontvangen_op: dt.date) -> None:
    """What an accepted message (not rejected as a whole) sets in motion."""
    stroom = a.stroom
    if stroom.verplichting is not None:
        partij = a.aanbieder if stroom.indiener == "gemeente" else a.gemeente
        await uow.termijnen.add(bericht_id, stroom.verplichting, partij, uiterlijk(stroom.verplichting, nu))
    if stroom.berichttype in ("315", "317"):
        await uow.verzoeken.add(bericht_id, a.domein, a.gemeente, a.aanbieder, a.referenties)
    if stroom.berichttype in ("301", "319"):
        await _beantwoord_verzoeken(uow, a, bericht_id, nu)
    if stroom.antwoord_op:
        await _beantwoord_toewijzing(uow, a, stroom.antwoord_op, bericht_id, nu)
    if stroom.berichttype in ("301", "323"):
        await uow.outbox.add(TOPIC_ONTVANGEN, relatie_sleutel(a.domein, a.gemeente, a.aanbieder),
                             _event(a, bericht_id, ontvangen_op), current_traceparent())


async def _beantwoord_verzoeken(uow: BerichtenverkeerUnitOfWork, a: Aanvaard, bericht_id: uuid.UUID,
                                nu: dt.datetime) -> None:
    """A 301 or 319 carrying a request's ReferentieAanbieder answers that request (315/317)."""
    if not a.referenties:
        return
    for verzoek_id in await uow.verzoeken.find_open(a.domein, a.gemeente, a.aanbieder, a.referenties):
        await uow.termijnen.fulfil(verzoek_id, Soort.TOEWIJZING_OF_319, bericht_id, nu)
        await uow.tijdlijn.add(verzoek_id, Stap.VERZOEK_BEANTWOORD, nu, current_trace_id(),
                               {"antwoord_id": str(bericht_id), "type": a.berichttype})
        await uow.berichten.set_status(verzoek_id, Status.BEANTWOORD, nu, {"beantwoord_met": str(bericht_id)})


async def _beantwoord_toewijzing(uow: BerichtenverkeerUnitOfWork, a: Aanvaard, heen_type: str, bericht_id: uuid.UUID,
                                 nu: dt.datetime) -> None:
    """A provider's 302/320 answers the municipality's 301/319 it names; only one retour per message."""
    heen = await uow.berichten.find_heen(heen_type, a.gemeente, a.aanbieder, a.identificatie)
    if heen is None:
        raise NietVerwerkbaar({"error": f"no {heen_type} with Identificatie {a.identificatie} from {a.gemeente} to "
                                        f"{a.aanbieder} to answer",
                               "hint": "a retour copies the header of the message it answers (IV028)"})
    if heen.antwoord_id is not None:
        raise Dubbel({"error": f"{heen_type} {a.identificatie} was already answered",
                      "antwoord_id": str(heen.antwoord_id)})
    await uow.berichten.link_answer(heen.id, bericht_id)
    await uow.termijnen.fulfil(heen.id, Soort.RETOUR, bericht_id, nu)
    await uow.tijdlijn.add(heen.id, Stap.BEANTWOORD, nu, current_trace_id(),
                           {"antwoord_id": str(bericht_id), "type": a.berichttype, "retourcodes": list(a.retourcodes)})
    await uow.berichten.set_status(heen.id, Status.AFGEKEURD if a.retourcodes else Status.BEANTWOORD, nu,
                                   {"antwoord_id": str(bericht_id), "retourcodes": list(a.retourcodes)})


def _event(a: Aanvaard, bericht_id: uuid.UUID, ontvangen_op: dt.date) -> DeclaratieOntvangen | ToewijzingOntvangen:
    event_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"ontvangen:{bericht_id}"))
    if a.berichttype == "323":
        return DeclaratieOntvangen(event_id=event_id, bericht_id=str(bericht_id), ontvangen_op=ontvangen_op,
                                   bericht=a.bericht)
    return ToewijzingOntvangen(event_id=event_id, bericht_id=str(bericht_id), bericht=a.bericht)
