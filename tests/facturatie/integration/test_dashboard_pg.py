"""The dashboard's statistics on real PostgreSQL: written with the booking in one transaction, once per declaration
message however often its verdict arrives, and read back as the dashboard reads them."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import asyncpg
import pytest

import facturatie
from facturatie.adapters.statistiek_repo import PostgresStatistiek
from facturatie.adapters.unit_of_work import PostgresFacturatieUnitOfWork
from facturatie.domain.beoordelingsstatistiek import Beoordelingstelling, contractsoort_uit
from facturatie.service_layer import handlers
from shared.kalender import SYSTEEMKLOK
from shared.models import PrestatieOordeel
from shared.platform.events import BeoordeeldePrestatie, DeclaratieBeoordeeld, idempotentie_sleutel
from shared.platform.regio import load_regio
from tests.conftest import schema_pool
from tools.checkout import DEFAULT_REGIO

pytestmark = pytest.mark.integration
MIGRATIONS = Path(facturatie.__file__).parent / "migrations"
REGIO = load_regio(DEFAULT_REGIO)
TR418 = "TR418 (0611) ProductTarief: Tarief wijkt af van het contracttarief; gevonden 21500, verwacht 21000 / …"


@pytest.fixture
async def pool(infra):
    async with schema_pool(infra, "facturatie", MIGRATIONS) as pool:
        yield pool


def lijn(agb: str, ref: str, bedrag: int, code: str = "45A07", dc: str = "D") -> BeoordeeldePrestatie:
    return BeoordeeldePrestatie(idempotentie_sleutel=idempotentie_sleutel(agb, "jw", ref), referentienummer=ref,
                                vorig_referentienummer=None, productcategorie=code[:2], productcode=code,
                                periode_begin=dt.date(2026, 10, 1), bedrag=bedrag, debet_credit=dc)


def verdict(agb: str, gemeente: str, goed: list[BeoordeeldePrestatie], afgekeurd: dict[str, list[str]],
            header: list[str] | None = None, bericht_id: str | None = None) -> DeclaratieBeoordeeld:
    oordelen = [PrestatieOordeel(referentienummer=p.referentienummer) for p in goed] + [
        PrestatieOordeel(referentienummer=ref, retourcodes=codes,
                         redenen=[TR418 if c == "0611" else "?" for c in codes])
        for ref, codes in afgekeurd.items()]
    return DeclaratieBeoordeeld(
        event_id=str(uuid.uuid4()), bericht_id=bericht_id or str(uuid.uuid4()), domein="jw", aanbieder=agb,
        gemeente=gemeente, declaratienummer=f"D{uuid.uuid4().hex[:6]}", header_retourcodes=header or ["0200"],
        oordelen=[] if header else oordelen, goedgekeurd=[] if header else goed,
        totaal_toegekend_bedrag=sum(p.bedrag for p in goed), totaal_toegekend_debet_credit="D")


async def boek_verdicts(pool, events, contractsoort=None) -> int:
    return await handlers.boek_verdicts(PostgresFacturatieUnitOfWork(pool), events, contractsoort=contractsoort)


async def tellingen(pool) -> tuple[int, int, int]:
    return (await pool.fetchval("SELECT count(*) FROM beoordelingen"),
            await pool.fetchval("SELECT coalesce(sum(aantal), 0) FROM afkeuringen"),
            await pool.fetchval("SELECT count(*) FROM journaalposten"))


async def test_statistics_are_recorded_once_with_the_booking_and_read_back(pool):
    soort = contractsoort_uit(REGIO)
    regionaal = verdict("87654321", "1904", [lijn("87654321", "A1", 118200), lijn("87654321", "A2", 78800)],
                        {"A3": ["0611"], "A4": ["0611", "9346"]})
    lokaal = verdict("23456789", "1904", [lijn("23456789", "B1", 102000)], {"B2": ["0611"]})
    afgewezen = verdict("87654321", "1904", [], {}, header=["9056"])
    batch = [regionaal, lokaal, afgewezen]
    assert await boek_verdicts(pool, batch, contractsoort=soort) == 3
    na_eerste = await tellingen(pool)
    assert na_eerste == (3, 2 + 1 + 1 + 1, 3)  # 0611 ×2 + 9346 in one, 0611 in the other, 9056 for the header

    # Redelivered as is (the inbox) and the same verdict under another event id (the primary key): nothing doubles.
    assert await boek_verdicts(pool, batch, contractsoort=soort) == 0
    opnieuw = regionaal.model_copy(update={"event_id": str(uuid.uuid4())})
    assert await boek_verdicts(pool, [opnieuw], contractsoort=soort) == 1
    assert await tellingen(pool) == na_eerste

    rij = await pool.fetchrow("SELECT * FROM beoordelingen WHERE bericht_id = $1", regionaal.bericht_id)
    assert (rij["regels_goedgekeurd"], rij["regels_afgekeurd"], rij["goedgekeurd_cent"], rij["regionaal_cent"],
            rij["lokaal_cent"], rij["geheel_afgewezen"]) == (2, 2, 197000, 197000, 0, False)
    assert (await pool.fetchrow("SELECT lokaal_cent, regionaal_cent FROM beoordelingen WHERE bericht_id = $1",
                                lokaal.bericht_id)) == (102000, 0)
    assert await pool.fetchval("SELECT geheel_afgewezen FROM beoordelingen WHERE bericht_id = $1",
                               afgewezen.bericht_id)

    dag = SYSTEEMKLOK.vandaag()
    async with pool.acquire() as conn:
        statistiek = PostgresStatistiek(conn)
        (totaal,) = await statistiek.count_verdicts("1904", dag, dag)
        redenen = await statistiek.list_rejection_reasons("1904", dag, dag)
        maand = await statistiek.list_month_figures("1904", dag.replace(day=1), dag)
        aandeel = await statistiek.list_contract_shares(dag.year)
        assert await statistiek.count_verdicts("0632", dag, dag) == []
    assert totaal == Beoordelingstelling(gemeente="1904", berichten=3, geheel_afgewezen=1, regels_goedgekeurd=3,
                                         regels_afgekeurd=3)
    # Ranked: most lines first; the rule's Dutch text kept, an untrusted reason not.
    assert [(r.retourcode, r.niveau, r.regel, r.aantal, r.berichten) for r in redenen] == [
        ("0611", "regel", "TR418", 3, 2), ("9056", "header", None, 1, 1), ("9346", "regel", None, 1, 1)]
    assert redenen[0].reden == "Tarief wijkt af van het contracttarief"
    # Approved this month agrees with the ledger's expense accounts.
    kosten = await pool.fetchval("SELECT sum(saldo_cent) FROM rekeningen WHERE gemeente = '1904' "
                                 "AND code LIKE 'kosten:%'")
    assert [(m.goedgekeurd, m.ingehouden) for m in maand] == [(kosten, 0)] and kosten == 299000
    assert [(a.gemeente, a.goedgekeurd, a.regionaal) for a in aandeel] == [("1904", 299000, 197000)]


async def test_a_failed_booking_leaves_no_statistics(pool):
    """One transaction: when the batch rolls back, so do its statistics (and the redelivery records them)."""
    e = verdict("87654321", "0632", [lijn("87654321", "C1", 1000)], {})
    async with pool.acquire() as conn:
        await conn.execute("ALTER TABLE afkeuringen ADD CONSTRAINT weiger_alles CHECK (false) NOT VALID")
    kapot = verdict("87654321", "0632", [], {"C2": ["0611"]})
    with pytest.raises(asyncpg.CheckViolationError):
        await boek_verdicts(pool, [e, kapot])
    assert await tellingen(pool) == (0, 0, 0)
    async with pool.acquire() as conn:
        await conn.execute("ALTER TABLE afkeuringen DROP CONSTRAINT weiger_alles")
    assert await boek_verdicts(pool, [e, kapot]) == 2
    assert await tellingen(pool) == (2, 1, 1)


async def test_statistics_are_append_only(pool):
    await boek_verdicts(pool, [verdict("87654321", "0632", [lijn("87654321", "D1", 500)], {"D2": ["0611"]})])
    for sql in ("UPDATE beoordelingen SET goedgekeurd_cent = 0", "DELETE FROM afkeuringen"):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await pool.execute(sql)
