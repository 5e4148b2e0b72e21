"""Message lifecycle (status model) and the steps of a message's timeline.

Messages refused at the door (4xx: not a 3.2 message, wrong party, not routable) are not stored at all, so they
have no status. A stored message moves:

    heen from a provider (305/307/315/317/323):  ontvangen → (in_behandeling) → beantwoord | technisch_afgekeurd
    heen from a municipality (301/319):           ter_aflevering → afgeleverd → beantwoord | afgekeurd
    made or passed on by the back office (302/306/308/316/318/320/325, and 315/317 to the municipality):
                                                  ter_aflevering → afgeleverd
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    ONTVANGEN = "ontvangen"  # accepted (structure OK), archived, handed on (323: to declaratie)
    IN_BEHANDELING = "in_behandeling"  # a request (315/317) the municipality must answer with a 301 or 319
    BEANTWOORD = "beantwoord"  # the answer (325, 306/308/316/318, or the provider's 302/320) is there
    TECHNISCH_AFGEKEURD = "technisch_afgekeurd"  # answered, but rejected as a whole (e.g. 9056, 0001)
    AFGEKEURD = "afgekeurd"  # the provider's retour (302/320) rejects (part of) the municipality's message
    TER_AFLEVERING = "ter_aflevering"  # in the addressee's mailbox, not fetched yet
    AFGELEVERD = "afgeleverd"  # the addressee fetched it


class Stap(StrEnum):
    ONTVANGEN = "ontvangen"
    BEOORDEELD = "beoordeeld"
    BEANTWOORD = "beantwoord"
    GEBOEKT = "geboekt"
    AFGELEVERD = "afgeleverd"
    VERZOEK_BEANTWOORD = "verzoek_beantwoord"  # a 301 or 319 answered this request (315/317)
