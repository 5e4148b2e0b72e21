"""Everything that can refuse a submitted message before anything is stored (pure): level 1, who may send it and as
whom, routing to a municipality the back office serves on the day of receipt. What passes is an `Aanvaard`: what
to store and what it sets in motion."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from shared.istandaard import (
    ParseError,
    Problem,
    declaratiebericht_from,
    detect,
    niveau2,
    read_bericht,
    toewijzingsbericht_van,
    validate_structure,
)
from shared.models import Declaratiebericht, Toewijzingsbericht
from shared.platform.partij import Party
from shared.platform.regio import Gemeente, Regio

from .fouten import NietBevoegd, NietLeesbaar, NietVerwerkbaar
from .routering import STROMEN, WIE_DIENT_IN, Stroom, indienende_partij, partijen, retourcodes, waarden


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


def _problems(exc: ParseError) -> NietLeesbaar:
    return NietLeesbaar({"error": "message is not a valid iJw/iWmo 3.2 message (control level 1); nothing was "
                                  "recorded", "problems": [p.as_dict() for p in exc.problems]})


def _niveau2_refused(berichttype: str, problems: list[Problem]) -> NietVerwerkbaar:
    # A municipality's 301/319 and a provider's 302/320 are refused at the door: their sender's system hears at
    # once, and nobody downstream ever answers a message that breaks the standard.
    return NietVerwerkbaar({"error": f"{berichttype} breaks in-message rules (control level 2); nothing was recorded",
                            "problems": [p.as_dict() for p in problems]})


def _served(regio: Regio, cbs: str, ontvangen_op: dt.date) -> Gemeente:
    gemeente = regio.gemeente(cbs)
    if gemeente is None:
        raise NietVerwerkbaar({"error": f"routing: municipality {cbs} is not served by regional back office "
                                        f"{regio.naam}",
                               "hint": "send the message to that municipality's own back office"})
    if ontvangen_op < gemeente.aangesloten_per:
        raise NietVerwerkbaar({"error": f"routing: {gemeente.naam} ({gemeente.cbs}) joins the regional back office on "
                                        f"{gemeente.aangesloten_per.isoformat()}",
                               "hint": "until then, send the message to the municipality itself"})
    return gemeente


def _known_provider(regio: Regio, agb: str) -> None:
    if regio.aanbieder(agb) is None:
        raise NietVerwerkbaar({"error": f"routing: provider {agb} is not known in region {regio.naam}",
                               "hint": "add the provider to the region file before sending it messages"})


def _as_party(stroom: Stroom, party: Party, code: str, veld: str) -> None:
    if code != party.code:
        soort = "AGB" if party.soort == "aanbieder" else "CBS"
        raise NietBevoegd({"error": f"{veld} {code} is not the {soort} code of this token",
                           "hint": f"a {party.soort} submits only as itself"
                                   + (" (a retour copies the heen header: Ontvanger is you)"
                                      if stroom.antwoord_op else "")})


def controleer_inzending(raw: bytes, party: Party, regio: Regio, ontvangen_op: dt.date) -> Aanvaard:
    """The message `party` submitted, accepted for storing, or the refusal (NietLeesbaar, NietBevoegd,
    NietVerwerkbaar)."""
    try:
        domein, berichttype, root = read_bericht(raw)
    except ParseError as exc:
        raise _problems(exc) from None
    stroom = STROMEN.get(berichttype)
    if stroom is None:
        raise NietVerwerkbaar({"error": f"message type {domein.upper()}{berichttype} is not submitted to this "
                                        "gateway", "hint": WIE_DIENT_IN})
    if party.soort != stroom.indiener:
        raise NietBevoegd({"error": f"a {party.soort} may not submit a {berichttype}", "hint": WIE_DIENT_IN})
    try:
        if berichttype == "323":  # level 2 of a 323 is declaratie's: its failure is a 325 with 0001
            return _declaratie(declaratiebericht_from(root, domein, raw), stroom, party, regio, ontvangen_op)
        values = validate_structure(root, domein, berichttype, len(raw))
    except ParseError as exc:
        raise _problems(exc) from None
    problems = niveau2(detect(root), values)
    if berichttype == "301":
        return _toewijzing(toewijzingsbericht_van(values, domein), problems, stroom, party, regio, ontvangen_op)
    return _overig(values, domein, problems, stroom, party, regio, ontvangen_op)


def _overig(values: dict, domein: str, problems: list[Problem], stroom: Stroom, party: Party, regio: Regio,
            ontvangen_op: dt.date) -> Aanvaard:
    """A 305/307/315/317 or 319 on its level-1 values, or a provider's retour (302/320)."""
    h = values["Header"]
    _as_party(stroom, party, indienende_partij(stroom, h["Afzender"], h["Ontvanger"]),
              "Ontvanger" if stroom.antwoord_op else "Afzender")
    if problems and not stroom.retour:
        raise _niveau2_refused(stroom.berichttype, problems)
    gemeente_code, aanbieder = partijen(stroom, h["Afzender"], h["Ontvanger"])
    gemeente = _served(regio, gemeente_code, ontvangen_op)
    if stroom.indiener == "gemeente":
        _known_provider(regio, aanbieder)
    afzender, ontvanger = ((aanbieder, gemeente.cbs) if stroom.indiener == "aanbieder" else (gemeente.cbs, aanbieder))
    referenties = tuple(dict.fromkeys(str(r) for r in waarden(values, "ReferentieAanbieder")))
    codes = tuple(retourcodes(values)) if stroom.antwoord_op else ()
    producten = [k for k in waarden(values, "Client") if isinstance(k, dict)]
    samenvatting: dict[str, Any] = {"referenties": list(referenties)} if referenties else {}
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
    regels = d.aantal_regels
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
