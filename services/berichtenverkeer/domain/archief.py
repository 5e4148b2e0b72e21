"""The archive's hash chain (pure): every archived message, in or out, is a link in the chain of the party it was
exchanged with (the provider or municipality that sent it or receives it). Each link's hash covers the previous
link's hash and the message's metadata and content hash, so changing, removing or reordering any archived message
breaks every later link, and cutting off the tail no longer matches the chain head kept beside it.

The content itself is covered through its SHA-256, not its bytes: when the retention period has passed, the bytes
may be erased while the chain still proves what was exchanged, when, and that nothing else was changed."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from shared.kalender import nederlandse_datum

BEGIN = "0" * 64  # the "previous hash" of a chain's first link


@dataclass(frozen=True)
class Schakel:
    """One archived message as a link of its party's chain."""

    partij: str
    volgnummer: int
    bericht_id: str
    richting: str
    berichttype: str
    sha256: str  # of the raw message bytes
    opgeslagen_at: dt.datetime
    bewaren_tot: dt.date
    vorige_hash: str

    def hash(self) -> str:
        # Microseconds since the epoch: what PostgreSQL's timestamptz keeps exactly, independent of time zone.
        at = self.opgeslagen_at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        micros = (at.days * 86_400 + at.seconds) * 1_000_000 + at.microseconds
        canonical = "\x1f".join((self.partij, str(self.volgnummer), self.bericht_id, self.richting,
                                 self.berichttype, self.sha256, str(micros), self.bewaren_tot.isoformat(),
                                 self.vorige_hash))
        return hashlib.sha256(canonical.encode()).hexdigest()


def bewaren_tot(opgeslagen_op: dt.date, jaren: int) -> dt.date:
    """The last day an archived message must be kept; 29 February kept N years later is 28 February."""
    try:
        return opgeslagen_op.replace(year=opgeslagen_op.year + jaren)
    except ValueError:
        return opgeslagen_op.replace(year=opgeslagen_op.year + jaren, day=28)


@dataclass(frozen=True)
class Kop:
    """A chain's head: its last link's number and hash (a chain without links: 0 and BEGIN)."""

    volgnummer: int = 0
    hash: str = BEGIN


def keten_partij(richting: str, afzender: str, ontvanger: str) -> str:
    """The party whose chain a message joins: the sender of what came in, the addressee of what goes out."""
    return afzender if richting == "in" else ontvanger


def volgende_schakel(kop: Kop, *, partij: str, bericht_id: str, richting: str, berichttype: str, sha256: str,
                     opgeslagen_at: dt.datetime, bewaartermijn_jaren: int) -> Schakel:
    """The link after `kop` for a message stored at `opgeslagen_at` (kept `bewaartermijn_jaren` from that Dutch
    date)."""
    return Schakel(partij=partij, volgnummer=kop.volgnummer + 1, bericht_id=bericht_id, richting=richting,
                   berichttype=berichttype, sha256=sha256, opgeslagen_at=opgeslagen_at,
                   bewaren_tot=bewaren_tot(nederlandse_datum(opgeslagen_at), bewaartermijn_jaren),
                   vorige_hash=kop.hash)


@dataclass(frozen=True)
class Gearchiveerd:
    """A link as read back from the archive: the stored hash and the SHA-256 of the content as it is now
    (computed by the database, so checking a large archive does not move its bytes), None once erased."""

    schakel: Schakel
    keten_hash: str
    inhoud_sha256: str | None


@dataclass(frozen=True)
class Breuk:
    partij: str
    volgnummer: int
    bericht_id: str | None
    reden: str

    def as_dict(self) -> dict:
        return {"partij": self.partij, "volgnummer": self.volgnummer, "bericht_id": self.bericht_id,
                "reden": self.reden}


def controleer_keten(partij: str, links: list[Gearchiveerd], kop: Kop | None, vandaag: dt.date) -> list[Breuk]:
    """Every break in one party's chain, in order. `links` sorted by volgnummer; `kop` as kept in the chain head,
    None if the party has no head."""
    breuken: list[Breuk] = []
    vorige_hash, verwacht = BEGIN, 1
    for link in links:
        s = link.schakel
        if s.volgnummer != verwacht:
            breuken.append(Breuk(partij, verwacht, None,
                                 f"links {verwacht}..{s.volgnummer - 1} are missing (removed from the archive)"))
        if s.vorige_hash != vorige_hash:
            breuken.append(Breuk(partij, s.volgnummer, s.bericht_id,
                                 "previous hash does not match the link before it (removed or reordered)"))
        if s.hash() != link.keten_hash:
            breuken.append(Breuk(partij, s.volgnummer, s.bericht_id,
                                 "link hash does not match its metadata (metadata or hash changed)"))
        if link.inhoud_sha256 is None:
            if s.bewaren_tot >= vandaag:
                breuken.append(Breuk(partij, s.volgnummer, s.bericht_id,
                                     f"content erased before its retention ended ({s.bewaren_tot.isoformat()})"))
        elif link.inhoud_sha256 != s.sha256:
            breuken.append(Breuk(partij, s.volgnummer, s.bericht_id, "content changed (SHA-256 differs)"))
        vorige_hash, verwacht = link.keten_hash, s.volgnummer + 1
    laatste = Kop(verwacht - 1, vorige_hash)
    if kop is None and links:
        breuken.append(Breuk(partij, laatste.volgnummer, None, "chain head missing"))
    elif kop is not None and kop != laatste:
        breuken.append(Breuk(partij, kop.volgnummer, None,
                             f"chain ends at link {laatste.volgnummer} but its head says {kop.volgnummer} (links "
                             "removed at the end or head changed)"))
    return breuken
