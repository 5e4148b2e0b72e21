"""Use cases on deadlines: a party's obligations with their standing today, and the open ones counted."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from shared.kalender import Klok, nederlandse_datum, werkdagen_tussen

from ..domain.termijnen import Soort, Stand, Verplichting
from .unit_of_work import Termijn, UnitOfWorkFabriek


def _stand(t: Termijn, dag: dt.date) -> tuple[Verplichting, Stand]:
    v = Verplichting(Soort(t.soort), t.uiterlijk, nederlandse_datum(t.vervuld_at) if t.vervuld_at else None)
    return v, v.stand(dag)


def _item(t: Termijn, dag: dt.date) -> dict[str, Any]:
    v, stand = _stand(t, dag)
    return {
        "bericht_id": str(t.bericht_id), "berichttype": t.berichttype, "van": t.afzender,
        "identificatie": t.identificatie, "ontvangen_at": t.ontvangen_at.isoformat(),
        "verplichting": v.soort.value, "uiterlijk": v.uiterlijk.isoformat(), "stand": stand.value,
        # Working days left from today (0: due today; negative: that many working days late).
        "werkdagen_over": None if v.vervuld_op else werkdagen_tussen(dag, v.uiterlijk),
        "vervuld_at": t.vervuld_at.isoformat() if t.vervuld_at else None,
        "antwoord_id": str(t.vervuld_door) if t.vervuld_door else None}


async def overzicht(uow: UnitOfWorkFabriek, klok: Klok, partij: str, *, alleen_open: bool) -> dict[str, Any]:
    """What `partij` owes (or owed), earliest deadline first, with each one's standing and the totals per standing."""
    dag = klok.vandaag()
    async with uow(readonly=True) as u:
        termijnen = await u.termijnen.list_for(partij, alleen_open=alleen_open)
    items = [_item(t, dag) for t in termijnen]
    return {"gemeente": partij, "peildatum": dag.isoformat(), "totalen": dict(Counter(i["stand"] for i in items)),
            "verplichtingen": items}


async def tel_open_termijnen(uow: UnitOfWorkFabriek, klok: Klok) -> Counter[tuple[str, str, str]]:
    """Every party's open obligations counted by (party, kind, standing today). Counted by the database per
    deadline (a scrape every 15 s must not load every row); an open obligation's standing is its deadline's."""
    dag = klok.vandaag()
    async with uow(readonly=True) as u:
        per_dag = await u.termijnen.tel_open()
    tellingen: Counter[tuple[str, str, str]] = Counter()
    for (partij, soort, uiterlijk), n in per_dag.items():
        tellingen[(partij, soort, Verplichting(Soort(soort), uiterlijk, None).stand(dag).value)] += n
    return tellingen
