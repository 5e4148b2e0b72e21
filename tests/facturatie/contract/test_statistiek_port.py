"""One behaviour suite for the verdict-statistics port (`Statistiek`), on the in-memory fake and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

from facturatie.domain.beoordelingsstatistiek import (
    Afkeuring,
    Afkeurtelling,
    Beoordelingsstatistiek,
    Beoordelingstelling,
    Contractaandeel,
    Maandcijfer,
)
from tests.facturatie.contract.harness import VANDAAG, boek, declaratie, post

OKT = dt.datetime(2026, 10, 15, 9, 0, tzinfo=dt.UTC)
NOV = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)
TR418 = Afkeuring("regel", "0611", "TR418", "Tarief wijkt af van het contracttarief", 2)


def stat(bericht_id: str, at: dt.datetime = NOV, gemeente: str = "0632", *afkeuringen: Afkeuring,
         goedgekeurd: int = 1000, regionaal: int = 800, afgewezen: bool = False, domein: str = "jw",
         goed: int = 2) -> Beoordelingsstatistiek:
    return Beoordelingsstatistiek(
        bericht_id=bericht_id, gemeente=gemeente, domein=domein, aanbieder="87654321",
        declaratienummer=f"D-{bericht_id}", beoordeeld_at=at, geheel_afgewezen=afgewezen, regels_goedgekeurd=goed,
        regels_afgekeurd=sum(a.aantal for a in afkeuringen if a.niveau == "regel"), goedgekeurd_cent=goedgekeurd,
        regionaal_cent=regionaal, lokaal_cent=goedgekeurd - regionaal, afkeuringen=tuple(afkeuringen))


async def test_a_message_is_recorded_once_with_its_rejections(h):
    eerst = stat("b1", NOV, "0632", TR418, Afkeuring("regel", "9346", None, None, 1))
    assert await h.doe(lambda u: u.statistiek.add([eerst, stat("b2")])) == 2
    # The same message again (its verdict under another event id) keeps its first row and gains nothing.
    assert await h.doe(lambda u: u.statistiek.add([stat("b1", OKT, "0632", TR418), stat("b3")])) == 1
    assert await h.doe(lambda u: u.statistiek.add([])) == 0
    b1 = await h.lees(lambda u: u.statistiek.get("b1"))
    assert b1 == eerst  # every field as recorded, the rejections by level, most lines first
    assert b1.maand == dt.date(2026, 11, 1)
    assert await h.lees(lambda u: u.statistiek.get("onbekend")) is None


async def test_verdicts_are_counted_per_municipality_over_the_months_asked(h):
    await h.doe(lambda u: u.statistiek.add([
        stat("a", OKT, "0632", TR418), stat("b", NOV, "0632", afgewezen=True, goed=0),
        stat("c", NOV, "1904"), stat("d", dt.datetime(2026, 12, 1, tzinfo=dt.UTC), "0632")]))
    # Months of van up to the month of tot, whole: 3 November to 3 November is all of November.
    assert await h.lees(lambda u: u.statistiek.count_verdicts("0632", NOV.date(), NOV.date())) == [
        Beoordelingstelling("0632", 1, 1, 0, 0)]
    alle = await h.lees(lambda u: u.statistiek.count_verdicts(None, dt.date(2026, 10, 31), dt.date(2026, 11, 1)))
    assert alle == [Beoordelingstelling("0632", 2, 1, 2, 2), Beoordelingstelling("1904", 1, 0, 2, 0)]
    assert await h.lees(lambda u: u.statistiek.count_verdicts("0335", OKT.date(), NOV.date())) == []


async def test_rejection_reasons_are_ranked_by_lines_then_code(h):
    await h.doe(lambda u: u.statistiek.add([
        stat("a", NOV, "0632", TR418, Afkeuring("regel", "9346", None, None, 1)),
        stat("b", NOV, "0632", Afkeuring("regel", "0611", "TR418", "Tarief wijkt af van het contracttarief", 1),
             Afkeuring("header", "9056", "TR056", "Identificatie is al gebruikt", 1)),
        stat("c", NOV, "1904", Afkeuring("regel", "8001", None, None, 5)), stat("d", OKT, "0632", TR418)]))
    redenen = await h.lees(lambda u: u.statistiek.list_rejection_reasons("0632", NOV.date(), NOV.date()))
    assert redenen == [Afkeurtelling("regel", "0611", "TR418", "Tarief wijkt af van het contracttarief", 3, 2),
                       Afkeurtelling("header", "9056", "TR056", "Identificatie is al gebruikt", 1, 1),
                       Afkeurtelling("regel", "9346", None, None, 1, 1)]
    regio = await h.lees(lambda u: u.statistiek.list_rejection_reasons(None, OKT.date(), NOV.date(), limit=2))
    assert [(r.retourcode, r.aantal) for r in regio] == [("0611", 5), ("8001", 5)]


async def test_the_latest_verdicts_come_first(h):
    await h.doe(lambda u: u.statistiek.add([stat("b", OKT), stat("a", NOV), stat("c", NOV), stat("z", NOV, "1904")]))
    recent = await h.lees(lambda u: u.statistiek.list_recent("0632"))
    assert [r.bericht_id for r in recent] == ["a", "c", "b"] and all(r.afkeuringen == () for r in recent)
    assert [r.bericht_id for r in await h.lees(lambda u: u.statistiek.list_recent("0632", limit=1))] == ["a"]


async def test_contract_shares_are_summed_per_municipality_and_domain_in_a_year(h):
    await h.doe(lambda u: u.statistiek.add([
        stat("a", OKT), stat("b", NOV, goedgekeurd=500, regionaal=0), stat("c", NOV, domein="wmo"),
        stat("d", dt.datetime(2025, 6, 1, tzinfo=dt.UTC))]))
    aandeel = await h.lees(lambda u: u.statistiek.list_contract_shares(2026))
    assert sorted(aandeel, key=lambda a: (a.gemeente, a.domein)) == [Contractaandeel("0632", "jw", 1500, 800),
                                                                     Contractaandeel("0632", "wmo", 1000, 800)]
    assert await h.lees(lambda u: u.statistiek.list_contract_shares(2024)) == []


async def test_month_figures_come_from_declaration_entries_booked_in_the_days_asked(h):
    await boek(h, declaratie("k1", 1000), declaratie("k2", 300, cat="43", gemeente="1904"),
               post("k3", ("kosten:45", 500, 0), ("crediteur:87654321", 0, 200), ("ingehouden:87654321", 0, 300)),
               post("c1", ("crediteur:87654321", 1000, 0), ("kosten:45", 0, 1000), tegen="k1"),
               post("pay", ("crediteur:87654321", 200, 0), ("bank", 0, 200), soort="betaling", prestatiejaar=None),
               post("gr", ("kosten:gr", 9, 0), ("schuld:gr", 0, 9), soort="kostenverdeling", prestatiejaar=None))
    woerden = await h.lees(lambda u: u.statistiek.list_month_figures("0632", VANDAAG.replace(day=1), VANDAAG))
    assert woerden == [Maandcijfer("0632", "jw", 500, 300)]
    alle = await h.lees(lambda u: u.statistiek.list_month_figures(None, VANDAAG, VANDAAG))
    assert sorted(alle, key=lambda m: m.gemeente) == [Maandcijfer("0632", "jw", 500, 300),
                                                      Maandcijfer("1904", "jw", 300, 0)]
    gisteren = VANDAAG - dt.timedelta(days=1)
    assert await h.lees(lambda u: u.statistiek.list_month_figures(None, gisteren, gisteren)) == []
