"""declaratie's unit of work in memory: registers with the semantics the level-3 rules rely on (the current
allocation version, TR332 number owners, identifications per berichtsoort, declarations, earlier lines with their
credits). `tests/declaratie/contract/test_registers.py` runs one behaviour suite against these and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from declaratie.domain.beoordeling import Beoordeling
from declaratie.domain.context import Beoordelingscontext, EerdereRegel, ToewijzingStand
from declaratie.service_layer.unit_of_work import DeclaratieUnitOfWork, GelijktijdigGebruikt, Samenvatting
from shared.models import Declaratiebericht, Toewijzingsbericht
from shared.platform.unit_of_work import OutboxItem
from tests.fakes import FakeStore, FakeUnitOfWork

TABELLEN = ("toewijzingnummers", "toewijzingen", "berichtidentificaties", "declaraties", "prestaties",
            "beoordelingen")


class AlleenLezen(RuntimeError):
    """A write in a read-only unit of work (PostgreSQL: ReadOnlySQLTransactionError)."""


class UniekeSleutel(RuntimeError):
    """A row whose key is taken (PostgreSQL: UniqueViolationError); only a concurrent message can cause it."""


def _uniek(tabel: dict, sleutel: Any, waarde: Any) -> None:
    if sleutel in tabel:
        raise UniekeSleutel(repr(sleutel))
    tabel[sleutel] = waarde


class FakeRegisters:
    """The registers as dicts in the store's tables, keyed as the PostgreSQL tables are."""

    def __init__(self, tables: dict[str, Any], *, readonly: bool = False):
        for naam in TABELLEN:
            tables.setdefault(naam, {})
        self._t, self._readonly = tables, readonly
        # (domein, gemeente, nummer) -> (aanbieder, client_sleutel): TR332's owner, the first to claim it
        self.nummers: dict[tuple[str, str, int], tuple[str, str]] = tables["toewijzingnummers"]
        # (domein, gemeente, nummer, datum, tijd) -> the version
        self.toewijzingen: dict[tuple[str, str, int, dt.date, dt.time], ToewijzingStand] = tables["toewijzingen"]
        # (afzender, domein, identificatie) of judged 323s -> bericht_id
        self.identificaties: dict[tuple[str, str, str], str] = tables["berichtidentificaties"]
        # (aanbieder, domein, declaratienummer) -> (gemeente, periode_begin)
        self.declaraties: dict[tuple[str, str, str], tuple[str, dt.date]] = tables["declaraties"]
        # (aanbieder, domein, referentienummer) -> (gemeente, the line with its verdict)
        self.prestaties: dict[tuple[str, str, str], tuple[str, EerdereRegel]] = tables["prestaties"]
        self.beoordelingen: dict[str, Samenvatting] = tables["beoordelingen"]

    def _schrijven(self) -> None:
        if self._readonly:
            raise AlleenLezen("cannot write in a read-only unit of work")

    def _huidige(self, domein: str, gemeente: str, nummers: set[int]) -> dict[int, ToewijzingStand]:
        laatste: dict[int, tuple[tuple[dt.date, dt.time], ToewijzingStand]] = {}
        for (d, g, n, datum, tijd), stand in self.toewijzingen.items():
            if d == domein and g == gemeente and n in nummers and (n not in laatste or (datum, tijd) > laatste[n][0]):
                laatste[n] = ((datum, tijd), stand)
        return {n: stand for n, (_moment, stand) in laatste.items()}

    async def laad_context(self, bericht: Declaratiebericht, gemeente: str,
                           systeemdatum: dt.date) -> Beoordelingscontext:
        aanbieder, domein = bericht.header.afzender, bericht.domein
        prestaties = [p for _c, p in bericht.prestaties()]
        vorige = {p.vorig_referentienummer for p in prestaties if p.vorig_referentienummer}
        nummers = {p.toewijzingnummer for p in prestaties}
        eigen = {ref: (g, r) for (a, d, ref), (g, r) in self.prestaties.items() if a == aanbieder and d == domein}
        eerdere = {ref: r for ref, (g, r) in eigen.items()
                   if r.goedgekeurd and (ref in vorige or (r.toewijzingnummer in nummers and g == gemeente))}
        credits = {r.vorig_referentienummer for _g, r in eigen.values() if r.goedgekeurd and r.debet_credit == "C"}
        perioden = [begin for (a, d, _n), (g, begin) in self.declaraties.items()
                    if a == aanbieder and d == domein and g == gemeente]
        return Beoordelingscontext(
            systeemdatum=systeemdatum,
            identificatie_gebruikt=(aanbieder, domein, bericht.header.identificatie) in self.identificaties,
            declaratienummer_gebruikt=(aanbieder, domein, bericht.declaratie.declaratienummer) in self.declaraties,
            laatste_declaratieperiode=max(perioden, default=None),
            toewijzingen=self._huidige(domein, gemeente, nummers),
            gebruikte_referenties=frozenset(p.referentienummer for p in prestaties if p.referentienummer in eigen),
            eerdere=eerdere,
            gecrediteerd=frozenset(ref for ref, r in eerdere.items() if r.debet_credit == "D" and ref in credits))

    async def leg_vast(self, bericht_id: str, bericht: Declaratiebericht, gemeente: str, ctx: Beoordelingscontext,
                       beoordeling: Beoordeling) -> None:
        self._schrijven()
        aanbieder, domein = bericht.header.afzender, bericht.domein
        identificatie = (aanbieder, domein, bericht.header.identificatie)
        if identificatie in self.identificaties:
            if not ctx.identificatie_gebruikt:
                raise GelijktijdigGebruikt("a message with this identification was judged at the same moment")
        else:
            self.identificaties[identificatie] = bericht_id
        if not beoordeling.verwerkt:
            return
        _uniek(self.declaraties, (aanbieder, domein, bericht.declaratie.declaratienummer),
               (gemeente, bericht.declaratie.declaratieperiode.begindatum))
        gezien = set(ctx.gebruikte_referenties)
        for r in beoordeling.vast_te_leggen:
            if r.referentienummer in gezien:
                continue  # 8021: recorded under its first use
            gezien.add(r.referentienummer)
            if r.goedgekeurd and r.debet_credit == "C" and any(
                    c.goedgekeurd and c.debet_credit == "C" and c.vorig_referentienummer == r.vorig_referentienummer
                    for (a, d, _ref), (_g, c) in self.prestaties.items() if a == aanbieder and d == domein):
                raise UniekeSleutel(f"a credit of {r.vorig_referentienummer} exists")  # TR390 made structural
            _uniek(self.prestaties, (aanbieder, domein, r.referentienummer), (gemeente, r))

    async def leg_toewijzingen_vast(self, bericht_id: str, bericht: Toewijzingsbericht, gemeente: str,
                                    client_sleutel: str) -> tuple[int, list[int]]:
        self._schrijven()
        aanbieder, domein = bericht.header.ontvanger, bericht.domein
        nummers = [t.toewijzingnummer for t in bericht.toewijzingen]
        for n in nummers:
            self.nummers.setdefault((domein, gemeente, n), (aanbieder, client_sleutel))
        geweigerd = [n for n in nummers if self.nummers[(domein, gemeente, n)] != (aanbieder, client_sleutel)]
        nieuw = 0
        for t in bericht.toewijzingen:
            sleutel = (domein, gemeente, t.toewijzingnummer, t.toewijzingsdatum, t.toewijzingstijd)
            if t.toewijzingnummer not in geweigerd and sleutel not in self.toewijzingen:
                self.toewijzingen[sleutel] = ToewijzingStand.uit(t, aanbieder, client_sleutel)
                nieuw += 1
        return nieuw, geweigerd

    async def leg_samenvatting_vast(self, samenvatting: Samenvatting) -> None:
        self._schrijven()
        _uniek(self.beoordelingen, samenvatting.bericht_id, samenvatting)


