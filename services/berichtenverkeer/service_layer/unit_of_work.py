"""berichtenverkeer's unit of work and the ports of the stores its use cases need (no database driver here).

A message is stored in `berichten` (metadata, status, its answer) and its bytes in the `archief` as the next link of
the hash chain of the party it was exchanged with; the use case builds that link (domain/archief.py), the store
keeps it. Beside them: each message's timeline, the deadlines it set (`termijnen`), the references of requests
waiting for an answer (`verzoeken`) and the messages the back office made and refused to send. Times are the use
case's (an injected clock), never the store's. The PostgreSQL implementation is
`berichtenverkeer.adapters.unit_of_work`; the in-memory one is `tests/berichtenverkeer/fakes.py`, and
`tests/berichtenverkeer/contract/` holds both to one behaviour per port.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from shared.platform.unit_of_work import UnitOfWork

from ..domain.archief import Gearchiveerd, Kop, Schakel


class Gelijktijdig(RuntimeError):
    """Another transaction stored the same thing first (the same message from the same sender, an answer to the
    same message). The unit of work is spoilt: leave it (it rolls back) and do the work again in a new one."""


@dataclass(frozen=True)
class NieuwBericht:
    """A message to store: one that came in, or one the back office made (its bytes go to the archive)."""

    id: uuid.UUID
    richting: str  # "in" (submitted) or "uit" (made by the back office)
    domein: str
    berichttype: str
    afzender: str
    ontvanger: str
    identificatie: str
    sha256: str  # of the raw bytes
    status: str
    ontvangen_at: dt.datetime
    samenvatting: dict[str, Any] | None = None


@dataclass(frozen=True)
class Bericht:
    """A stored message as read back, with the id of its answer once it has one."""

    id: uuid.UUID
    richting: str
    domein: str
    berichttype: str
    afzender: str
    ontvanger: str
    identificatie: str
    sha256: str
    status: str
    ontvangen_at: dt.datetime
    bijgewerkt_at: dt.datetime
    samenvatting: dict[str, Any] | None
    afgeleverd_at: dt.datetime | None
    antwoord_id: uuid.UUID | None


@dataclass(frozen=True)
class TijdlijnStap:
    stap: str
    at: dt.datetime
    trace_id: str | None
    detail: dict[str, Any] | None


@dataclass(frozen=True)
class Termijn:
    """What a party owes in answer to a message, by when, and when (and by which message) it was met."""

    bericht_id: uuid.UUID
    soort: str
    partij: str
    uiterlijk: dt.date
    vervuld_at: dt.datetime | None
    vervuld_door: uuid.UUID | None
    # of the message that set it
    berichttype: str
    afzender: str
    identificatie: str
    ontvangen_at: dt.datetime


@dataclass(frozen=True)
class UitgaandeFout:
    """A message the back office made that failed its own check against the standard, so it was not sent."""

    bericht_id: uuid.UUID
    berichttype: str
    regels: list[str]  # rule ids, never a value
    gezien_at: dt.datetime


class Berichten(Protocol):
    async def add(self, bericht: NieuwBericht) -> None:
        """Raises Gelijktijdig when this sender stored a message with these bytes in this direction before."""
        ...

    async def get(self, bericht_id: uuid.UUID) -> Bericht | None: ...

    async def find_by_hash(self, afzender: str, richting: str, sha256: str) -> Bericht | None:
        """The message this sender stored before with these bytes (resubmitting returns its id)."""
        ...

    async def find_identificatie(self, afzender: str, domein: str, berichttype: str,
                                 identificatie: str) -> Bericht | None:
        """The first message in of this sender and berichtsoort (domain and type: a JW305 and a WMO305 are
        different kinds) with this Identificatie (TR056)."""
        ...

    async def find_heen(self, berichttype: str, gemeente: str, aanbieder: str, identificatie: str) -> Bericht | None:
        """The municipality's first message in of this type and Identificatie to this provider, the one a retour
        names. Locked until the unit of work ends, so two retours on one message cannot both be its answer."""
        ...

    async def set_status(self, bericht_id: uuid.UUID, status: str, at: dt.datetime,
                         samenvatting_extra: dict[str, Any] | None = None) -> None:
        """New status; `samenvatting_extra`'s keys are added to (or replace those of) the summary."""
        ...

    async def mark_delivered(self, bericht_id: uuid.UUID, at: dt.datetime) -> bool:
        """The addressee fetched the message: true the first time (status afgeleverd unless it moved on)."""
        ...

    async def link_answer(self, bericht_id: uuid.UUID, antwoord_id: uuid.UUID) -> None:
        """Raises Gelijktijdig when the message has an answer already."""
        ...

    async def has_answer(self, bericht_id: uuid.UUID) -> bool: ...

    async def next_answer_number(self) -> int:
        """A number never handed out before (it numbers the Identificatie of the answers the back office makes)."""
        ...

    async def list_mailbox(self, partij: str, limit: int) -> list[Bericht]:
        """Messages addressed to a party that it has not fetched yet, oldest first. A municipality's declarations
        (323) are handled by the back office on its behalf and are not delivered."""
        ...

    async def list_own(self, partij: str, *, berichttype: str | None, status: str | None, sinds: dt.datetime | None,
                       limit: int, offset: int) -> list[Bericht]:
        """Messages a party sent or received, newest first."""
        ...


