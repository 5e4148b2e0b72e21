"""facturatie's unit of work in memory: the ledger, the payment runs and the verdict statistics as plain tables on
the platform's `FakeStore`, for the service-layer unit tests. `tests/facturatie/contract/` runs one behaviour suite
per port against these and against PostgreSQL, so what a unit test relies on here is what the database does:
entries, runs and statistics are append-only (a key, a cut-off or a message twice is refused or skipped as there),
a balance is the sum of its account's lines, and booking days are Dutch days of the clock's `nu()`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from facturatie.domain.beoordelingsstatistiek import (
    Afkeurtelling,
    Beoordelingsstatistiek,
    Beoordelingstelling,
    Contractaandeel,
    Maandcijfer,
)
from facturatie.domain.betaalrun import Betaalbestand, Betaalrun, NieuweBetaalrun, Overboeking
from facturatie.domain.grootboek import Journaalpost, PlafondSleutel, Rekeningsleutel
from facturatie.domain.overzichten import Boekingsregel, GeboektePost, Regelhistorie, Saldo, Uitbetaling
from facturatie.service_layer.ports import Antwoord
from facturatie.service_layer.unit_of_work import CONSUMER, FacturatieUnitOfWork
from shared.kalender import SYSTEEMKLOK, Klok, nederlandse_datum
from tests.fakes import FakeStore, FakeUnitOfWork


class DubbeleSleutel(Exception):
    """What PostgreSQL's unique indexes refuse (asyncpg.UniqueViolationError there)."""


class AlleenLezen(Exception):
    """A write in a read-only unit of work (asyncpg.ReadOnlySQLTransactionError there)."""


@dataclass
class Post:
    id: int
    post: Journaalpost
    vingerafdruk: str
    geboekt_at: dt.datetime

    @property
    def dag(self) -> dt.date:
        return nederlandse_datum(self.geboekt_at)


@dataclass
class Run:
    kop: Betaalrun
    bestand: str
    overboekingen: list[Overboeking]


@dataclass
class Tabellen:
    """What the fake database holds (deep-copied per unit of work by `FakeUnitOfWork`)."""

    rekeningen: dict[Rekeningsleutel, int] = field(default_factory=dict)  # account -> id
    saldi: dict[int, int] = field(default_factory=dict)  # account id -> balance, debit positive
    posten: list[Post] = field(default_factory=list)  # by id
    geweigerd: list[tuple[str, str, str]] = field(default_factory=list)  # key, message id, reason
    runs: list[Run] = field(default_factory=list)
    beoordelingen: dict[str, Beoordelingsstatistiek] = field(default_factory=dict)  # in the order recorded
    reeksen: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # sequences

    def volgende(self, reeks: str) -> int:
        self.reeksen[reeks] += 1
        return self.reeksen[reeks]


def tabellen(tables: dict[str, Any]) -> Tabellen:
    return tables.setdefault("facturatie", Tabellen())


class _Opslag:
    def __init__(self, t: Tabellen, klok: Klok, readonly: bool):
        self._t, self._klok, self._readonly = t, klok, readonly

    def _schrijf(self) -> Tabellen:
        if self._readonly:
            raise AlleenLezen("cannot write in a read-only transaction")
        return self._t


