"""Use cases of the gateway: accept a message, answer a judged declaration, record a posting."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import asyncpg
import httpx

from shared.auth import Party
from shared.codec import (ParseError, declaratiebericht_from, parse_323, read_bericht, toewijzingsbericht_from,
                          validate_structure, write_325, write_bericht)
from shared.db import claim_event, enqueue
from shared.events import (TOPIC_ONTVANGEN, DeclaratieBeoordeeld, DeclaratieOntvangen, PrestatiesGeboekt,
                           ToewijzingOntvangen, relatie_sleutel)
from shared.models import Declaratiebericht, Toewijzingsbericht
from shared.regio import Regio
from shared.validatie import level2_301
from shared.telemetry import current_trace_id, current_traceparent, zakelijke_attributen

from ..adapters import repository as repo
from ..domain.antwoord import PROEF_IDENTIFICATIE, antwoord_identificatie, declaratieantwoord
from ..domain.lifecycle import Stap, Status
from ..domain.retour import RETOUR_VAN, geaccepteerd_retour
from ..domain.termijnen import Soort, uiterlijk

CONSUMER = "berichtenverkeer"
log = logging.getLogger(__name__)
# Who may submit what; the other flows (302, 305/307, 315/317, 319, 320) arrive with the gateway issue.
SUBMITTED_BY = {"323": "aanbieder", "301": "gemeente", "305": "aanbieder", "307": "aanbieder"}
ACKNOWLEDGED = {"305", "307"}  # answered at once with their retour (306/308); nothing downstream depends on them


@dataclass
class Refused(Exception):
    """The message is refused before anything is stored or published."""

    status: int
    body: dict[str, Any]


@dataclass(frozen=True)
class Aanvaard:
    """A submission that passed every check: what to archive and which event to publish."""

    berichttype: str
    domein: str
    header: Any
    bericht: Declaratiebericht | Toewijzingsbericht | dict  # dict: level-1 values of a 305/307
    aanbieder: str
    gemeente: str
    samenvatting: dict[str, Any]
    regels: int


def today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).astimezone().date()


def _problems(exc: ParseError) -> dict[str, Any]:
    return {"error": "message is not a valid iJw/iWmo 3.2 message (control level 1); no 325 will be made",
            "problems": [p.as_dict() for p in exc.problems]}


def _served(regio: Regio, cbs: str, ontvangen_op: dt.date):
    gemeente = regio.gemeente(cbs)
    if gemeente is None:
        raise Refused(422, {"error": f"routing: municipality {cbs} is not served by regional back office {regio.naam}",
                            "hint": "send the message to that municipality's own back office"})
    if ontvangen_op < gemeente.aangesloten_per:
        raise Refused(422, {"error": f"routing: {gemeente.naam} ({gemeente.cbs}) joins the regional back office on "
                                     f"{gemeente.aangesloten_per.isoformat()}",
                            "hint": "until then, send the message to the municipality itself"})
    return gemeente


def check_submission(raw: bytes, party: Party, regio: Regio, ontvangen_op: dt.date) -> Aanvaard:
    """Everything that can refuse a submission without side effects."""
    try:
        domein, berichttype, root = read_bericht(raw)
    except ParseError as exc:
        raise Refused(400, _problems(exc)) from None
    if berichttype not in SUBMITTED_BY:
        raise Refused(422, {"error": f"message type {domein.upper()}{berichttype} is not accepted by this gateway yet",
                            "hint": "providers submit declarations (323) here, municipalities allocations (301)"})
    if party.soort != SUBMITTED_BY[berichttype]:
        raise Refused(403, {"error": f"a {party.soort} may not submit a {berichttype}",
                            "hint": "providers submit 323 declarations, municipalities 301 allocations"})
    if berichttype in ACKNOWLEDGED:
        return _start_of_stop(root, domein, berichttype, party, regio, ontvangen_op)
    try:
        bericht = (declaratiebericht_from(root, domein) if berichttype == "323"
                   else toewijzingsbericht_from(root, domein))
    except ParseError as exc:
        raise Refused(400, _problems(exc)) from None
    h = bericht.header
    if berichttype == "323":
        if h.afzender != party.code:
            raise Refused(403, {"error": f"Afzender {h.afzender} is not the AGB code of this token",
                                "hint": "a provider submits only as itself"})
        gemeente = _served(regio, h.ontvanger, ontvangen_op)
        d = bericht.declaratie
        regels = sum(len(c.prestaties) for c in d.clienten)
        return Aanvaard("323", domein, h, bericht, h.afzender, gemeente.cbs,
                        {"declaratienummer": d.declaratienummer, "regels": regels,
                         "totaal_ingediend_cent": d.totaal_ingediend_bedrag,
                         "totaal_ingediend_debet_credit": d.totaal_debet_credit}, regels)
    gemeente = _served(regio, h.afzender, ontvangen_op)
    if gemeente.cbs != party.code:
        raise Refused(403, {"error": f"Afzender {h.afzender} is not the CBS code of this token",
                            "hint": "a municipality submits only as itself"})
    problems = level2_301(bericht)
    if problems:
        # The 302 that reports these to the municipality arrives with the gateway issue; until then the API says it.
        raise Refused(422, {"error": "allocation message breaks in-message rules (control level 2); nothing recorded",
                            "problems": [p.as_dict() for p in problems]})
    if regio.aanbieder(h.ontvanger) is None:
        raise Refused(422, {"error": f"routing: provider {h.ontvanger} is not known in region {regio.naam}",
                            "hint": "add the provider to the region file before allocating to it"})
    return Aanvaard("301", domein, h, bericht, h.ontvanger, gemeente.cbs,
                    {"toewijzingen": [t.toewijzingnummer for t in bericht.toewijzingen]}, len(bericht.toewijzingen))


def _start_of_stop(root, domein: str, berichttype: str, party: Party, regio: Regio, ontvangen_op: dt.date) -> Aanvaard:
    try:
        values = validate_structure(root, domein, berichttype)
    except ParseError as exc:
        raise Refused(400, _problems(exc)) from None
    h = values["Header"]
    if h["Afzender"] != party.code:
        raise Refused(403, {"error": f"Afzender {h['Afzender']} is not the AGB code of this token",
                            "hint": "a provider submits only as itself"})
    gemeente = _served(regio, h["Ontvanger"], ontvangen_op)
    header = SimpleNamespace(afzender=h["Afzender"], ontvanger=h["Ontvanger"],
                             identificatie=h["BerichtIdentificatie"]["Identificatie"])
    producten = values["Client"]["StartProducten" if berichttype == "305" else "StopProducten"]
    regels = len(next(iter(producten.values())))
    return Aanvaard(berichttype, domein, header, values, h["Afzender"], gemeente.cbs, {"producten": regels}, regels)


async def _acknowledge(conn, a: Aanvaard, bericht_id: uuid.UUID) -> None:
    """Store the retour (306/308) accepting the message, as its answer, in the same transaction."""
    volgnummer = await repo.next_antwoord_volgnummer(conn)
    retour_type = RETOUR_VAN[a.berichttype]
    identificatie = antwoord_identificatie(volgnummer)
    xml = write_bericht(a.domein, retour_type, geaccepteerd_retour(a.domein, a.berichttype, a.bericht,
                                                                    identificatie, today()))
    antwoord_id = uuid.uuid4()
    # The retour keeps the heen header's Afzender/Ontvanger (IV028); it is addressed to the provider who sent it.
    await repo.insert_bericht(
        conn, bericht_id=antwoord_id, richting="uit", domein=a.domein, berichttype=retour_type,
        afzender=a.gemeente, ontvanger=a.aanbieder, identificatie=identificatie,
        sha256=hashlib.sha256(xml).hexdigest(), status=Status.VERZONDEN, raw=xml, samenvatting=None)
    await repo.link_antwoord(conn, bericht_id, antwoord_id)
    # Owed and met at once: kept so turnaround is reported for every obligation, not only the slow ones.
    await repo.add_verplichting(conn, bericht_id, Soort.RETOUR, a.gemeente,
                                uiterlijk(Soort.RETOUR, dt.datetime.now(dt.timezone.utc)), vervuld_door=antwoord_id)
    await repo.add_stap(conn, bericht_id, Stap.BEANTWOORD, current_trace_id(),
                        {"antwoord_id": str(antwoord_id), "identificatie": identificatie, "type": retour_type})
    await repo.set_status(conn, bericht_id, Status.BEANTWOORD, {"antwoord_id": str(antwoord_id), **a.samenvatting})


def _event(a: Aanvaard, bericht_id: uuid.UUID, ontvangen_op: dt.date):
    event_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"ontvangen:{bericht_id}"))
    if a.berichttype == "323":
        return DeclaratieOntvangen(event_id=event_id, bericht_id=str(bericht_id), ontvangen_op=ontvangen_op,
                                   bericht=a.bericht)
    return ToewijzingOntvangen(event_id=event_id, bericht_id=str(bericht_id), bericht=a.bericht)


async def proef(regio: Regio, party: Party, raw: bytes, declaratie_url: str) -> dict[str, Any]:
    """A provider's pre-check: the same checks as a submission, judged by declaratie against today's registers,
    answered with the 325 it would get and a reason per rejected line. Nothing is archived, recorded or booked."""
    ontvangen_op = today()
    a = check_submission(raw, party, regio, ontvangen_op)
    if a.berichttype != "323":
        raise Refused(422, {"error": f"only declarations (323) can be pre-checked, this is a {a.berichttype}",
                            "hint": "submit other messages to POST /v1/berichten"})
    event = DeclaratieOntvangen(event_id="proef", bericht_id="proef", ontvangen_op=ontvangen_op, bericht=a.bericht)
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            r = await client.post(f"{declaratie_url}/intern/v1/proef", content=event.model_dump_json(),
                                  headers={"Content-Type": "application/json"})
        r.raise_for_status()
    except httpx.HTTPError as exc:
        log.warning("pre-check: declaratie not reachable at %s: %s", declaratie_url, type(exc).__name__)
        raise Refused(503, {"error": "the assessment service is not reachable; nothing was checked",
                            "hint": "try again in a minute"}) from None
    verdict = DeclaratieBeoordeeld.model_validate_json(r.content)
    antwoord = declaratieantwoord(a.bericht, verdict, PROEF_IDENTIFICATIE, ontvangen_op)
    return {
        "proef": True, "vastgelegd": False,
        "header_retourcodes": verdict.header_retourcodes, "header_redenen": verdict.header_redenen,
        "declaratie_retourcodes": verdict.declaratie_retourcodes, "declaratie_redenen": verdict.declaratie_redenen,
        "totaal_toegekend_cent": antwoord.totaal_toegekend_bedrag,
        "totaal_toegekend_debet_credit": antwoord.totaal_toegekend_debet_credit,
        "regels": [{"referentienummer": o.referentienummer, "goedgekeurd": o.goedgekeurd,
                    "retourcodes": o.retourcodes, "redenen": o.redenen} for o in verdict.oordelen],
        "antwoord_325": write_325(antwoord).decode("utf-8"),
    }


async def ontvang_bericht(pool: asyncpg.Pool, regio: Regio, party: Party, raw: bytes) -> tuple[int, dict[str, Any]]:
    ontvangen_op = today()
    a = check_submission(raw, party, regio, ontvangen_op)
    sha = hashlib.sha256(raw).hexdigest()
    zakelijke_attributen({"berichttype": a.berichttype, "agb": a.aanbieder, "cbs": a.gemeente, "regels": a.regels})
    if a.berichttype == "323":
        zakelijke_attributen({"declaratienummer": a.samenvatting["declaratienummer"]})
    bericht_id = uuid.uuid4()
    async with pool.acquire() as conn:
        try:
            async with conn.transaction():
                existing = await repo.find_by_hash(conn, party.code, "in", sha)
                if existing is not None:
                    return 200, {"bericht_id": str(existing["id"]), "status": existing["status"], "herhaald": True}
                await repo.insert_bericht(
                    conn, bericht_id=bericht_id, richting="in", domein=a.domein, berichttype=a.berichttype,
                    afzender=a.header.afzender, ontvanger=a.header.ontvanger, identificatie=a.header.identificatie,
                    sha256=sha, status=Status.ONTVANGEN, raw=raw, samenvatting=a.samenvatting)
                await repo.add_stap(conn, bericht_id, Stap.ONTVANGEN, current_trace_id(), {"regels": a.regels})
                if a.berichttype in ACKNOWLEDGED:
                    await _acknowledge(conn, a, bericht_id)
                    return 202, {"bericht_id": str(bericht_id), "status": Status.BEANTWOORD.value, "herhaald": False}
                if a.berichttype == "323":  # the municipality owes the 325 within 10 working days (OP090x4)
                    await repo.add_verplichting(conn, bericht_id, Soort.ANTWOORD_325, a.gemeente,
                                                uiterlijk(Soort.ANTWOORD_325, dt.datetime.now(dt.timezone.utc)))
                await enqueue(conn, TOPIC_ONTVANGEN, relatie_sleutel(a.domein, a.gemeente, a.aanbieder),
                              _event(a, bericht_id, ontvangen_op), current_traceparent())
        except asyncpg.UniqueViolationError:
            # The identical message arrived twice at the same moment: the other request stored it.
            async with pool.acquire() as conn2:
                existing = await repo.find_by_hash(conn2, party.code, "in", sha)
            return 200, {"bericht_id": str(existing["id"]), "status": existing["status"], "herhaald": True}
    zakelijke_attributen({"bericht_id": str(bericht_id)})
    return 202, {"bericht_id": str(bericht_id), "status": Status.ONTVANGEN.value, "herhaald": False}


async def verwerk_beoordeling(pool: asyncpg.Pool, event: DeclaratieBeoordeeld) -> bool:
    """Make, archive and publish the one 325 for a judged declaration."""
    bericht_id = uuid.UUID(event.bericht_id)
    zakelijke_attributen({"bericht_id": event.bericht_id})
    async with pool.acquire() as conn, conn.transaction():
        if not await claim_event(conn, event.event_id, CONSUMER) or await repo.has_antwoord(conn, bericht_id):
            return False
        raw = await repo.raw_of(conn, bericht_id)
        if raw is None:
            raise LookupError(f"verdict for unknown message {event.bericht_id}")
        bericht = parse_323(raw)
        volgnummer = await repo.next_antwoord_volgnummer(conn)
        antwoord = declaratieantwoord(bericht, event, antwoord_identificatie(volgnummer), today())
        xml = write_325(antwoord)
        antwoord_id = uuid.uuid4()
        await repo.insert_bericht(
            conn, bericht_id=antwoord_id, richting="uit", domein=bericht.domein, berichttype="325",
            afzender=antwoord.header.afzender, ontvanger=antwoord.header.ontvanger,
            identificatie=antwoord.header.identificatie, sha256=hashlib.sha256(xml).hexdigest(),
            status=Status.VERZONDEN, raw=xml, samenvatting=None)
        await repo.link_antwoord(conn, bericht_id, antwoord_id)
        await repo.vervul(conn, bericht_id, Soort.ANTWOORD_325, antwoord_id)
        afgewezen = [{"referentienummer": o.referentienummer, "retourcodes": o.retourcodes, "redenen": o.redenen}
                     for o in event.oordelen if o.retourcodes]
        trace_id = current_trace_id()
        await repo.add_stap(conn, bericht_id, Stap.BEOORDEELD, trace_id,
                            {"goedgekeurd": len(event.oordelen) - len(afgewezen), "afgewezen": len(afgewezen)})
        await repo.add_stap(conn, bericht_id, Stap.BEANTWOORD, trace_id,
                            {"antwoord_id": str(antwoord_id), "identificatie": antwoord.header.identificatie})
        await repo.set_status(conn, bericht_id, Status.BEANTWOORD, {
            "antwoord_id": str(antwoord_id),
            "header_retourcodes": event.header_retourcodes,
            "header_redenen": event.header_redenen,
            "declaratie_retourcodes": event.declaratie_retourcodes,
            "totaal_toegekend_cent": event.totaal_toegekend_bedrag,
            "totaal_toegekend_debet_credit": event.totaal_toegekend_debet_credit,
            "afgewezen_regels": afgewezen,
        })
    return True


async def verwerk_geboekt(pool: asyncpg.Pool, event: PrestatiesGeboekt) -> bool:
    async with pool.acquire() as conn, conn.transaction():
        if not await claim_event(conn, event.event_id, CONSUMER):
            return False
        await repo.add_stap(conn, uuid.UUID(event.bericht_id), Stap.GEBOEKT, current_trace_id(),
                            {"gemeente": event.gemeente, "journaalposten": event.journaalposten,
                             "geboekt_cent": event.geboekt_bedrag})
    return True