class Archief(Protocol):
    async def head(self, partij: str) -> Kop:
        """The head of the party's chain (an empty one for a new party), locked until the unit of work ends: links
        of one party are numbered without gaps, in commit order."""
        ...

    async def add(self, schakel: Schakel, inhoud: bytes) -> None:
        """Store the link with the message's bytes and make it the head of its party's chain."""
        ...

    async def content(self, bericht_id: uuid.UUID) -> bytes | None:
        """The archived bytes; None for an unknown message or content erased after its retention."""
        ...

    async def heads(self) -> dict[str, Kop]: ...

    async def parties(self) -> list[str]:
        """Parties with links, head or not (a deleted head must not hide a chain from the check)."""
        ...

    async def chain(self, partij: str) -> list[Gearchiveerd]:
        """The party's links in order, each with the SHA-256 of its content as it is now."""
        ...

    async def erase_expired(self, peildatum: dt.date) -> int:
        """Erase the content of messages whose retention ended before `peildatum` (their links stay); how many."""
        ...


class Tijdlijn(Protocol):
    async def add(self, bericht_id: uuid.UUID, stap: str, at: dt.datetime, trace_id: str | None,
                  detail: dict[str, Any] | None = None) -> None: ...

    async def list_for(self, bericht_id: uuid.UUID) -> list[TijdlijnStap]:
        """In the order they were added."""
        ...


class Termijnen(Protocol):
    async def add(self, bericht_id: uuid.UUID, soort: str, partij: str, uiterlijk: dt.date, *,
                  vervuld_door: uuid.UUID | None = None, vervuld_at: dt.datetime | None = None) -> None:
        """One obligation per message and kind: a second is ignored."""
        ...

    async def fulfil(self, bericht_id: uuid.UUID, soort: str, door: uuid.UUID, at: dt.datetime) -> None:
        """Met by message `door` at `at`, if it was still open."""
        ...

    async def list_for(self, partij: str | None, *, alleen_open: bool, limit: int = 1000) -> list[Termijn]:
        """Earliest deadline first; `partij` None: every party's."""
        ...

    async def tel_open(self) -> dict[tuple[str, str, dt.date], int]:
        """The open obligations counted per (party, kind, deadline): what a standing needs, without the rows."""
        ...


class Verzoeken(Protocol):
    async def add(self, bericht_id: uuid.UUID, domein: str, gemeente: str, aanbieder: str,
                  referenties: Sequence[str]) -> None:
        """The ReferentieAanbieder values of a request (315/317)."""
        ...

    async def find_open(self, domein: str, gemeente: str, aanbieder: str,
                        referenties: Sequence[str]) -> list[uuid.UUID]:
        """Requests still in treatment that carry one of these references, by id."""
        ...


class UitgaandeFouten(Protocol):
    async def record(self, bericht_id: uuid.UUID, berichttype: str, regels: list[str], fout: str,
                     at: dt.datetime) -> None:
        """Once per message and type, however often a retry meets the same bug."""
        ...

    async def summary(self, limit: int = 5) -> tuple[int, list[UitgaandeFout]]:
        """How many there are, and the latest `limit`, newest first."""
        ...


class BerichtenverkeerUnitOfWork(UnitOfWork):
    """One transaction over the gateway's stores, its inbox and its outbox."""

    berichten: Berichten
    archief: Archief
    tijdlijn: Tijdlijn
    termijnen: Termijnen
    verzoeken: Verzoeken
    uitgaand_afgekeurd: UitgaandeFouten


class UnitOfWorkFabriek(Protocol):
    """Makes a fresh unit of work; `readonly`: the store refuses any write, and every read sees one snapshot."""

    def __call__(self, *, readonly: bool = False) -> BerichtenverkeerUnitOfWork: ...
