"""Kafka topics and the event schemas the three services exchange.

Every event carries `event_id` (the consumer's inbox key, so redelivery never doubles an effect).

Keys: messages received from parties share one topic keyed by `relatie_sleutel` (domain, municipality, provider),
so an allocation (301) and a later declaration (323) of the same provider and municipality are judged in the
order the gateway accepted them — across two topics Kafka would not keep that order. Downstream events are keyed
by `bericht_id`, so all events of one declaration land in one partition and stay ordered.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.models import Declaratiebericht, PrestatieOordeel, Toewijzingsbericht

TOPIC_ONTVANGEN = "backoffice.berichten.ontvangen.v1"
TOPIC_DECLARATIE_BEOORDEELD = "backoffice.declaratie.beoordeeld.v1"
TOPIC_PRESTATIES_GEBOEKT = "backoffice.facturatie.geboekt.v1"
TOPIC_DEAD_LETTER = "backoffice.deadletter.v1"
ALL_TOPICS = (TOPIC_ONTVANGEN, TOPIC_DECLARATIE_BEOORDEELD, TOPIC_PRESTATIES_GEBOEKT, TOPIC_DEAD_LETTER)
PARTITIONS = 6  # lets `docker compose up --scale declaratie=3` spread the work
# The largest record a topic takes, producers send and the local/compose broker accepts. A 25 MB declaration (the
# gateway's limit, OP179) makes an ~9 MB event; Kafka's 1 MB default would strand it in the outbox.
MAX_EVENT_BYTES = 40 * 1024 * 1024


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: str
    bericht_id: str
    occurred_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))


def relatie_sleutel(domein: str, gemeente: str, aanbieder: str) -> str:
    return f"{domein}:{gemeente}:{aanbieder}"


class ToewijzingOntvangen(Event):
    """berichtenverkeer accepted a 301 from a municipality; declaratie records its allocations."""

    kind: Literal["ToewijzingOntvangen"] = "ToewijzingOntvangen"
    bericht: Toewijzingsbericht


class DeclaratieOntvangen(Event):
    """berichtenverkeer accepted a 323 (structure OK, archived); declaratie must judge it."""

    kind: Literal["DeclaratieOntvangen"] = "DeclaratieOntvangen"
    ontvangen_op: dt.date
    bericht: Declaratiebericht


def idempotentie_sleutel(aanbieder: str, domein: str, referentienummer: str) -> str:
    """A line's key across the services (AGB + domain + ReferentieNummer): unique per provider and domain
    (TR314), so a posting made for it once is recognised when the verdict comes again."""
    return f"{aanbieder}:{domein}:{referentienummer}"


class BeoordeeldePrestatie(BaseModel):
    """What facturatie needs of one line to book it: never a BSN. The ledger key is the verdict's domain,
    municipality and provider with this line's category."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    idempotentie_sleutel: str
    referentienummer: str
    vorig_referentienummer: str | None
    productcategorie: str
    productcode: str
    periode_begin: dt.date
    bedrag: int
    debet_credit: Literal["D", "C"]


class DeclaratieBeoordeeld(Event):
    """declaratie's verdict: decides the 325 and which lines are booked."""

    kind: Literal["DeclaratieBeoordeeld"] = "DeclaratieBeoordeeld"
    domein: Literal["jw", "wmo"]
    aanbieder: str
    gemeente: str
    declaratienummer: str
    header_retourcodes: list[str]
    header_redenen: list[str] = Field(default_factory=list)  # readable level-2 problems behind a 0001
    declaratie_retourcodes: list[str] = Field(default_factory=list)
    # A rejected client's codes, keyed by the client's position in the 323 (from 0): never by BSN, which the gateway
    # finds in the archived message and which facturatie, reading this topic too, has no business seeing.
    client_retourcodes_per_positie: dict[int, list[str]] = Field(default_factory=dict)
    oordelen: list[PrestatieOordeel]
    goedgekeurd: list[BeoordeeldePrestatie]  # the lines to book
    totaal_toegekend_bedrag: int
    totaal_toegekend_debet_credit: Literal["D", "C"]
    declaratie_redenen: list[str] = Field(default_factory=list)  # readable reasons behind declaration codes


class PrestatiesGeboekt(Event):
    """facturatie posted the approved lines of a declaration in the municipality's ledger."""

    kind: Literal["PrestatiesGeboekt"] = "PrestatiesGeboekt"
    gemeente: str
    domein: Literal["jw", "wmo"]
    journaalposten: int
    geboekt_bedrag: int  # net, signed cents (debit positive)


OntvangenEvent = Annotated[DeclaratieOntvangen | ToewijzingOntvangen, Field(discriminator="kind")]
