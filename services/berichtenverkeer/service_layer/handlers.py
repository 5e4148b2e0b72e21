"""Use cases of the gateway: accept a message (or a batch) and set its flow in motion, answer a judged declaration,
record a posting."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx

from shared.istandaard import (
    ParseError,
    Problem,
    UitgaandBerichtOngeldig,
    controleer_uitgaand,
    declaratiebericht_from,
    detect,
    niveau2,
    parse_323,
    read_bericht,
    toewijzingsbericht_van,
    validate_structure,
    write_325,
    write_bericht,
)
from shared.models import Declaratiebericht, Toewijzingsbericht
from shared.platform.partij import Party
from shared.platform.db import claim_event, enqueue
from shared.platform.events import (
    TOPIC_ONTVANGEN,
    DeclaratieBeoordeeld,
    DeclaratieOntvangen,
    PrestatiesGeboekt,
    ToewijzingOntvangen,
    relatie_sleutel,
)
from shared.platform.regio import Regio
from shared.platform.telemetry import current_trace_id, current_traceparent, zakelijke_attributen

from ..adapters import repository as repo
from ..domain.antwoord import PROEF_IDENTIFICATIE, antwoord_identificatie, declaratieantwoord
from ..domain.lifecycle import Stap, Status
from ..domain.retour import RETOUR_VAN, retourbericht
from ..domain.routering import STROMEN, WIE_DIENT_IN, Stroom, indienende_partij, partijen, retourcodes, waarden
from ..domain.termijnen import Soort, uiterlijk
from .termijnen import vandaag

CONSUMER = "berichtenverkeer"
log = logging.getLogger(__name__)


@dataclass
class Refused(Exception):
    """The message is refused before anything is stored or published."""

    status: int
    body: dict[str, Any]


@dataclass(frozen=True)
class Aanvaard:
    """A submission that passed every check without side effects: what to store and what it sets in motion."""

    stroom: Stroom
    domein: str
    identificatie: str
    bericht: Declaratiebericht | Toewijzingsbericht | dict  # dict: level-1 values of the other types
    afzender: str  # the party that sent it (for a provider's retour: the provider, not the header's Afzender)
    ontvanger: str
    aanbieder: str
    gemeente: str
    samenvatting: dict[str, Any]
    regels: int
    referenties: tuple[str, ...] = ()  # ReferentieAanbieder of a request (315/317) or answered by a 301/319
    retourcodes: tuple[str, ...] = ()  # of a provider's retour (302/320): empty = accepted in full
    # Level-2 problems of a provider's 305/307/315/317: stored, answered with a retour carrying 0001 (IV032).
    niveau2: tuple[Problem, ...] = ()

    @property
    def berichttype(self) -> str:
        return self.stroom.berichttype


def today() -> dt.date:
    """Receipt, Dagtekening and deadlines are Dutch dates, whatever the machine's time zone."""
    return vandaag()


def _problems(exc: ParseError) -> dict[str, Any]:
    return {"error": "message is not a valid iJw/iWmo 3.2 message (control level 1); nothing was recorded",
            "problems": [p.as_dict() for p in exc.problems]}


def _niveau2_refused(berichttype: str, problems: list[Problem]) -> Refused:
    # A municipality's 301/319 and a provider's 302/320 are refused at the door: their sender's system hears at
    # once, and nobody downstream ever answers a message that breaks the standard.
    return Refused(422, {"error": f"{berichttype} breaks in-message rules (control level 2); nothing was recorded",
                         "problems": [p.as_dict() for p in problems]})


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


def _known_provider(regio: Regio, agb: str) -> None:
    if regio.aanbieder(agb) is None:
        raise Refused(422, {"error": f"routing: provider {agb} is not known in region {regio.naam}",
                            "hint": "add the provider to the region file before sending it messages"})


def _as_party(stroom: Stroom, party: Party, code: str, veld: str) -> None:
    if code != party.code:
        soort = "AGB" if party.soort == "aanbieder" else "CBS"
        raise Refused(403, {"error": f"{veld} {code} is not the {soort} code of this token",
                            "hint": f"a {party.soort} submits only as itself"
                                    + (" (a retour copies the heen header: Ontvanger is you)"
                                       if stroom.antwoord_op else "")})


