"""The SEPA credit-transfer file (pain.001.001.03) of a payment run, made with sepaxml, which validates what it
writes against the official XSD before returning it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sepaxml import SepaTransfer

from shared.platform.regio import Aanbieder, Gemeente

from ..domain.betaalrun import BetaalbestandFout, Betaling

__all__ = ["BetaalbestandFout", "pain001"]

DOMEIN_NAAM = {"jw": "Jeugdwet", "wmo": "Wmo"}


def pain001(gemeente: Gemeente, aanbieders: Mapping[str, Aanbieder], betalingen: Sequence[Betaling], run: int,
            peildatum: dt.date, uitvoeringsdatum: dt.date) -> bytes:
    """A `service_layer.ports.Betaalbestandmaker`."""
    if gemeente.iban is None:
        raise BetaalbestandFout(f"municipality {gemeente.cbs} has no IBAN in the region file; add `iban` to pay from")
    transfer = SepaTransfer({"name": f"Gemeente {gemeente.naam}", "IBAN": gemeente.iban, "batch": True,
                             "currency": "EUR"}, clean=True)
    for b in betalingen:
        aanbieder = aanbieders.get(b.aanbieder)
        if aanbieder is None:
            raise BetaalbestandFout(f"provider {b.aanbieder} is not in the region file: no IBAN to pay to")
        transfer.add_payment({
            "name": aanbieder.naam, "IBAN": aanbieder.iban, "amount": b.bedrag, "execution_date": uitvoeringsdatum,
            "description": f"{DOMEIN_NAAM[b.domein]} declaraties t/m {peildatum:%d-%m-%Y}, betaalrun {run}",
            "endtoend_id": b.end_to_end_id(gemeente.cbs, peildatum)})
    return transfer.export(validate=True)
