"""The ledger's invariants under random sequences of approvals, credits, duplicates, replays, conflicting
content and payment runs, checked on real PostgreSQL after every step (property-based, hypothesis).

Invariants: debits = credits per journal entry and per ledger; every balance is the sum of its journal lines; no
idempotency key is posted twice; every declaration entry traces back to exactly one approved line of a processed
verdict (and every such line has its entry); nothing is ever deleted (counts never go down); what is made payable
against a spending ceiling never exceeds it and withheld amounts are never negative.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import facturatie
from facturatie.adapters.sepa import pain001
from facturatie.adapters.unit_of_work import PostgresFacturatieUnitOfWork
from facturatie.service_layer.betaalruns import maak_betaalrun
from facturatie.service_layer.handlers import boek_verdict
from shared.kalender import SYSTEEMKLOK
from shared.models import PrestatieOordeel
from shared.platform.events import BeoordeeldePrestatie, DeclaratieBeoordeeld, idempotentie_sleutel
from shared.platform.regio import load_regio
from tests.conftest import schema_pool
from tools.checkout import DEFAULT_REGIO

pytestmark = pytest.mark.integration
MIGRATIONS = Path(facturatie.__file__).parent / "migrations"
REGIO = load_regio(DEFAULT_REGIO)
AANBIEDERS = ("87654321", "12345678")
GEMEENTEN = ("0632", "1904")
# One provider has a ceiling in one municipality, low enough that random sequences cross it.
PLAFONDS = {("0632", "jw", "87654321", 2026): 150_000}

stap = st.one_of(
    st.tuples(st.just("goedkeuren"), st.sampled_from(AANBIEDERS), st.sampled_from(GEMEENTEN),
              st.sampled_from(("45", "43", "54")), st.integers(0, 500_000)),
    st.tuples(st.just("crediteren"), st.integers(0, 50)),
    st.tuples(st.just("herbezorgen"), st.integers(0, 50)),      # the same event again (Kafka redelivery)
    st.tuples(st.just("opnieuw_beoordeeld"), st.integers(0, 50)),  # the same lines under a new event id
    st.tuples(st.just("andere_inhoud"), st.integers(0, 50)),     # a known key with another amount
    st.tuples(st.just("betaalrun"), st.sampled_from(GEMEENTEN)),
)


def verdict(aanbieder: str, gemeente: str, lines: list[BeoordeeldePrestatie], event_id: str | None = None):
    bericht_id = str(uuid.uuid4())
    netto = sum(p.bedrag if p.debet_credit == "D" else -p.bedrag for p in lines)
    return DeclaratieBeoordeeld(
        event_id=event_id or str(uuid.uuid4()), bericht_id=bericht_id, domein="jw", aanbieder=aanbieder,
        gemeente=gemeente, declaratienummer="D1", header_retourcodes=["0200"],
        oordelen=[PrestatieOordeel(referentienummer=p.referentienummer) for p in lines], goedgekeurd=lines,
        totaal_toegekend_bedrag=abs(netto), totaal_toegekend_debet_credit="D" if netto >= 0 else "C")


def line(aanbieder: str, ref: str, cat: str, bedrag: int, dc: str = "D", vorig: str | None = None):
    return BeoordeeldePrestatie(idempotentie_sleutel=idempotentie_sleutel(aanbieder, "jw", ref), referentienummer=ref,
                                vorig_referentienummer=vorig, productcategorie=cat, productcode=f"{cat}X",
                                periode_begin=dt.date(2026, 10, 1), bedrag=bedrag, debet_credit=dc)


async def check_invariants(conn, expected_keys: set[str], counts_before: dict[str, int]) -> dict[str, int]:
    unbalanced = await conn.fetchval(
        "SELECT count(*) FROM (SELECT journaalpost_id FROM journaalregels GROUP BY journaalpost_id "
        "HAVING sum(debet_cent) <> sum(credit_cent)) x")
    assert unbalanced == 0, "a journal entry does not balance"
    ledgers = await conn.fetch(
        "SELECT r.gemeente, r.domein, sum(j.debet_cent) d, sum(j.credit_cent) c FROM journaalregels j "
        "JOIN rekeningen r ON r.id = j.rekening_id GROUP BY r.gemeente, r.domein")
    assert all(x["d"] == x["c"] for x in ledgers), "a ledger does not balance"
    drift = await conn.fetchval(
        "SELECT count(*) FROM rekeningen r WHERE saldo_cent <> coalesce((SELECT sum(debet_cent - credit_cent) "
        "FROM journaalregels j WHERE j.rekening_id = r.id), 0)")
    assert drift == 0, "a balance differs from the sum of its journal lines"
    keys = [r["idempotentie_sleutel"] for r in await conn.fetch(
        "SELECT idempotentie_sleutel FROM journaalposten WHERE soort = 'prestatie'")]
    assert len(keys) == len(set(keys)), "an idempotency key was posted twice"
    assert set(keys) == expected_keys, "declaration entries differ from the approved lines of processed verdicts"
    for (cbs, domein, agb, jaar), plafond in PLAFONDS.items():
        benut, ingehouden = await conn.fetchrow(
            "SELECT coalesce(sum(j.credit_cent - j.debet_cent) FILTER (WHERE r.code = 'crediteur:' || $3), 0), "
            "coalesce(sum(j.credit_cent - j.debet_cent) FILTER (WHERE r.code = 'ingehouden:' || $3), 0) "
            "FROM journaalregels j JOIN rekeningen r ON r.id = j.rekening_id "
            "JOIN journaalposten p ON p.id = j.journaalpost_id "
            "WHERE r.gemeente = $1 AND r.domein = $2 AND p.soort = 'prestatie' AND p.prestatiejaar = $4",
            cbs, domein, agb, jaar)
        assert benut <= plafond, "more was made payable than the spending ceiling allows"
        assert ingehouden >= 0, "a withheld amount went negative"
    counts = {t: await conn.fetchval(f"SELECT count(*) FROM {t}")
              for t in ("journaalposten", "journaalregels", "betaalruns", "betaalrun_regels", "inbox")}
    assert all(counts[t] >= counts_before.get(t, 0) for t in counts), "something was deleted"
    return counts


async def scenario(infra, stappen) -> None:
    async with schema_pool(infra, "facturatie", MIGRATIONS) as pool:
        async def verwerk(event) -> bool:
            return await boek_verdict(PostgresFacturatieUnitOfWork(pool), event, PLAFONDS)

        events: list[DeclaratieBeoordeeld] = []
        debits: list[tuple[str, str, BeoordeeldePrestatie]] = []  # (aanbieder, gemeente, line) not yet credited
        expected: set[str] = set()
        counts: dict[str, int] = {}
        vandaag = SYSTEEMKLOK.vandaag()
        for n, s in enumerate(stappen):
            soort = s[0]
            if soort == "goedkeuren":
                _, agb, cbs, cat, bedrag = s
                p = line(agb, f"R{n}", cat, bedrag)
                events.append(verdict(agb, cbs, [p]))
                await verwerk(events[-1])
                debits.append((agb, cbs, p))
                expected.add(p.idempotentie_sleutel)
            elif soort == "crediteren" and debits:
                agb, cbs, d = debits.pop(s[1] % len(debits))
                c = line(agb, f"C{n}", d.productcategorie, d.bedrag, "C", d.referentienummer)
                events.append(verdict(agb, cbs, [c]))
                await verwerk(events[-1])
                expected.add(c.idempotentie_sleutel)
            elif soort == "herbezorgen" and events:
                assert not await verwerk(events[s[1] % len(events)])
            elif soort == "opnieuw_beoordeeld" and events:
                e = events[s[1] % len(events)]
                await verwerk(e.model_copy(update={"event_id": str(uuid.uuid4())}))
            elif soort == "andere_inhoud" and events:
                e = events[s[1] % len(events)]
                anders = [p.model_copy(update={"bedrag": p.bedrag + 1}) for p in e.goedgekeurd]
                await verwerk(verdict(e.aanbieder, e.gemeente, anders))
            elif soort == "betaalrun":
                await maak_betaalrun(PostgresFacturatieUnitOfWork(pool), REGIO, pain001, s[1], vandaag, vandaag,
                                     SYSTEEMKLOK)
            async with pool.acquire() as conn:
                counts = await check_invariants(conn, expected, counts)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(stappen=st.lists(stap, min_size=1, max_size=30))
# Always also: cross the ceiling, reverse the line that crossed it, cross it again, redeliver, pay.
@example(stappen=[("goedkeuren", "87654321", "0632", "45", 100_000), ("goedkeuren", "87654321", "0632", "43", 90_000),
                  ("crediteren", 1), ("goedkeuren", "87654321", "0632", "45", 200_000), ("herbezorgen", 3),
                  ("betaalrun", "0632"), ("goedkeuren", "87654321", "0632", "54", 1)])
def test_ledger_invariants_hold_after_every_step(infra, stappen):
    asyncio.run(scenario(infra, stappen))