def check_submission(raw: bytes, party: Party, regio: Regio, ontvangen_op: dt.date) -> Aanvaard:
    """Everything that can refuse a submission without side effects: level 1, who may send it, routing."""
    try:
        domein, berichttype, root = read_bericht(raw)
    except ParseError as exc:
        raise Refused(400, _problems(exc)) from None
    stroom = STROMEN.get(berichttype)
    if stroom is None:
        raise Refused(422, {"error": f"message type {domein.upper()}{berichttype} is not submitted to this gateway",
                            "hint": WIE_DIENT_IN})
    if party.soort != stroom.indiener:
        raise Refused(403, {"error": f"a {party.soort} may not submit a {berichttype}", "hint": WIE_DIENT_IN})
    try:
        if berichttype == "323":  # level 2 of a 323 is declaratie's: its failure is a 325 with 0001
            return _declaratie(declaratiebericht_from(root, domein, raw), stroom, party, regio, ontvangen_op)
        values = validate_structure(root, domein, berichttype, len(raw))
    except ParseError as exc:
        raise Refused(400, _problems(exc)) from None
    problems = niveau2(detect(root), values)
    if berichttype == "301":
        return _toewijzing(toewijzingsbericht_van(values, domein), problems, stroom, party, regio, ontvangen_op)
    h = values["Header"]
    _as_party(stroom, party, indienende_partij(stroom, h["Afzender"], h["Ontvanger"]),
              "Ontvanger" if stroom.antwoord_op else "Afzender")
    if problems and not stroom.retour:
        raise _niveau2_refused(berichttype, problems)
    gemeente_code, aanbieder = partijen(stroom, h["Afzender"], h["Ontvanger"])
    gemeente = _served(regio, gemeente_code, ontvangen_op)
    if stroom.indiener == "gemeente":
        _known_provider(regio, aanbieder)
    afzender, ontvanger = ((aanbieder, gemeente.cbs) if stroom.indiener == "aanbieder" else (gemeente.cbs, aanbieder))
    referenties = tuple(dict.fromkeys(str(r) for r in waarden(values, "ReferentieAanbieder")))
    codes = tuple(retourcodes(values)) if stroom.antwoord_op else ()
    producten = [k for k in waarden(values, "Client") if isinstance(k, dict)]
    samenvatting = {"referenties": list(referenties)} if referenties else {}
    if stroom.antwoord_op:
        samenvatting = {"antwoord_op": h["BerichtIdentificatie"]["Identificatie"], "retourcodes": list(codes)}
    if problems:
        samenvatting |= {"header_redenen": [p.tekst() for p in problems]}
    return Aanvaard(stroom, domein, h["BerichtIdentificatie"]["Identificatie"], values, afzender, ontvanger,
                    aanbieder, gemeente.cbs, samenvatting, max(len(producten), 1), referenties, codes, tuple(problems))


def _declaratie(bericht: Declaratiebericht, stroom: Stroom, party: Party, regio: Regio,
                ontvangen_op: dt.date) -> Aanvaard:
    h = bericht.header
    _as_party(stroom, party, h.afzender, "Afzender")
    gemeente = _served(regio, h.ontvanger, ontvangen_op)
    d = bericht.declaratie
    regels = sum(len(c.prestaties) for c in d.clienten)
    return Aanvaard(stroom, bericht.domein, h.identificatie, bericht, h.afzender, gemeente.cbs, h.afzender,
                    gemeente.cbs, {"declaratienummer": d.declaratienummer, "regels": regels,
                                   "totaal_ingediend_cent": d.totaal_ingediend_bedrag,
                                   "totaal_ingediend_debet_credit": d.totaal_debet_credit}, regels)


def _toewijzing(bericht: Toewijzingsbericht, problems: list[Problem], stroom: Stroom, party: Party, regio: Regio,
                ontvangen_op: dt.date) -> Aanvaard:
    h = bericht.header
    gemeente = _served(regio, h.afzender, ontvangen_op)
    _as_party(stroom, party, gemeente.cbs, "Afzender")
    if problems:
        raise _niveau2_refused("301", problems)
    _known_provider(regio, h.ontvanger)
    referenties = tuple(dict.fromkeys(t.referentie_aanbieder for t in bericht.toewijzingen if t.referentie_aanbieder))
    return Aanvaard(stroom, bericht.domein, h.identificatie, bericht, gemeente.cbs, h.ontvanger, h.ontvanger,
                    gemeente.cbs, {"toewijzingen": [t.toewijzingnummer for t in bericht.toewijzingen]},
                    len(bericht.toewijzingen), referenties)