class FakeGrootboek(_Opslag):
    # ------------------------------------------------------------------ posting

    async def find_fingerprints(self, sleutels: Sequence[str]) -> dict[str, str]:
        gezocht = set(sleutels)
        return {p.post.idempotentie_sleutel: p.vingerafdruk for p in self._t.posten
                if p.post.idempotentie_sleutel in gezocht}

    async def find_entries(self, sleutels: Sequence[str]) -> dict[str, Journaalpost]:
        gezocht = set(sleutels)
        # As the database: lines by account id, and an entry without lines is not found (the join).
        return {p.post.idempotentie_sleutel: replace(p.post, aanbieder=None, regels=tuple(sorted(
            p.post.regels, key=lambda r: self._t.rekeningen[(p.post.gemeente, p.post.domein, r.rekening)])))
            for p in self._t.posten if p.post.idempotentie_sleutel in gezocht and p.post.regels}

    async def lock_ceilings(self, sleutels: Sequence[PlafondSleutel]) -> dict[PlafondSleutel, int]:
        uit: dict[PlafondSleutel, int] = {}
        for g, d, a, j in sleutels:
            regels = [r for p in self._t.posten if p.post.soort == "prestatie" and p.post.gemeente == g
                      and p.post.domein == d and p.post.prestatiejaar == j
                      for r in p.post.regels if r.rekening == f"crediteur:{a}"]
            if regels:
                uit[(g, d, a, j)] = sum(r.credit - r.debet for r in regels)
        return uit

    async def add(self, posten: Sequence[Journaalpost], vingerafdrukken: Sequence[str]) -> None:
        t = self._schrijf()
        bestaand = {p.post.idempotentie_sleutel for p in t.posten}
        nu = self._klok.nu()
        for post, vingerafdruk in zip(posten, vingerafdrukken, strict=True):
            if post.idempotentie_sleutel in bestaand:
                raise DubbeleSleutel(post.idempotentie_sleutel)
            bestaand.add(post.idempotentie_sleutel)
            for r in post.regels:
                self._rekening((post.gemeente, post.domein, r.rekening))
            t.posten.append(Post(t.volgende("journaalposten"), post, vingerafdruk, nu))

    def _rekening(self, sleutel: Rekeningsleutel) -> int:
        t = self._schrijf()
        if sleutel not in t.rekeningen:
            t.rekeningen[sleutel] = t.volgende("rekeningen")
            t.saldi[t.rekeningen[sleutel]] = 0
        return t.rekeningen[sleutel]

    async def record_refused(self, posten: Sequence[Journaalpost], reden: str) -> None:
        if posten:
            self._schrijf().geweigerd.extend((p.idempotentie_sleutel, p.bericht_id, reden) for p in posten)

    async def update_balances(self, mutaties: Mapping[Rekeningsleutel, int]) -> None:
        for sleutel, delta in mutaties.items():
            self._schrijf().saldi[self._rekening(sleutel)] += delta

    # ------------------------------------------------------------------ reading

    async def list_balances(self, gemeente: str, domein: str | None) -> list[Saldo]:
        return [Saldo(d, c, self._t.saldi[i]) for (g, d, c), i in sorted(self._t.rekeningen.items())
                if g == gemeente and domein in (None, d)]

    async def list_journal(self, gemeente: str, *, bericht_id: str | None, limit: int, na_id: int,
                           domein: str | None = None, soort: str | None = None, rekening: str | None = None,
                           van: dt.date | None = None, tot: dt.date | None = None) -> list[GeboektePost]:
        gevonden = [p for p in self._t.posten if p.post.gemeente == gemeente and p.id > na_id
                    and bericht_id in (None, p.post.bericht_id) and domein in (None, p.post.domein)
                    and soort in (None, p.post.soort)
                    and (rekening is None or any(r.rekening == rekening for r in p.post.regels))
                    and (van is None or p.dag >= van) and (tot is None or p.dag <= tot)]
        return [_geboekt(p) for p in gevonden[:limit]]

    async def find_line_history(self, gemeente: str, sleutel: str) -> Regelhistorie | None:
        posten = [p for p in self._t.posten if p.post.gemeente == gemeente
                  and sleutel in (p.post.idempotentie_sleutel, p.post.tegenboeking_van)]
        if not posten:
            return None
        eerste, aanbieder = posten[0], sleutel.split(":", 1)[0]
        betaald = None
        for run in sorted((r for r in self._t.runs if r.kop.gemeente == gemeente and eerste.dag <= r.kop.peildatum),
                          key=lambda r: r.kop.peildatum):
            o = next((o for o in run.overboekingen if (o.domein, o.aanbieder) == (eerste.post.domein, aanbieder)),
                     None)
            if o is not None:
                betaald = Uitbetaling(run.kop.id, run.kop.peildatum, run.kop.uitvoeringsdatum, o.bedrag_cent,
                                      o.end_to_end_id)
                break
        return Regelhistorie(sleutel, tuple(_geboekt(p) for p in posten), betaald)

    async def costs_per_category(self, gemeente: str, jaar: int) -> dict[tuple[str, str], int]:
        uit: dict[tuple[str, str], int] = {}
        for p in self._t.posten:
            if p.post.gemeente == gemeente and p.dag.year == jaar:
                for r in p.post.regels:
                    if r.rekening.startswith("kosten:"):
                        k = (p.post.domein, r.rekening[len("kosten:"):])
                        uit[k] = uit.get(k, 0) + r.debet - r.credit
        return uit

    async def ceiling_usage(self, gemeente: str, jaar: int) -> dict[tuple[str, str], tuple[int, int]]:
        uit: dict[tuple[str, str], tuple[int, int]] = {}
        for p in self._t.posten:
            if p.post.gemeente != gemeente or p.post.soort != "prestatie" or p.post.prestatiejaar != jaar:
                continue
            for r in p.post.regels:
                soort, _, agb = r.rekening.partition(":")
                if soort in ("crediteur", "ingehouden"):
                    betaalbaar, ingehouden = uit.get((p.post.domein, agb), (0, 0))
                    if soort == "crediteur":
                        betaalbaar += r.credit - r.debet
                    else:
                        ingehouden += r.credit - r.debet
                    uit[(p.post.domein, agb)] = (betaalbaar, ingehouden)
        return uit


