"""`backoffice archief controleren | wissen`: check the archive's hash chains, erase content past retention."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys

import asyncpg

from shared.kalender import SYSTEEMKLOK
from shared.platform.db import create_pool

from ..adapters.unit_of_work import unit_of_work_fabriek
from ..service_layer.archief import controleer_archief, wis_verlopen

SCHEMA = "berichtenverkeer"


def add_commands(sub) -> None:
    check = sub.add_parser("controleren", help="recompute every party's hash chain; exit 1 on any break")
    check.add_argument("--json", action="store_true", help="the full report as JSON")
    check.add_argument("--schema", default=SCHEMA, help=argparse.SUPPRESS)
    check.set_defaults(func=lambda a: asyncio.run(_controleren(a)))
    wis = sub.add_parser("wissen", help="erase the content of messages past their retention (links stay)")
    wis.add_argument("--schema", default=SCHEMA, help=argparse.SUPPRESS)
    wis.set_defaults(func=lambda a: asyncio.run(_wissen(a)))


async def _pool(schema: str) -> asyncpg.Pool:
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("set DATABASE_URL to berichtenverkeer's PostgreSQL (`backoffice infra` prints it locally)")
    try:
        return await create_pool(url, schema, max_size=2)
    except (OSError, asyncpg.PostgresError) as exc:
        raise RuntimeError(f"PostgreSQL at DATABASE_URL not reachable ({type(exc).__name__}); is it running?") from None


async def _controleren(args: argparse.Namespace) -> int:
    pool = await _pool(args.schema)
    try:
        rapport = await controleer_archief(unit_of_work_fabriek(lambda: pool), SYSTEEMKLOK)
    finally:
        await pool.close()
    if args.json:
        print(json.dumps(rapport, indent=2))
    else:
        for k in rapport["ketens"]:
            print(f"{k['partij']:>10}  {k['berichten']:>8} messages  {'intact' if k['intact'] else 'BROKEN'}")
        for b in rapport["breuken"]:
            print(f"BREAK {b['partij']} link {b['volgnummer']}: {b['reden']}"
                  + (f" (message {b['bericht_id']})" if b["bericht_id"] else ""))
        print(f"{len(rapport['ketens'])} chains, {len(rapport['breuken'])} breaks", file=sys.stderr)
    return 0 if rapport["intact"] else 1


async def _wissen(args: argparse.Namespace) -> int:
    pool = await _pool(args.schema)
    try:
        gewist = await wis_verlopen(unit_of_work_fabriek(lambda: pool), SYSTEEMKLOK)
        print(f"erased the content of {gewist} messages past their retention")
    finally:
        await pool.close()
    return 0
