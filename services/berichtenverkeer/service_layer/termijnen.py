"""Use cases on deadlines: a municipality's obligations with their standing, and the gauges for /metrics."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import asyncpg
from prometheus_client import CollectorRegistry, Gauge

from shared.kalender import SYSTEEMKLOK, nederlandse_datum, werkdagen_tussen

from ..adapters import repository as repo
from ..domain.termijnen import Soort, Stand, Verplichting


def vandaag() -> dt.date:
    return SYSTEEMKLOK.vandaag()


def _stand(row: asyncpg.Record, dag: dt.date) -> tuple[Verplichting, Stand]:
    v = Verplichting(Soort(row["soort"]), row["uiterlijk"],
                     nederlandse_datum(row["vervuld_at"]) if row["vervuld_at"] else None)
    return v, v.stand(dag)


async def overzicht(pool: asyncpg.Pool, partij: str, *, alleen_open: bool) -> dict:
    dag = vandaag()
    async with pool.acquire() as conn:
        rows = await repo.verplichtingen(conn, partij, alleen_open=alleen_open)
    items = []
    for row in rows:
        v, stand = _stand(row, dag)
        items.append({
            "bericht_id": str(row["bericht_id"]), "berichttype": row["berichttype"], "van": row["afzender"],
            "identificatie": row["identificatie"], "ontvangen_at": row["ontvangen_at"].isoformat(),
            "verplichting": v.soort.value, "uiterlijk": v.uiterlijk.isoformat(), "stand": stand.value,
            # Working days left from today (0: due today; negative: that many working days late).
            "werkdagen_over": None if v.vervuld_op else werkdagen_tussen(dag, v.uiterlijk),
            "vervuld_at": row["vervuld_at"].isoformat() if row["vervuld_at"] else None,
            "antwoord_id": str(row["vervuld_door"]) if row["vervuld_door"] else None})
    return {"gemeente": partij, "peildatum": dag.isoformat(), "totalen": dict(Counter(i["stand"] for i in items)),
            "verplichtingen": items}


def gauge_open_termijnen(registry: CollectorRegistry, pool_of) -> callable:
    """A scrape hook keeping `backoffice_termijnen_open{partij,verplichting,stand}` current."""
    gauge = Gauge("backoffice_termijnen_open", "Open obligations to answer a message, by standing of their deadline",
                  ["partij", "verplichting", "stand"], registry=registry)

    async def refresh() -> None:
        dag = vandaag()
        async with pool_of().acquire() as conn:
            rows = await repo.verplichtingen(conn, None, alleen_open=True, limit=1_000_000)
        tellingen = Counter((r["partij"], r["soort"], _stand(r, dag)[1].value) for r in rows)
        gauge.clear()
        for (partij, soort, stand), n in tellingen.items():
            gauge.labels(partij, soort, stand).set(n)

    return refresh
