"""Retour messages (pure): a technical acknowledgement copies the heen header unchanged, Afzender and Ontvanger
included (IV028), adds its own identification, date and versions, and lists only rejected clients (OP065).
Start and stop messages (305/307) are recorded and acknowledged, never a condition for payment (OP364)."""

from __future__ import annotations

import datetime as dt

from shared.istandaard import BERICHTCODES

from .antwoord import BASISSCHEMA_XSD_VERSIE, BERICHT_XSD_VERSIE

RETOUR_VAN = {"301": "302", "305": "306", "307": "308", "315": "316", "317": "318", "319": "320"}


def retourbericht(domein: str, heen_type: str, heen: dict, identificatie: str, dagtekening: dt.date,
           header_retourcodes: list[str] | None = None) -> dict:
    """The values of the retour on a heen message: accepted in full (no codes, no clients), or rejected as a
    whole with codes on the header (e.g. 9056: Identificatie used before, TR056)."""
    retour_type = RETOUR_VAN[heen_type]
    header = dict(heen["Header"])
    header["BerichtCode"] = BERICHTCODES[domein][retour_type]
    header |= {"IdentificatieRetour": identificatie, "DagtekeningRetour": dagtekening,
               "XsdVersieRetour": {"BasisschemaXsdVersie": BASISSCHEMA_XSD_VERSIE,
                                   "BerichtXsdVersie": BERICHT_XSD_VERSIE}}
    if header_retourcodes:
        header["RetourCodes"] = {"RetourCode": header_retourcodes}
    return {"Header": header}
