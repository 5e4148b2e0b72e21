"""Ledger benchmark: approved declaration lines posted by facturatie's own use case (inbox claim, idempotency check,
journal, netted balances, outbox event: one transaction per verdict) by 4 concurrent consumers on real PostgreSQL.

    .venv/bin/python bench/grootboek_bench.py [--regels 200000] [--per-verdict 20] [--consumers 4] [--batch 50]

Two shapes, both with the invariant check afterwards:
- spread: 10,000 verdicts of 20 lines, each provider x municipality x domain once (10,000 payables plus
  the expense accounts);
- hot: every line on the same 2 accounts (one municipality, provider and category), the worst case for locks.
Baseline in the same run: the same journal rows COPY'd into a bare table (no checks, no balances), the ceiling of
any posting on this database. Figures only; nothing is asserted on speed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import facturatie
from facturatie.adapters.unit_of_work import PostgresFacturatieUnitOfWork
from facturatie.entrypoints.consumers import MAX_BATCH
from facturatie.service_layer.handlers import boek_verdicts
from shared.models import PrestatieOordeel
from shared.platform.db import create_pool, migrate
from shared.platform.events import BeoordeeldePrestatie, DeclaratieBeoordeeld, idempotentie_sleutel
from tools.localinfra import start_infra

MIGRATIONS = Path(facturatie.__file__).parent / "migrations"
GEMEENTEN = ("1904", "0632", "0736", "0335", "0589")


def say(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def postgres_cpu_seconds() -> float:
    """CPU time used so far by every running postgres process (server, backends, WAL writer, checkpointer)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
            if fields[0].endswith("(postgres"):
                total += sum(int(x) for x in fields[1].split()[11:13])
        except OSError:
            continue  # the process ended while we looked
    return total / tick


