"""Use case: a municipality's payment run up to a cut-off date, made once and never changed.

"Today" is the Dutch calendar day of the injected clock: a cut-off of today is not in the future, and an
execution date of today not in the past, at any hour of a Dutch day, whatever the host's time zone."""

from __future__ import annotations

import datetime as dt

from shared.kalender import Klok
from shared.platform.regio import Regio

from ..domain.betaalrun import BetaalbestandFout, Betaalrun, betaalposten, nieuwe_betaalrun, te_betalen
from .grootboek import boek
from .ports import Betaalbestandmaker
from .unit_of_work import FacturatieUnitOfWork


class BetaalrunGeweigerd(Exception):
    """No run is made: `fout` says why, `hint` what to do instead."""

    def __init__(self, fout: str, hint: str):
        super().__init__(fout)
        self.fout, self.hint = fout, hint


class PeildatumInDeToekomst(BetaalrunGeweigerd):
    pass


class UitvoeringsdatumVoorbij(BetaalrunGeweigerd):
    pass


class PeildatumAfgerekend(BetaalrunGeweigerd):
    """A later cut-off was paid already: the money up to this one is settled."""


class GeenBetaalbestand(BetaalrunGeweigerd):
    """The SEPA file cannot be made (an IBAN missing from the region file)."""


class GemeenteOnbekend(BetaalrunGeweigerd):
    pass


def _controleer_data(peildatum: dt.date, uitvoeringsdatum: dt.date, vandaag: dt.date) -> None:
    if peildatum > vandaag:
        raise PeildatumInDeToekomst(f"cut-off {peildatum} is in the future",
                                    "pay what was booked up to today or an earlier day")
    if uitvoeringsdatum < vandaag:
        raise UitvoeringsdatumVoorbij(f"execution date {uitvoeringsdatum} is in the past",
                                      "a bank executes transfers from today on")


async def maak_betaalrun(uow: FacturatieUnitOfWork, regio: Regio, betaalbestand: Betaalbestandmaker, cbs: str,
                         peildatum: dt.date, uitvoeringsdatum: dt.date | None,
                         klok: Klok) -> tuple[Betaalrun | None, bool]:
    """Returns (run, made now). The same cut-off again returns the run made before; a cut-off before the latest
    run's is refused (that money is settled); nothing payable makes no run. `uitvoeringsdatum` None: today."""
    vandaag = klok.vandaag()
    uitvoeringsdatum = uitvoeringsdatum or vandaag
    _controleer_data(peildatum, uitvoeringsdatum, vandaag)
    gemeente = regio.gemeente(cbs)
    if gemeente is None:
        raise GemeenteOnbekend(f"municipality {cbs} is not part of region {regio.code}", "check the CBS code")
    async with uow:
        await uow.betaalruns.lock(cbs)
        bestaand = await uow.betaalruns.find(cbs, peildatum)
        if bestaand is not None:
            return bestaand, False
        laatste = await uow.betaalruns.latest_cut_off(cbs)
        if laatste is not None and laatste > peildatum:
            raise PeildatumAfgerekend(f"a payment run up to {laatste} exists; {peildatum} is settled",
                                      f"choose a cut-off on or after {laatste}")
        betalingen = te_betalen(await uow.betaalruns.list_payable(cbs, peildatum))
        if not betalingen:
            return None, False
        nummer = await uow.betaalruns.next_number()
        try:
            bestand = betaalbestand(gemeente, {a.agb: a for a in regio.aanbieders}, betalingen, nummer, peildatum,
                                    uitvoeringsdatum)
        except BetaalbestandFout as exc:
            raise GeenBetaalbestand(str(exc), "correct the region file and try again") from None
        posten = betaalposten(cbs, peildatum, nummer, betalingen)
        resultaat = await boek(uow.grootboek, posten)
        if len(resultaat.geboekt) != len(posten):  # keys are per run: anything else is a bug, so undo everything
            raise RuntimeError(f"payment run {nummer}: entries already booked, nothing made")
        await uow.grootboek.update_balances(resultaat.saldomutaties)
        await uow.betaalruns.add(nieuwe_betaalrun(nummer, cbs, peildatum, uitvoeringsdatum, betalingen, bestand))
        gemaakt = await uow.betaalruns.find(cbs, peildatum)
        await uow.commit()
    return gemaakt, True