class _AlleenLezenInbox:
    async def claim(self, event_id: str) -> bool:
        raise AlleenLezen("cannot claim in a read-only unit of work")

    async def claim_many(self, event_ids: Sequence[str]) -> set[str]:
        raise AlleenLezen("cannot claim in a read-only unit of work")


class _AlleenLezenOutbox:
    added = 0

    async def add(self, topic: str, key: str, event: BaseModel, traceparent: str | None = None) -> None:
        raise AlleenLezen("cannot publish from a read-only unit of work")

    async def add_many(self, items: Sequence[OutboxItem]) -> None:
        raise AlleenLezen("cannot publish from a read-only unit of work")


class FakeDeclaratieUnitOfWork(FakeUnitOfWork, DeclaratieUnitOfWork):
    registers: FakeRegisters

    def __init__(self, store: FakeStore | None = None, *, readonly: bool = False):
        super().__init__(store, consumer="declaratie")
        self.readonly = readonly

    def repositories(self, tables: dict[str, Any]) -> None:
        self.registers = FakeRegisters(tables, readonly=self.readonly)

    async def _begin(self) -> None:
        await super()._begin()
        if self.readonly:  # as PostgreSQL's read-only transaction: every write is refused
            self.inbox, self.outbox = _AlleenLezenInbox(), _AlleenLezenOutbox()


class FakeFabriek:
    """The unit-of-work factory on one store (`UnitOfWorkFabriek`), keeping what it made."""

    def __init__(self, store: FakeStore | None = None):
        self.store = store if store is not None else FakeStore()
        self.gemaakt: list[FakeDeclaratieUnitOfWork] = []

    def __call__(self, *, readonly: bool = False) -> FakeDeclaratieUnitOfWork:
        self.gemaakt.append(FakeDeclaratieUnitOfWork(self.store, readonly=readonly))
        return self.gemaakt[-1]

    @property
    def kicks(self) -> int:
        return sum(u.kicks for u in self.gemaakt)

    def registers(self) -> FakeRegisters:
        """The committed registers (a view on the store: read, do not write)."""
        return FakeRegisters(self.store.tables)
