"""Use case: a provider's pre-check of a declaration (no hub offers it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shared.istandaard import write_325
from shared.kalender import Klok
from shared.models import Declaratiebericht
from shared.platform.events import DeclaratieBeoordeeld, DeclaratieOntvangen
from shared.platform.partij import Party
from shared.platform.regio import Regio
from shared.platform.werkpool import buiten_de_lus, naar_omvang

from ..domain.antwoord import PROEF_IDENTIFICATIE, declaratieantwoord
from ..domain.fouten import NietBeschikbaar, NietVerwerkbaar
from ..domain.inzending import controleer_inzending
from .beoordelaar import Beoordelaar, BeoordelaarOnbereikbaar


async def proef(regio: Regio, klok: Klok, beoordelaar: Beoordelaar, party: Party, raw: bytes) -> dict[str, Any]:
    """The same checks as a submission, judged by declaratie against today's registers, answered with the 325 the
    declaration would get and a reason per rejected line. Nothing is archived, recorded or booked."""
    ontvangen_op = klok.vandaag()
    a = await buiten_de_lus(controleer_inzending, raw, party, regio, ontvangen_op)  # CPU-heavy: off the event loop
    if not isinstance(a.bericht, Declaratiebericht):
        raise NietVerwerkbaar({"error": f"only declarations (323) can be pre-checked, this is a {a.berichttype}",
                               "hint": "submit other messages to POST /v1/berichten"})
    event = DeclaratieOntvangen(event_id="proef", bericht_id="proef", ontvangen_op=ontvangen_op, bericht=a.bericht)
    try:
        verdict = await beoordelaar.proef(event)
    except BeoordelaarOnbereikbaar:
        raise NietBeschikbaar({"error": "the assessment service is not reachable; nothing was checked",
                               "hint": "try again in a minute"}) from None
    # Making the answer of a large declaration (its 325 too) is CPU work: off the event loop.
    return await naar_omvang(a.regels, _proefantwoord, a.bericht, verdict, ontvangen_op)


def _proefantwoord(bericht: Declaratiebericht, verdict: DeclaratieBeoordeeld, ontvangen_op: dt.date) -> dict[str, Any]:
    antwoord = declaratieantwoord(bericht, verdict, PROEF_IDENTIFICATIE, ontvangen_op)
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