def _geboekt(p: Post) -> GeboektePost:
    regels = sorted(p.post.regels, key=lambda r: -r.debet)  # debit first, as the database orders them
    return GeboektePost(p.id, p.post.idempotentie_sleutel, p.post.domein, p.post.bericht_id, p.post.omschrijving,
                        p.post.tegenboeking_van, p.post.soort, p.geboekt_at,
                        tuple(Boekingsregel(r.rekening, r.debet, r.credit) for r in regels))


class FakeBetaalruns(_Opslag):
    async def lock(self, gemeente: str) -> None:
        pass  # one unit of work at a time in memory

    async def find(self, gemeente: str, peildatum: dt.date) -> Betaalrun | None:
        return next((r.kop for r in self._t.runs if (r.kop.gemeente, r.kop.peildatum) == (gemeente, peildatum)), None)

    async def latest_cut_off(self, gemeente: str) -> dt.date | None:
        return max((r.kop.peildatum for r in self._t.runs if r.kop.gemeente == gemeente), default=None)

    async def list_payable(self, gemeente: str, peildatum: dt.date) -> dict[tuple[str, str], int]:
        uit: dict[tuple[str, str], int] = {}
        for p in self._t.posten:
            if p.post.gemeente == gemeente and (p.post.soort == "betaling" or p.dag <= peildatum):
                for r in p.post.regels:
                    if r.rekening.startswith("crediteur:"):
                        k = (p.post.domein, r.rekening[len("crediteur:"):])
                        uit[k] = uit.get(k, 0) + r.credit - r.debet
        return uit

    async def next_number(self) -> int:
        return self._t.volgende("betaalruns")

    async def add(self, run: NieuweBetaalrun) -> None:
        t = self._schrijf()
        if any(r.kop.id == run.id or (r.kop.gemeente, r.kop.peildatum) == (run.gemeente, run.peildatum)
               for r in t.runs):
            raise DubbeleSleutel(f"betaalrun {run.id} / {run.gemeente} {run.peildatum}")
        kop = Betaalrun(run.id, run.gemeente, run.peildatum, run.uitvoeringsdatum, len(run.overboekingen),
                        run.totaal_cent, run.bestand_sha256, self._klok.nu())
        t.runs.append(Run(kop, run.bestand.decode("utf-8"), list(run.overboekingen)))

    async def list_runs(self, gemeente: str) -> list[Betaalrun]:
        return sorted((r.kop for r in self._t.runs if r.kop.gemeente == gemeente), key=lambda k: k.peildatum,
                      reverse=True)

    def _run(self, gemeente: str, run_id: int) -> Run | None:
        return next((r for r in self._t.runs if (r.kop.gemeente, r.kop.id) == (gemeente, run_id)), None)

    async def get(self, gemeente: str, run_id: int) -> Betaalrun | None:
        run = self._run(gemeente, run_id)
        return None if run is None else run.kop

    async def list_transfers(self, run_id: int) -> list[Overboeking]:
        run = next((r for r in self._t.runs if r.kop.id == run_id), None)
        return [] if run is None else sorted(run.overboekingen, key=lambda o: (o.domein, o.aanbieder))

    async def get_file(self, gemeente: str, run_id: int) -> Betaalbestand | None:
        run = self._run(gemeente, run_id)
        return None if run is None else Betaalbestand(run.kop.peildatum, run.bestand)