async def _store(conn, a: Aanvaard, bericht_id: uuid.UUID, status: Status, raw: bytes, sha: str,
                 regio: Regio) -> None:
    await repo.insert_bericht(
        conn, bericht_id=bericht_id, richting="in", domein=a.domein, berichttype=a.berichttype, afzender=a.afzender,
        ontvanger=a.ontvanger, identificatie=a.identificatie, sha256=sha, status=status, raw=raw,
        samenvatting=a.samenvatting, bewaartermijn_jaren=regio.archief_bewaartermijn_jaren)


async def _retour(conn, a: Aanvaard, bericht_id: uuid.UUID, regio: Regio, header_retourcodes: list[str]) -> uuid.UUID:
    """Make and store the back office's retour on a provider's heen message (306/308/316/318) as its answer."""
    volgnummer = await repo.next_antwoord_volgnummer(conn)
    retour_type = RETOUR_VAN[a.berichttype]
    identificatie = antwoord_identificatie(volgnummer)
    xml = write_bericht(a.domein, retour_type, retourbericht(a.domein, a.berichttype, a.bericht, identificatie, today(),
                                                      header_retourcodes))
    controleer_uitgaand(xml)  # a retour that breaks the standard is a bug: never stored or delivered
    antwoord_id = uuid.uuid4()
    await repo.insert_bericht(
        conn, bericht_id=antwoord_id, richting="uit", domein=a.domein, berichttype=retour_type,
        afzender=a.gemeente, ontvanger=a.aanbieder, identificatie=identificatie,
        sha256=hashlib.sha256(xml).hexdigest(), status=Status.TER_AFLEVERING, raw=xml, samenvatting=None,
        bewaartermijn_jaren=regio.archief_bewaartermijn_jaren)
    await repo.link_antwoord(conn, bericht_id, antwoord_id)
    # Owed and met at once: kept so turnaround is reported for every obligation, not only the slow ones.
    await repo.add_verplichting(conn, bericht_id, Soort.RETOUR, a.gemeente,
                                uiterlijk(Soort.RETOUR, dt.datetime.now(dt.UTC)), vervuld_door=antwoord_id)
    await repo.add_stap(conn, bericht_id, Stap.BEANTWOORD, current_trace_id(),
                        {"antwoord_id": str(antwoord_id), "identificatie": identificatie, "type": retour_type,
                         "retourcodes": header_retourcodes or ["0200"]})
    return antwoord_id


async def _answer_requests(conn, a: Aanvaard, bericht_id: uuid.UUID) -> None:
    """A 301 or 319 carrying a request's ReferentieAanbieder answers that request (315/317)."""
    if not a.referenties:
        return
    for verzoek_id in await repo.open_verzoeken(conn, a.domein, a.gemeente, a.aanbieder, list(a.referenties)):
        await repo.vervul(conn, verzoek_id, Soort.TOEWIJZING_OF_319, bericht_id)
        await repo.add_stap(conn, verzoek_id, Stap.VERZOEK_BEANTWOORD, current_trace_id(),
                            {"antwoord_id": str(bericht_id), "type": a.berichttype})
        await repo.set_status(conn, verzoek_id, Status.BEANTWOORD, {"beantwoord_met": str(bericht_id)})


async def _retour_of_provider(conn, a: Aanvaard, bericht_id: uuid.UUID) -> None:
    """A provider's 302/320 answers the municipality's 301/319 it names; only one retour per message."""
    heen = await repo.find_heen(conn, a.stroom.antwoord_op, a.gemeente, a.aanbieder, a.identificatie)
    if heen is None:
        raise Refused(422, {"error": f"no {a.stroom.antwoord_op} with Identificatie {a.identificatie} from "
                                     f"{a.gemeente} to {a.aanbieder} to answer",
                            "hint": "a retour copies the header of the message it answers (IV028)"})
    if heen["antwoord_id"] is not None:
        raise Refused(409, {"error": f"{a.stroom.antwoord_op} {a.identificatie} was already answered",
                            "antwoord_id": str(heen["antwoord_id"])})
    await repo.link_antwoord(conn, heen["id"], bericht_id)
    await repo.vervul(conn, heen["id"], Soort.RETOUR, bericht_id)
    await repo.add_stap(conn, heen["id"], Stap.BEANTWOORD, current_trace_id(),
                        {"antwoord_id": str(bericht_id), "type": a.berichttype, "retourcodes": list(a.retourcodes)})
    await repo.set_status(conn, heen["id"], Status.AFGEKEURD if a.retourcodes else Status.BEANTWOORD,
                          {"antwoord_id": str(bericht_id), "retourcodes": list(a.retourcodes)})


