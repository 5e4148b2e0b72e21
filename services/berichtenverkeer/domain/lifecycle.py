"""Message lifecycle (status model) and the steps of a message's timeline."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    ONTVANGEN = "ontvangen"  # accepted (structure OK), archived, handed to declaratie
    BEANTWOORD = "beantwoord"  # the 325 is available to the provider
    VERZONDEN = "verzonden"  # outgoing message (our 325) stored and ready to fetch


class Stap(StrEnum):
    ONTVANGEN = "ontvangen"
    BEOORDEELD = "beoordeeld"
    BEANTWOORD = "beantwoord"
    GEBOEKT = "geboekt"