def _maanden(van: dt.date, tot: dt.date) -> tuple[dt.date, dt.date]:
    return van.replace(day=1), tot.replace(day=1)


class FakeStatistiek(_Opslag):
    async def add(self, stats: Sequence[Beoordelingsstatistiek]) -> int:
        if not stats:
            return 0
        t = self._schrijf()
        nieuw = {s.bericht_id: s for s in reversed(stats) if s.bericht_id not in t.beoordelingen}
        # As the database's statement: the first row of a message wins, and every rejection recorded in this batch
        # for a message that is new joins it.
        for bericht_id, eerste in reversed(list(nieuw.items())):
            afkeuringen = tuple(a for s in stats if s.bericht_id == bericht_id for a in s.afkeuringen)
            t.beoordelingen[bericht_id] = replace(eerste, afkeuringen=afkeuringen)
        return len(nieuw)

    def _in(self, gemeente: str | None, van: dt.date, tot: dt.date) -> list[Beoordelingsstatistiek]:
        begin, eind = _maanden(van, tot)
        return [b for b in self._t.beoordelingen.values()
                if gemeente in (None, b.gemeente) and begin <= b.maand <= eind]

    async def count_verdicts(self, gemeente: str | None, van: dt.date, tot: dt.date) -> list[Beoordelingstelling]:
        per: dict[str, list[Beoordelingsstatistiek]] = defaultdict(list)
        for b in self._in(gemeente, van, tot):
            per[b.gemeente].append(b)
        return [Beoordelingstelling(g, len(bs), sum(b.geheel_afgewezen for b in bs),
                                    sum(b.regels_goedgekeurd for b in bs), sum(b.regels_afgekeurd for b in bs))
                for g, bs in sorted(per.items())]

    async def list_rejection_reasons(self, gemeente: str | None, van: dt.date, tot: dt.date,
                                     limit: int = 20) -> list[Afkeurtelling]:
        aantal: dict[tuple, int] = defaultdict(int)
        berichten: dict[tuple, set[str]] = defaultdict(set)
        for b in self._in(gemeente, van, tot):
            for a in b.afkeuringen:
                k = (a.niveau, a.retourcode, a.regel, a.reden)
                aantal[k] += a.aantal
                berichten[k].add(b.bericht_id)
        rijen = [Afkeurtelling(*k, n, len(berichten[k])) for k, n in aantal.items()]
        rijen.sort(key=lambda r: (-r.aantal, r.retourcode, r.regel is None, r.regel or "", r.reden is None,
                                  r.reden or ""))
        return rijen[:limit]

    async def list_recent(self, gemeente: str, limit: int = 15) -> list[Beoordelingsstatistiek]:
        eigen = sorted((b for b in self._t.beoordelingen.values() if b.gemeente == gemeente),
                       key=lambda b: b.bericht_id)
        eigen.sort(key=lambda b: b.beoordeeld_at, reverse=True)  # stable: newest first, then by message id
        return [replace(b, afkeuringen=()) for b in eigen[:limit]]

    async def list_contract_shares(self, jaar: int) -> list[Contractaandeel]:
        per: dict[tuple[str, str], tuple[int, int]] = {}
        for b in self._t.beoordelingen.values():
            if b.maand.year == jaar:
                goedgekeurd, regionaal = per.get((b.gemeente, b.domein), (0, 0))
                per[(b.gemeente, b.domein)] = (goedgekeurd + b.goedgekeurd_cent, regionaal + b.regionaal_cent)
        return [Contractaandeel(g, d, goed, regio) for (g, d), (goed, regio) in per.items()]

    async def get(self, bericht_id: str) -> Beoordelingsstatistiek | None:
        b = self._t.beoordelingen.get(bericht_id)
        if b is None:
            return None
        return replace(b, afkeuringen=tuple(sorted(b.afkeuringen, key=lambda a: (a.niveau, -a.aantal, a.retourcode))))

    async def list_month_figures(self, gemeente: str | None, van: dt.date, tot: dt.date) -> list[Maandcijfer]:
        per: dict[tuple[str, str], tuple[int, int]] = {}
        for p in self._t.posten:
            if p.post.soort != "prestatie" or gemeente not in (None, p.post.gemeente) or not van <= p.dag <= tot:
                continue
            for r in p.post.regels:
                if r.rekening.startswith(("kosten:", "ingehouden:")):
                    goedgekeurd, ingehouden = per.get((p.post.gemeente, p.post.domein), (0, 0))
                    if r.rekening.startswith("kosten:"):
                        goedgekeurd += r.debet - r.credit
                    else:
                        ingehouden += r.credit - r.debet
                    per[(p.post.gemeente, p.post.domein)] = (goedgekeurd, ingehouden)
        return [Maandcijfer(g, d, goed, inh) for (g, d), (goed, inh) in per.items()]