def verdicts(regels: int, per_verdict: int, hot: bool) -> list[DeclaratieBeoordeeld]:
    out = []
    for v in range(regels // per_verdict):
        if hot:
            agb, cbs, domein = "70000000", "0632", "jw"
        else:  # every (provider, municipality, domain) once per 10,000 verdicts: 10,000 payables + expenses
            agb, cbs, domein = f"{70000000 + v % 1000:08d}", GEMEENTEN[(v // 1000) % 5], ("jw", "wmo")[(v // 5000) % 2]
        lines = [BeoordeeldePrestatie(
            idempotentie_sleutel=idempotentie_sleutel(agb, domein, f"R{v}-{i}"), referentienummer=f"R{v}-{i}",
            vorig_referentienummer=None, productcategorie="45" if hot else ("45", "43", "54")[i % 3],
            productcode="45A07", periode_begin=dt.date(2026, 10, 1), bedrag=1000 + i, debet_credit="D")
            for i in range(per_verdict)]
        total = sum(p.bedrag for p in lines)
        out.append(DeclaratieBeoordeeld(
            event_id=str(uuid.uuid4()), bericht_id=str(uuid.uuid4()), domein=domein, aanbieder=agb, gemeente=cbs,
            declaratienummer=f"D{v}", header_retourcodes=["0200"],
            oordelen=[PrestatieOordeel(referentienummer=p.referentienummer) for p in lines], goedgekeurd=lines,
            totaal_toegekend_bedrag=total, totaal_toegekend_debet_credit="D"))
    return out


async def post_all(pool, events: list[DeclaratieBeoordeeld], consumers: int, batch: int) -> float:
    """Each consumer takes up to `batch` verdicts at a time, as the service's batch subscriber gets them from a
    Kafka poll, and books them with the service's own use case."""
    queue: asyncio.Queue = asyncio.Queue()
    for i in range(0, len(events), batch):
        queue.put_nowait(events[i:i + batch])

    async def consumer() -> None:
        while not queue.empty():
            await boek_verdicts(PostgresFacturatieUnitOfWork(pool), queue.get_nowait())

    t0 = time.monotonic()
    await asyncio.gather(*(consumer() for _ in range(consumers)))
    return time.monotonic() - t0


async def invariants(pool) -> dict:
    async with pool.acquire() as conn:
        unbalanced = await conn.fetchval(
            "SELECT count(*) FROM (SELECT journaalpost_id FROM journaalregels GROUP BY journaalpost_id "
            "HAVING sum(debet_cent) <> sum(credit_cent)) x")
        drift = await conn.fetchval(
            "SELECT count(*) FROM rekeningen r WHERE saldo_cent <> coalesce((SELECT sum(debet_cent - credit_cent) "
            "FROM journaalregels j WHERE j.rekening_id = r.id), 0)")
        dubbel = await conn.fetchval("SELECT count(*) - count(DISTINCT idempotentie_sleutel) FROM journaalposten")
        accounts = await conn.fetchval("SELECT count(*) FROM rekeningen")
        posts = await conn.fetchval("SELECT count(*) FROM journaalposten")
    return {"unbalanced_entries": unbalanced, "balances_off": drift, "duplicate_keys": dubbel,
            "accounts": accounts, "entries": posts}


async def top_statements(pool) -> None:
    """Where PostgreSQL spent its time (statements nested in functions and triggers counted too)."""
    rows = await pool.fetch(
        "SELECT round(total_exec_time) AS ms, calls, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 100) AS q "
        "FROM public.pg_stat_statements WHERE query NOT LIKE 'SELECT count(%' ORDER BY total_exec_time DESC LIMIT 10")
    for r in rows:
        say(f"    {r['ms']:>7} ms {r['calls']:>7} calls {r['rows']:>8} rows  {r['q']}")


async def copy_journaalregels(conn, rijen: int, tabel: str = "kale_regels") -> float:
    """Seconds to COPY `rijen` journal rows (entry, account, debit, credit) into a bare new table `tabel` (no
    checks, no balances, no indexes): the ceiling of any posting on this database. The rows are made first."""
    await conn.execute(f"CREATE TABLE {tabel} (post bigint, rekening bigint, debet bigint, credit bigint)")
    rows = [(i // 2, i % 1000, 1000 if i % 2 == 0 else 0, 0 if i % 2 == 0 else 1000) for i in range(rijen)]
    schema, _, naam = tabel.rpartition(".")
    t0 = time.monotonic()
    for i in range(0, len(rows), 20_000):
        await conn.copy_records_to_table(naam, records=rows[i:i + 20_000], schema_name=schema or None)
    return time.monotonic() - t0


async def baseline(pool, regels: int) -> float:
    async with pool.acquire() as conn:
        return await copy_journaalregels(conn, 2 * regels)  # two journal rows per posting


async def run(args) -> dict:
    infra = start_infra(env={"KAFKA_BOOTSTRAP_SERVERS": "not-needed:9092"}, announce=say)
    result: dict = {"benchmark": "grootboek", "lines": args.regels, "per_verdict": args.per_verdict,
                    "consumers": args.consumers}
    try:
        for shape in ("spread", "hot"):
            schema = f"facturatie_{shape}"
            pool = await create_pool(infra.database_url, schema, max_size=args.consumers + 2)
            try:
                await migrate(pool, schema, MIGRATIONS)
                if args.statements:
                    await pool.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA public")
                    db = await pool.fetchval("SELECT current_database()")
                    await pool.execute(f'ALTER DATABASE "{db}" SET pg_stat_statements.track = \'all\'')
                    await pool.expire_connections()  # new connections count nested statements too
                    await pool.execute("SELECT public.pg_stat_statements_reset()")
                events = verdicts(args.regels, args.per_verdict, hot=shape == "hot")
                # The input would arrive from Kafka a poll at a time; built up front it is 200,000 live objects
                # that every garbage collection would walk. Freezing them measures the ledger, not the input.
                gc.collect()
                gc.freeze()
                say(f"{shape}: {len(events):,} verdicts of {args.per_verdict} lines, {args.consumers} consumers")
                cpu0, pg0 = time.process_time(), postgres_cpu_seconds()
                seconds = await post_all(pool, events, args.consumers, args.batch)
                cpu_py, cpu_pg = time.process_time() - cpu0, postgres_cpu_seconds() - pg0
                check = await invariants(pool)
                if args.statements:
                    await top_statements(pool)
                # CPU per posting on each side: on 2 cores their sum bounds the rate.
                result[shape] = {"seconds": round(seconds, 2), "postings_per_s": round(args.regels / seconds),
                                 "python_cpu_us_per_posting": round(cpu_py / args.regels * 1e6, 1),
                                 "postgres_cpu_us_per_posting": round(cpu_pg / args.regels * 1e6, 1), **check}
                say(f"  {args.regels / seconds:,.0f} postings/s ({seconds:.1f}s); CPU per posting: python "
                    f"{cpu_py / args.regels * 1e6:.1f} us, postgres {cpu_pg / args.regels * 1e6:.1f} us; "
                    f"invariants: {check}")
                if shape == "spread":
                    b = await baseline(pool, args.regels)
                    result["baseline_copy_postings_per_s"] = round(args.regels / b)
                    say(f"  baseline: bare COPY of the journal rows {args.regels / b:,.0f} postings/s")
            finally:
                await pool.close()
    finally:
        infra.stop()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--regels", type=int, default=200_000)
    parser.add_argument("--per-verdict", type=int, default=20)
    parser.add_argument("--consumers", type=int, default=4)
    parser.add_argument("--batch", type=int, default=MAX_BATCH // 4,
                        help=f"verdicts per transaction (a poll of the service takes up to {MAX_BATCH})")
    parser.add_argument("--statements", action="store_true",
                        help="print the statements PostgreSQL spent most time on (pg_stat_statements)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    ok = all(result[s]["unbalanced_entries"] == result[s]["balances_off"] == result[s]["duplicate_keys"] == 0
             for s in ("spread", "hot"))
    say("invariants hold" if ok else "INVARIANT BROKEN")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