async def _accept(conn, a: Aanvaard, raw: bytes, sha: str, regio: Regio, ontvangen_op: dt.date) -> dict[str, Any]:
    """Store an accepted message and set in motion what it asks for, all in the caller's transaction."""
    existing = await repo.find_by_hash(conn, a.afzender, "in", sha)
    if existing is not None:
        return {"bericht_id": str(existing["id"]), "status": existing["status"], "herhaald": True}
    bericht_id = uuid.uuid4()
    nu = dt.datetime.now(dt.UTC)
    eerder = None if a.berichttype == "323" or a.stroom.antwoord_op else await repo.find_identificatie(
        conn, a.afzender, a.domein, a.berichttype, a.identificatie)
    if eerder is not None and a.stroom.indiener == "gemeente":
        # The municipality's own system reused an Identificatie: it hears so now, before a provider answers 9056.
        raise Refused(409, {"error": f"Identificatie {a.identificatie} was used before for a {a.berichttype} "
                                     f"of {a.afzender} (TR056, 9056)", "retourcode": "9056",
                            "bericht_id": str(eerder["id"]), "hint": "give every message a new Identificatie"})
    stroom = a.stroom
    afgekeurd = eerder is not None or bool(a.niveau2)
    status = (Status.TECHNISCH_AFGEKEURD if afgekeurd else Status.BEANTWOORD if stroom.retour
              and stroom.verplichting is None else Status.IN_BEHANDELING if stroom.retour
              else Status.TER_AFLEVERING if stroom.naar_postvak else Status.ONTVANGEN)
    await _store(conn, a, bericht_id, status, raw, sha, regio)
    await repo.add_stap(conn, bericht_id, Stap.ONTVANGEN, current_trace_id(), {"regels": a.regels})
    if stroom.retour:
        # Rejected as a whole: level 2 (0001, the header alone, IV032) or an Identificatie used before (9056, TR056).
        codes = ["0001"] if a.niveau2 else ["9056"] if eerder is not None else []
        try:
            antwoord_id = await _retour(conn, a, bericht_id, regio, codes)
        except UitgaandBerichtOngeldig as exc:
            # Our own retour breaks the standard: the message is kept and owed its retour, which is not sent.
            await uitgaand_afgekeurd(conn, bericht_id, exc)
            await repo.add_verplichting(conn, bericht_id, Soort.RETOUR, a.gemeente, uiterlijk(Soort.RETOUR, nu))
            await repo.set_status(conn, bericht_id, Status.ONTVANGEN, {"retour": "niet verstuurd (interne fout)"})
            if afgekeurd:
                return {"bericht_id": str(bericht_id), "status": Status.ONTVANGEN.value, "herhaald": False}
        else:
            await repo.set_status(conn, bericht_id, status, {"antwoord_id": str(antwoord_id)}
                                  | ({"header_redenen": a.samenvatting["header_redenen"]} if a.niveau2 else {}))
            if afgekeurd:
                return {"bericht_id": str(bericht_id), "status": status.value, "herhaald": False,
                        "retourcodes": codes}
    if stroom.verplichting is not None:
        partij = a.aanbieder if stroom.indiener == "gemeente" else a.gemeente
        await repo.add_verplichting(conn, bericht_id, stroom.verplichting, partij, uiterlijk(stroom.verplichting, nu))
    if stroom.berichttype in ("315", "317"):
        await repo.add_verzoek_referenties(conn, bericht_id, a.domein, a.gemeente, a.aanbieder, list(a.referenties))
    if stroom.berichttype in ("301", "319"):
        await _answer_requests(conn, a, bericht_id)
    if stroom.antwoord_op:
        await _retour_of_provider(conn, a, bericht_id)
    if stroom.berichttype in ("301", "323"):
        await enqueue(conn, TOPIC_ONTVANGEN, relatie_sleutel(a.domein, a.gemeente, a.aanbieder),
                      _event(a, bericht_id, ontvangen_op), current_traceparent())
    return {"bericht_id": str(bericht_id), "status": status.value, "herhaald": False}


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