class FakeFacturatieUnitOfWork(FakeUnitOfWork, FacturatieUnitOfWork):
    """`klok`: what "now" is for the rows written (booking time, a run's creation)."""

    def __init__(self, store: FakeStore | None = None, *, klok: Klok = SYSTEEMKLOK, readonly: bool = False):
        super().__init__(store, consumer=CONSUMER)
        self.klok, self.readonly = klok, readonly

    def repositories(self, tables: dict[str, Any]) -> None:
        t = tabellen(tables)
        self.grootboek = FakeGrootboek(t, self.klok, self.readonly)
        self.betaalruns = FakeBetaalruns(t, self.klok, self.readonly)
        self.statistiek = FakeStatistiek(t, self.klok, self.readonly)


class Fabriek:
    """A `UnitOfWorkFabriek` on one store: what the entrypoints get, and what the tests read back."""

    def __init__(self, store: FakeStore | None = None, klok: Klok = SYSTEEMKLOK):
        self.store = store if store is not None else FakeStore()
        self.klok = klok
        self.gemaakt: list[FakeFacturatieUnitOfWork] = []

    def __call__(self, *, readonly: bool = False) -> FakeFacturatieUnitOfWork:
        self.gemaakt.append(FakeFacturatieUnitOfWork(self.store, klok=self.klok, readonly=readonly))
        return self.gemaakt[-1]

    @property
    def tabellen(self) -> Tabellen:
        return tabellen(self.store.tables)

    @property
    def kicks(self) -> int:
        return sum(u.kicks for u in self.gemaakt)


class FakeBerichtenverkeer:
    """The gateway's answers, set by the test; records what was asked."""

    def __init__(self, termijnen: Antwoord | None = None, tijdlijn: Antwoord | None = None):
        self.termijnen_antwoord = termijnen or Antwoord({"verplichtingen": []})
        self.tijdlijn_antwoord = tijdlijn or Antwoord({"stappen": []})
        self.gevraagd: list[tuple[str, str]] = []

    async def __aenter__(self) -> FakeBerichtenverkeer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        pass

    async def termijnen(self, cbs: str) -> Antwoord:
        self.gevraagd.append(("termijnen", cbs))
        return self.termijnen_antwoord

    async def tijdlijn(self, bericht_id: str) -> Antwoord:
        self.gevraagd.append(("tijdlijn", bericht_id))
        return self.tijdlijn_antwoord
