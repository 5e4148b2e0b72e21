"""Composing the 325 for a judged 323 (pure): header per §6.1, codes per §6.2."""

from __future__ import annotations

import datetime as dt

from shared.istandaard import BERICHTCODES
from shared.models import Declaratieantwoord, Declaratiebericht, Header
from shared.platform.events import DeclaratieBeoordeeld

# Versions of the schemas this back office writes (copied into the 325 header per IV034).
BASISSCHEMA_XSD_VERSIE = "1.0.0"
BERICHT_XSD_VERSIE = "1.0.0"
# The Identificatie of a pre-check's would-be 325: never sent, so it takes no number from the real sequence.
PROEF_IDENTIFICATIE = "PROEF"


def antwoord_identificatie(volgnummer: int) -> str:
    """Unique per sender per message type (TR056), within the 12 characters LDT_IdentificatieBericht allows."""
    return f"RB{volgnummer:010d}"


def declaratieantwoord(bericht: Declaratiebericht, verdict: DeclaratieBeoordeeld, identificatie: str,
                       dagtekening: dt.date) -> Declaratieantwoord:
    h = bericht.header
    header = Header(berichtcode=BERICHTCODES[bericht.domein]["325"], berichtversie=3, berichtsubversie=2,
                    afzender=h.ontvanger, ontvanger=h.afzender, identificatie=identificatie,
                    dagtekening=dagtekening, basisschema_xsd_versie=BASISSCHEMA_XSD_VERSIE,
                    bericht_xsd_versie=BERICHT_XSD_VERSIE)
    header_rejected = verdict.header_retourcodes != ["0200"]
    return Declaratieantwoord(
        domein=bericht.domein, header=header, declaratie_header=h,
        header_retourcodes=verdict.header_retourcodes,
        declaratie=None if header_rejected else bericht.declaratie,
        declaratie_retourcodes=verdict.declaratie_retourcodes,
        client_retourcodes={bericht.declaratie.clienten[i].bsn: codes
                            for i, codes in verdict.client_retourcodes_per_positie.items()},
        regel_retourcodes=[o.retourcodes for o in verdict.oordelen],  # oordelen are in message order
        totaal_toegekend_bedrag=0 if verdict.declaratie_retourcodes else verdict.totaal_toegekend_bedrag,
        totaal_toegekend_debet_credit="D" if verdict.declaratie_retourcodes else verdict.totaal_toegekend_debet_credit,
    )