async def ontvang_berichten(pool: asyncpg.Pool, regio: Regio, party: Party,
                            raws: list[bytes]) -> list[dict[str, Any]]:
    """Accept one message or a batch (ZIP) of them. Every message is checked before anything is stored; a batch
    is stored in one transaction, so it is accepted whole or not at all. Returns one result per message."""
    ontvangen_op = today()
    checked = []
    for i, raw in enumerate(raws):
        try:
            checked.append((check_submission(raw, party, regio, ontvangen_op), raw, hashlib.sha256(raw).hexdigest()))
        except Refused as exc:
            if len(raws) > 1:
                exc.body = {**exc.body, "bericht": i + 1,
                            "batch": "nothing of this batch was recorded; fix this message and send the batch again"}
            raise
    for a, _raw, _sha in checked:
        zakelijke_attributen({"berichttype": a.berichttype, "agb": a.aanbieder, "cbs": a.gemeente,
                              "regels": a.regels})
        if a.berichttype == "323":
            zakelijke_attributen({"declaratienummer": a.samenvatting["declaratienummer"]})
    for poging in (1, 2):
        try:
            async with pool.acquire() as conn, conn.transaction():
                results = []
                for i, (a, raw, sha) in enumerate(checked):
                    try:
                        results.append(await _accept(conn, a, raw, sha, regio, ontvangen_op))
                    except Refused as exc:
                        if len(raws) > 1:
                            exc.body = {**exc.body, "bericht": i + 1, "batch": "nothing of this batch was recorded"}
                        raise
            break
        except asyncpg.UniqueViolationError:
            # An identical message arrived at the same moment and was stored by the other request; the second
            # attempt finds it by its hash and answers with its id.
            if poging == 2:
                raise
    if len(results) == 1:
        zakelijke_attributen({"bericht_id": results[0]["bericht_id"]})
    return results


async def uitgaand_afgekeurd(conn, bericht_id: uuid.UUID, exc: UitgaandBerichtOngeldig) -> None:
    """A message we made failed our own check: logged (rule ids and paths, never a value) and recorded for /health."""
    log.error("outgoing %s for message %s breaks the standard and was not sent: %s", exc.berichttype, bericht_id, exc)
    await repo.record_uitgaand_afgekeurd(conn, bericht_id, exc.berichttype, sorted({p.rule for p in exc.problems}),
                                         str(exc))


async def verwerk_beoordeling(pool: asyncpg.Pool, event: DeclaratieBeoordeeld, bewaartermijn_jaren: int) -> bool:
    """Make, archive and publish the one 325 for a judged declaration."""
    try:
        return await _verwerk_beoordeling(pool, event, bewaartermijn_jaren)
    except UitgaandBerichtOngeldig as exc:
        # Recorded apart from the rolled-back transaction; raised again, so the consumer retries and then
        # dead-letters the verdict (a replay after the fix makes the 325).
        async with pool.acquire() as conn, conn.transaction():
            await uitgaand_afgekeurd(conn, uuid.UUID(event.bericht_id), exc)
        raise


async def _verwerk_beoordeling(pool: asyncpg.Pool, event: DeclaratieBeoordeeld, bewaartermijn_jaren: int) -> bool:
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
        controleer_uitgaand(xml)  # a 325 that breaks the standard is a bug: it raises, is retried, dead-lettered
        antwoord_id = uuid.uuid4()
        await repo.insert_bericht(
            conn, bericht_id=antwoord_id, richting="uit", domein=bericht.domein, berichttype="325",
            afzender=antwoord.header.afzender, ontvanger=antwoord.header.ontvanger,
            identificatie=antwoord.header.identificatie, sha256=hashlib.sha256(xml).hexdigest(),
            status=Status.TER_AFLEVERING, raw=xml, samenvatting=None, bewaartermijn_jaren=bewaartermijn_jaren)
        await repo.link_antwoord(conn, bericht_id, antwoord_id)
        await repo.vervul(conn, bericht_id, Soort.ANTWOORD_325, antwoord_id)
        afgewezen = [{"referentienummer": o.referentienummer, "retourcodes": o.retourcodes, "redenen": o.redenen}
                     for o in event.oordelen if o.retourcodes]
        trace_id = current_trace_id()
        await repo.add_stap(conn, bericht_id, Stap.BEOORDEELD, trace_id,
                            {"goedgekeurd": len(event.oordelen) - len(afgewezen), "afgewezen": len(afgewezen)})
        await repo.add_stap(conn, bericht_id, Stap.BEANTWOORD, trace_id,
                            {"antwoord_id": str(antwoord_id), "identificatie": antwoord.header.identificatie})
        # A 325 that rejects the message as a whole (header: 0001, 9056, ...) is a technical rejection.
        afgekeurd = event.header_retourcodes != ["0200"]
        await repo.set_status(conn, bericht_id, Status.TECHNISCH_AFGEKEURD if afgekeurd else Status.BEANTWOORD, {
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
