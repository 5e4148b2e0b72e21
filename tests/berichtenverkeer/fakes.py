"""berichtenverkeer's unit of work in memory, for the service layer's unit tests. `tests/berichtenverkeer/contract/`
runs one behaviour suite per store against these and against PostgreSQL, so they keep what the use cases rely on:
a message found again by its bytes' hash, TR056 per sender and berichtsoort, one answer per message, each party's
chain numbered without gaps, deadlines met once, a read-only unit of work that refuses writes.

A unique key in PostgreSQL also sees rows other transactions committed meanwhile; so does the fake's (it looks in
the committed store as well as its own working copy), and a unit test can race two submissions."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any

from berichtenverkeer.domain.archief import Gearchiveerd, Kop, Schakel
from berichtenverkeer.service_layer.unit_of_work import (
    Bericht,
    BerichtenverkeerUnitOfWork,
    Gelijktijdig,
    NieuwBericht,
    Termijn,
    TijdlijnStap,
    UitgaandeFout,
)
from tests.fakes import FakeStore, FakeUnitOfWork


def lege_tabellen() -> dict[str, Any]:
    return {"berichten": {}, "antwoorden": {}, "volgnummer": 0, "archief": [], "ketens": {}, "tijdlijn": [],
            "verplichtingen": {}, "verzoeken": set(), "uitgaand": {}}


class _Tabellen:
    """The working copy (`t`), the committed tables (`c`, for unique keys) and whether writing is allowed."""

    def __init__(self, t: dict[str, Any], store: FakeStore, readonly: bool):
        self.t, self._store, self._readonly = t, store, readonly

    @property
    def c(self) -> dict[str, Any]:
        return self._store.tables  # replaced by every commit: read it when needed

    def schrijf(self) -> dict[str, Any]:
        if self._readonly:
            raise PermissionError("cannot write in a read-only unit of work")  # PostgreSQL refuses it too
        return self.t

    def bestaat(self, bericht_id: uuid.UUID) -> None:
        if bericht_id not in self.t["berichten"]:  # a foreign key in PostgreSQL
            raise LookupError(f"no message {bericht_id}")


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)  # a naive moment is local time, as asyncpg takes it


class FakeBerichten:
    def __init__(self, tabellen: _Tabellen):
        self._tab = tabellen

    def _bericht(self, row: dict[str, Any]) -> Bericht:
        # A copy, as a row read from PostgreSQL is: changing it changes nothing stored.
        return Bericht(**copy.deepcopy(row), antwoord_id=self._tab.t["antwoorden"].get(row["id"]))

    def _alle(self) -> list[dict[str, Any]]:
        return list(self._tab.t["berichten"].values())

    async def add(self, bericht: NieuwBericht) -> None:
        t = self._tab.schrijf()
        sleutel = (bericht.afzender, bericht.richting, bericht.sha256)
        for tabel in (t, self._tab.c):
            if any((b["afzender"], b["richting"], b["sha256"]) == sleutel
                             for b in tabel["berichten"].values()):
                raise Gelijktijdig(f"{bericht.afzender} stored this {bericht.berichttype} before")
        row = asdict(bericht) | {"status": str(bericht.status), "bijgewerkt_at": bericht.ontvangen_at,
                                 "afgeleverd_at": None}
        t["berichten"][bericht.id] = row

    async def get(self, bericht_id: uuid.UUID) -> Bericht | None:
        row = self._tab.t["berichten"].get(bericht_id)
        return None if row is None else self._bericht(row)

    async def find_by_hash(self, afzender: str, richting: str, sha256: str) -> Bericht | None:
        return next((self._bericht(b) for b in self._alle()
                     if (b["afzender"], b["richting"], b["sha256"]) == (afzender, richting, sha256)), None)

    def _eerste_in(self, **velden: str) -> Bericht | None:
        found = sorted((b for b in self._alle() if b["richting"] == "in"
                        and all(b[k] == v for k, v in velden.items())), key=lambda b: b["ontvangen_at"])
        return self._bericht(found[0]) if found else None

    async def find_identificatie(self, afzender: str, domein: str, berichttype: str,
                                 identificatie: str) -> Bericht | None:
        return self._eerste_in(afzender=afzender, domein=domein, berichttype=berichttype, identificatie=identificatie)

    async def find_heen(self, berichttype: str, gemeente: str, aanbieder: str, identificatie: str) -> Bericht | None:
        return self._eerste_in(berichttype=berichttype, afzender=gemeente, ontvanger=aanbieder,
                               identificatie=identificatie)

    async def set_status(self, bericht_id: uuid.UUID, status: str, at: dt.datetime,
                         samenvatting_extra: dict[str, Any] | None = None) -> None:
        row = self._tab.schrijf()["berichten"].get(bericht_id)
        if row is not None:
            row |= {"status": str(status), "bijgewerkt_at": at,
                    "samenvatting": (row["samenvatting"] or {}) | (samenvatting_extra or {})}

    async def mark_delivered(self, bericht_id: uuid.UUID, at: dt.datetime) -> bool:
        row = self._tab.schrijf()["berichten"].get(bericht_id)
        if row is None or row["afgeleverd_at"] is not None:
            return False
        row |= {"afgeleverd_at": at, "bijgewerkt_at": at,
                "status": "afgeleverd" if row["status"] == "ter_aflevering" else row["status"]}
        return True

    async def link_answer(self, bericht_id: uuid.UUID, antwoord_id: uuid.UUID) -> None:
        t = self._tab.schrijf()
        self._tab.bestaat(bericht_id)
        self._tab.bestaat(antwoord_id)
        if bericht_id in t["antwoorden"] or bericht_id in self._tab.c["antwoorden"]:
            raise Gelijktijdig(f"message {bericht_id} has an answer already")
        t["antwoorden"][bericht_id] = antwoord_id

    async def has_answer(self, bericht_id: uuid.UUID) -> bool:
        return bericht_id in self._tab.t["antwoorden"]

    async def next_answer_number(self) -> int:
        t = self._tab.schrijf()
        t["volgnummer"] += 1
        return t["volgnummer"]

    async def list_mailbox(self, partij: str, limit: int) -> list[Bericht]:
        rows = [b for b in self._alle() if b["ontvanger"] == partij and b["afgeleverd_at"] is None
                and b["berichttype"] != "323"]
        rows.sort(key=lambda b: (b["ontvangen_at"], b["id"]))
        return [self._bericht(b) for b in rows[:limit]]

    async def list_own(self, partij: str, *, berichttype: str | None, status: str | None, sinds: dt.datetime | None,
                       limit: int, offset: int) -> list[Bericht]:
        rows = [b for b in self._alle() if partij in (b["afzender"], b["ontvanger"])
                and berichttype in (None, b["berichttype"]) and status in (None, b["status"])
                and (sinds is None or b["ontvangen_at"] >= _utc(sinds))]
        rows.sort(key=lambda b: b["id"])
        rows.sort(key=lambda b: b["ontvangen_at"], reverse=True)  # stable: equal moments stay in id order
        return [self._bericht(b) for b in rows[offset:offset + limit]]


class FakeArchief:
    def __init__(self, tabellen: _Tabellen):
        self._tab = tabellen

    async def head(self, partij: str) -> Kop:
        return self._tab.schrijf()["ketens"].setdefault(partij, Kop())

    async def add(self, schakel: Schakel, inhoud: bytes) -> None:
        t = self._tab.schrijf()
        self._tab.bestaat(uuid.UUID(schakel.bericht_id))
        for tabel in (t, self._tab.c):
            if any((r["schakel"].partij, r["schakel"].volgnummer) == (schakel.partij, schakel.volgnummer)
                             for r in tabel["archief"]):
                raise Gelijktijdig(f"link {schakel.volgnummer} of {schakel.partij} exists")
        keten_hash = schakel.hash()
        t["archief"].append({"schakel": schakel, "keten_hash": keten_hash, "inhoud": inhoud})
        t["ketens"][schakel.partij] = Kop(schakel.volgnummer, keten_hash)

    async def content(self, bericht_id: uuid.UUID) -> bytes | None:
        return next((r["inhoud"] for r in self._tab.t["archief"] if r["schakel"].bericht_id == str(bericht_id)), None)

    async def heads(self) -> dict[str, Kop]:
        return dict(sorted(self._tab.t["ketens"].items()))

    async def parties(self) -> list[str]:
        return sorted({r["schakel"].partij for r in self._tab.t["archief"]})

    async def chain(self, partij: str) -> list[Gearchiveerd]:
        rows = sorted((r for r in self._tab.t["archief"] if r["schakel"].partij == partij),
                      key=lambda r: r["schakel"].volgnummer)
        return [Gearchiveerd(r["schakel"], r["keten_hash"],
                             None if r["inhoud"] is None else hashlib.sha256(r["inhoud"]).hexdigest()) for r in rows]

    async def erase_expired(self, peildatum: dt.date) -> int:
        verlopen = [r for r in self._tab.schrijf()["archief"]
                    if r["schakel"].bewaren_tot < peildatum and r["inhoud"] is not None]
        for r in verlopen:
            r["inhoud"] = None
        return len(verlopen)

    def vervals(self, bericht_id: uuid.UUID, **wijziging: Any) -> None:
        """Tests only: change a stored link around the store's guards, as an attacker with database rights could
        (`inhoud=...` replaces the content, other names change the link's fields)."""
        for r in self._tab.t["archief"]:
            if r["schakel"].bericht_id == str(bericht_id):
                if "inhoud" in wijziging:
                    r["inhoud"] = wijziging.pop("inhoud")
                r["schakel"] = replace(r["schakel"], **wijziging)


class FakeTijdlijn:
    def __init__(self, tabellen: _Tabellen):
        self._tab = tabellen

    async def add(self, bericht_id: uuid.UUID, stap: str, at: dt.datetime, trace_id: str | None,
                  detail: dict[str, Any] | None = None) -> None:
        t = self._tab.schrijf()
        self._tab.bestaat(bericht_id)
        t["tijdlijn"].append((bericht_id, TijdlijnStap(str(stap), at, trace_id, detail)))

    async def list_for(self, bericht_id: uuid.UUID) -> list[TijdlijnStap]:
        return [s for b, s in self._tab.t["tijdlijn"] if b == bericht_id]


class FakeTermijnen:
    def __init__(self, tabellen: _Tabellen):
        self._tab = tabellen

    async def add(self, bericht_id: uuid.UUID, soort: str, partij: str, uiterlijk: dt.date, *,
                  vervuld_door: uuid.UUID | None = None, vervuld_at: dt.datetime | None = None) -> None:
        t = self._tab.schrijf()
        self._tab.bestaat(bericht_id)
        t["verplichtingen"].setdefault((bericht_id, str(soort)), {
            "bericht_id": bericht_id, "soort": str(soort), "partij": partij, "uiterlijk": uiterlijk,
            "vervuld_at": vervuld_at, "vervuld_door": vervuld_door})

    async def fulfil(self, bericht_id: uuid.UUID, soort: str, door: uuid.UUID, at: dt.datetime) -> None:
        v = self._tab.schrijf()["verplichtingen"].get((bericht_id, str(soort)))
        if v is not None and v["vervuld_at"] is None:
            v |= {"vervuld_at": at, "vervuld_door": door}

    async def list_for(self, partij: str | None, *, alleen_open: bool, limit: int = 1000) -> list[Termijn]:
        rows = sorted((v for v in self._tab.t["verplichtingen"].values()
                       if partij in (None, v["partij"]) and not (alleen_open and v["vervuld_at"] is not None)),
                      key=lambda v: (v["uiterlijk"], v["bericht_id"]))
        berichten = self._tab.t["berichten"]
        return [Termijn(**v, **{k: berichten[v["bericht_id"]][k]
                                for k in ("berichttype", "afzender", "identificatie", "ontvangen_at")})
                for v in rows[:limit]]

    async def tel_open(self) -> dict[tuple[str, str, dt.date], int]:
        return dict(Counter((v["partij"], v["soort"], v["uiterlijk"]) for v in self._tab.t["verplichtingen"].values()
                            if v["vervuld_at"] is None))


class FakeVerzoeken:
    def __init__(self, tabellen: _Tabellen):
        self._tab = tabellen

    async def add(self, bericht_id: uuid.UUID, domein: str, gemeente: str, aanbieder: str,
                  referenties: Sequence[str]) -> None:
        t = self._tab.schrijf()
        self._tab.bestaat(bericht_id)
        t["verzoeken"] |= {(domein, gemeente, aanbieder, r, bericht_id) for r in referenties}

    async def find_open(self, domein: str, gemeente: str, aanbieder: str,
                        referenties: Sequence[str]) -> list[uuid.UUID]:
        berichten = self._tab.t["berichten"]
        return sorted({b for d, g, a, r, b in self._tab.t["verzoeken"]
                       if (d, g, a) == (domein, gemeente, aanbieder) and r in referenties
                       and berichten[b]["status"] == "in_behandeling"})


class FakeUitgaandeFouten:
    def __init__(self, tabellen: _Tabellen):
        self._tab = tabellen

    async def record(self, bericht_id: uuid.UUID, berichttype: str, regels: list[str], fout: str,
                     at: dt.datetime) -> None:
        t = self._tab.schrijf()
        self._tab.bestaat(bericht_id)
        t["uitgaand"].setdefault((bericht_id, berichttype), UitgaandeFout(bericht_id, berichttype, list(regels), at))

    async def summary(self, limit: int = 5) -> tuple[int, list[UitgaandeFout]]:
        alle = sorted(self._tab.t["uitgaand"].values(), key=lambda f: f.gezien_at, reverse=True)
        return len(alle), alle[:limit]


class FakeBerichtenverkeerUnitOfWork(FakeUnitOfWork, BerichtenverkeerUnitOfWork):
    berichten: FakeBerichten
    archief: FakeArchief
    tijdlijn: FakeTijdlijn
    termijnen: FakeTermijnen
    verzoeken: FakeVerzoeken
    uitgaand_afgekeurd: FakeUitgaandeFouten

    def __init__(self, store: FakeStore | None = None, consumer: str = "berichtenverkeer", *, readonly: bool = False):
        super().__init__(store, consumer)
        self.readonly = readonly
        if not self.store.tables:
            self.store.tables = lege_tabellen()

    def repositories(self, tables: dict[str, Any]) -> None:
        tabellen = _Tabellen(tables, self.store, self.readonly)
        self.berichten = FakeBerichten(tabellen)
        self.archief = FakeArchief(tabellen)
        self.tijdlijn = FakeTijdlijn(tabellen)
        self.termijnen = FakeTermijnen(tabellen)
        self.verzoeken = FakeVerzoeken(tabellen)
        self.uitgaand_afgekeurd = FakeUitgaandeFouten(tabellen)


class FakeFabriek:
    """Units of work on one store, like the service's factory on one database; counts what they did."""

    def __init__(self, store: FakeStore | None = None):
        self.store = store if store is not None else FakeStore()
        self.store.tables = self.store.tables or lege_tabellen()
        self.gemaakt: list[FakeBerichtenverkeerUnitOfWork] = []

    def __call__(self, *, readonly: bool = False) -> FakeBerichtenverkeerUnitOfWork:
        self.gemaakt.append(FakeBerichtenverkeerUnitOfWork(self.store, readonly=readonly))
        return self.gemaakt[-1]

    @property
    def kicks(self) -> int:
        return sum(u.kicks for u in self.gemaakt)

    @property
    def tables(self) -> dict[str, Any]:
        """What is committed."""
        return self.store.tables
