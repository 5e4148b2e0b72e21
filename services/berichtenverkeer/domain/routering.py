"""Who may submit which message, to whom it goes and what it sets in motion (pure). Reference: domain brief §3.

The gateway is the municipalities' side of the chain: providers send their heen messages (305/307/315/317/323)
and their retours on the municipality's messages (302 on a 301, 320 on a 319); the municipalities' own systems send
301 and 319. Everything else (306/308/316/318/325) the back office makes itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from .lifecycle import Status
from .termijnen import Soort

Indiener = Literal["aanbieder", "gemeente"]


@dataclass(frozen=True)
class Stroom:
    berichttype: str
    indiener: Indiener
    retour: str | None = None  # the retour the back office makes at once (IV028)
    antwoord_op: str | None = None  # for a retour a provider sends: the heen message it answers
    naar_postvak: bool = False  # delivered to the addressee's mailbox
    # What the addressee owes because of this message (besides the technical retour the back office makes).
    verplichting: Soort | None = None


STROMEN: dict[str, Stroom] = {s.berichttype: s for s in (
    Stroom("301", "gemeente", naar_postvak=True, verplichting=Soort.RETOUR),
    Stroom("319", "gemeente", naar_postvak=True, verplichting=Soort.RETOUR),
    Stroom("302", "aanbieder", antwoord_op="301", naar_postvak=True),
    Stroom("320", "aanbieder", antwoord_op="319", naar_postvak=True),
    Stroom("305", "aanbieder", retour="306", naar_postvak=True),
    Stroom("307", "aanbieder", retour="308", naar_postvak=True),
    Stroom("315", "aanbieder", retour="316", naar_postvak=True, verplichting=Soort.TOEWIJZING_OF_319),
    Stroom("317", "aanbieder", retour="318", naar_postvak=True, verplichting=Soort.TOEWIJZING_OF_319),
    Stroom("323", "aanbieder", verplichting=Soort.ANTWOORD_325),
)}

WIE_DIENT_IN = ("providers submit 302, 305, 307, 315, 317, 320 and 323; municipalities submit 301 and 319; "
                "306, 308, 316, 318 and 325 are made by the back office")


def status_na_ontvangst(stroom: Stroom, afgekeurd: bool) -> Status:
    """The status a message has once accepted. `afgekeurd`: a heen the retour rejects as a whole (level 2, or an
    Identificatie used before)."""
    if afgekeurd:
        return Status.TECHNISCH_AFGEKEURD
    if stroom.retour:  # answered at once; a request stays in treatment until its 301 or 319
        return Status.BEANTWOORD if stroom.verplichting is None else Status.IN_BEHANDELING
    return Status.TER_AFLEVERING if stroom.naar_postvak else Status.ONTVANGEN


def partijen(stroom: Stroom, afzender: str, ontvanger: str) -> tuple[str, str]:
    """(municipality, provider) of a message from its header. A retour copies its heen header unchanged (IV028),
    so in a 302/320 the municipality is still the Afzender."""
    if stroom.antwoord_op or stroom.indiener == "gemeente":
        return afzender, ontvanger
    return ontvanger, afzender


def indienende_partij(stroom: Stroom, afzender: str, ontvanger: str) -> str:
    """The code of the party that must have sent the message: for a provider's retour, the heen's Ontvanger."""
    return ontvanger if stroom.antwoord_op else afzender


def waarden(values: object, naam: str) -> Iterator[object]:
    """Every value of element `naam` anywhere in a message's level-1 values (nested dicts and lists)."""
    if isinstance(values, dict):
        for key, value in values.items():
            if key == naam:
                yield from (value if isinstance(value, list) else [value])
            else:
                yield from waarden(value, naam)
    elif isinstance(values, list):
        for item in values:
            yield from waarden(item, naam)


def retourcodes(values: dict) -> list[str]:
    """The RetourCodes a provider's retour carries anywhere except 0200 (accepted): empty = accepted in full."""
    codes: list[str] = []
    for lijst in waarden(values, "RetourCodes"):
        codes += [str(c) for c in waarden(lijst, "RetourCode") if c != "0200"]
    return sorted(set(codes))
