"""Payment runs on real PostgreSQL: what is payable at a cut-off is paid once, by a run that never changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import asyncpg
import pytest
from lxml import etree

import facturatie
from facturatie.adapters.sepa import pain001
from facturatie.adapters.unit_of_work import PostgresFacturatieUnitOfWork
from facturatie.domain.grootboek import journaalpost_voor
from facturatie.service_layer.betaalruns import PeildatumAfgerekend, PeildatumInDeToekomst, maak_betaalrun
from facturatie.service_layer.grootboek import boek
from shared.kalender import SYSTEEMKLOK
from shared.platform.events import BeoordeeldePrestatie
from shared.platform.regio import load_regio
from tests.conftest import schema_pool
from tools.checkout import DEFAULT_REGIO

pytestmark = pytest.mark.integration
MIGRATIONS = Path(facturatie.__file__).parent / "migrations"
REGIO = load_regio(DEFAULT_REGIO)
VANDAAG = SYSTEEMKLOK.vandaag()  # the Dutch day, as the use case sees it
GISTEREN = VANDAAG - dt.timedelta(days=1)


@pytest.fixture
async def pool(infra):
    async with schema_pool(infra, "facturatie", MIGRATIONS) as pool:
        yield pool


def line(agb, ref, bedrag, dc="D", vorig=None, domein="jw"):
    return BeoordeeldePrestatie(idempotentie_sleutel=f"{agb}:{domein}:{ref}", referentienummer=ref,
                                vorig_referentienummer=vorig, productcategorie="45", productcode="45A07",
                                periode_begin=dt.date(2026, 10, 1), bedrag=bedrag, debet_credit=dc)


async def betaalrun(pool, cbs, peildatum, uitvoeringsdatum):
    return await maak_betaalrun(PostgresFacturatieUnitOfWork(pool), REGIO, pain001, cbs, peildatum, uitvoeringsdatum,
                                SYSTEEMKLOK)


async def book(pool, *posts, geboekt_at: dt.datetime | None = None, plafonds=None):
    async with PostgresFacturatieUnitOfWork(pool) as uow:
        result = await boek(uow.grootboek, [journaalpost_voor(agb, "0632", domein, "b", p) for agb, domein, p in posts],
                            plafonds=plafonds)
        await uow.grootboek.update_balances(result.saldomutaties)
        if geboekt_at is not None:  # a posting from an earlier day (the journal is append-only: set via a copy)
            conn = uow.connection
            await conn.execute("ALTER TABLE journaalposten DISABLE TRIGGER journaalposten_append_only")
            await conn.execute("UPDATE journaalposten SET geboekt_at = $1", geboekt_at)
            await conn.execute("ALTER TABLE journaalposten ENABLE TRIGGER journaalposten_append_only")
        await uow.commit()


async def balances(pool) -> dict[str, int]:
    rows = await pool.fetch("SELECT domein, code, saldo_cent FROM rekeningen WHERE gemeente = '0632'")
    return {f"{r['domein']}:{r['code']}": r["saldo_cent"] for r in rows if r["saldo_cent"]}


async def test_a_run_pays_each_payable_once_and_the_same_cut_off_again_makes_nothing_new(pool):
    await book(pool, ("87654321", "jw", line("87654321", "R1", 118200)),
               ("87654321", "jw", line("87654321", "R2", 25300)),
               ("34567890", "wmo", line("34567890", "W1", 5000, domein="wmo")))
    run, nieuw = await betaalrun(pool, "0632", VANDAAG, VANDAAG)
    assert nieuw and run.aantal == 2 and run.totaal_cent == 118200 + 25300 + 5000
    # The payables are settled, the money left the bank, expenses stay.
    assert await balances(pool) == {"jw:kosten:45": 143500, "jw:bank": -143500, "wmo:kosten:45": 5000,
                                    "wmo:bank": -5000}
    again, nieuw_again = await betaalrun(pool, "0632", VANDAAG, VANDAAG)
    assert not nieuw_again and again == run
    assert await pool.fetchval("SELECT count(*) FROM betaalruns") == 1
    assert await pool.fetchval("SELECT count(*) FROM journaalposten WHERE soort = 'betaling'") == 2
    bestand = etree.fromstring((await pool.fetchval("SELECT bestand FROM betaalruns")).encode())
    assert bestand.findtext(".//{*}GrpHdr/{*}CtrlSum") == "1485.00"


async def test_withheld_amounts_beyond_a_spending_ceiling_are_not_paid(pool):
    await book(pool, ("87654321", "jw", line("87654321", "R1", 118200)),
               plafonds={("0632", "jw", "87654321", 2026): 100000})
    run, _ = await betaalrun(pool, "0632", VANDAAG, VANDAAG)
    assert run.totaal_cent == 100000
    assert await balances(pool) == {"jw:kosten:45": 118200, "jw:bank": -100000, "jw:ingehouden:87654321": -18200}


async def test_postings_after_the_cut_off_wait_for_the_next_run_and_credits_carry_over(pool):
    await book(pool, ("87654321", "jw", line("87654321", "R1", 10000)),
               geboekt_at=dt.datetime.combine(GISTEREN, dt.time(12), dt.UTC) - dt.timedelta(days=1))
    await book(pool, ("87654321", "jw", line("87654321", "R2", 700)))  # today: after yesterday's cut-off
    run, _ = await betaalrun(pool, "0632", GISTEREN, VANDAAG)
    assert run.totaal_cent == 10000
    # A credit of the paid line: the provider now owes 10000 - 700 = 9300; nothing is paid, it carries over.
    await book(pool, ("87654321", "jw", line("87654321", "C1", 10000, dc="C", vorig="R1")))
    assert await betaalrun(pool, "0632", VANDAAG, VANDAAG) == (None, False)
    assert (await balances(pool))["jw:crediteur:87654321"] == 9300  # debit balance: owed to the municipality


async def test_a_cut_off_before_the_latest_run_or_in_the_future_is_refused(pool):
    await book(pool, ("87654321", "jw", line("87654321", "R1", 100)))
    await betaalrun(pool, "0632", VANDAAG, VANDAAG)
    with pytest.raises(PeildatumAfgerekend):  # 409
        await betaalrun(pool, "0632", GISTEREN, VANDAAG)
    with pytest.raises(PeildatumInDeToekomst):  # 422
        await betaalrun(pool, "0632", VANDAAG + dt.timedelta(days=1), VANDAAG)


@pytest.mark.parametrize("statement", ["UPDATE betaalruns SET totaal_cent = 1", "DELETE FROM betaalrun_regels"])
async def test_a_run_never_changes(pool, statement):
    await book(pool, ("87654321", "jw", line("87654321", "R1", 100)))
    await betaalrun(pool, "0632", VANDAAG, VANDAAG)
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
        await pool.execute(statement)
