"""asyncpg adapter for the ledger (`service_layer.unit_of_work.Grootboek`): batched, idempotent, deadlock-free
posting, and the ledger's read views.

Posting a batch (the order `service_layer.grootboek.boek` calls these in): look up existing keys' fingerprints,
record refused entries, fetch the originals of reversals, lock the touched spending ceilings (in sorted order) and
read what was made payable against them, create missing accounts and insert the journal rows with unnest, and last
lock the touched balance rows in id order (a fixed order, so concurrent batches never deadlock) and apply one
netted change per account. Locking last keeps the window in which a busy account (a municipality's expense per
category) is held to the end of the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg

from shared.platform.db import Conn

from ..domain.grootboek import Journaalpost, PlafondSleutel, Regel, Rekeningsleutel
from ..domain.overzichten import Boekingsregel, GeboektePost, Regelhistorie, Saldo, Uitbetaling

# A booking day is a day in the Netherlands.
TIJDZONE = "Europe/Amsterdam"

# Key spaces of the advisory locks (the two-integer form never meets the one-bigint locks elsewhere). Every
# transaction takes ceiling locks before balance locks, each kind in sorted order: no cycle, no deadlock.
SALDO_SLOT = 4217
PLAFOND_SLOT = 4218

# Entries, their lines and the id range per message in one statement: the entries get ids from the sequence up
# front, numbered as in the batch, and each line names its entry by that number (no ids travel back and forth).
# A line's amount is signed (debit positive): two numbers per line instead of three.
_INSERT_POSTEN = (
    "WITH ids AS MATERIALIZED (SELECT n, nextval(pg_get_serial_sequence('journaalposten', 'id')) AS id "
    "FROM generate_series(1, $1::int) AS n), "
    "nieuw AS MATERIALIZED (SELECT ids.id, u.* FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], "
    "$6::text[], $7::text[], $8::text[], $9::text[], $10::smallint[]) "
    "WITH ORDINALITY AS u(k, h, g, d, b, o, t, s, j, n) JOIN ids USING (n)), "
    "posten AS (INSERT INTO journaalposten (id, idempotentie_sleutel, inhoud_hash, gemeente, domein, bericht_id, "
    "omschrijving, tegenboeking_van, soort, prestatiejaar) SELECT id, k, h, g, d, b, o, t, s, j FROM nieuw), "
    "berichten AS (INSERT INTO journaalberichten SELECT b, min(id), max(id) FROM nieuw GROUP BY b) "
    "INSERT INTO journaalregels (journaalpost_id, rekening_id, debet_cent, credit_cent) "
    "SELECT ids.id, r.rekening, greatest(r.bedrag, 0), greatest(-r.bedrag, 0) "
    "FROM unnest($11::int[], $12::bigint[], $13::bigint[]) AS r(n, rekening, bedrag) JOIN ids USING (n)")

_JOURNAAL = (
    "SELECT id, idempotentie_sleutel, domein, bericht_id, omschrijving, tegenboeking_van, soort, geboekt_at "
    "FROM journaalposten p WHERE gemeente = $1 AND ($2::text IS NULL OR bericht_id = $2) AND id > $3 "
    "AND ($10::bigint IS NULL OR id BETWEEN $10 AND $11) "
    "AND ($5::text IS NULL OR domein = $5) AND ($6::text IS NULL OR soort = $6) "
    "AND ($7::text IS NULL OR EXISTS (SELECT 1 FROM journaalregels j JOIN rekeningen r ON r.id = j.rekening_id "
    "WHERE j.journaalpost_id = p.id AND r.code = $7)) "
    "AND ($8::date IS NULL OR geboekt_at >= ($8::date::timestamp AT TIME ZONE 'Europe/Amsterdam')) "
    "AND ($9::date IS NULL OR geboekt_at < (($9::date + 1)::timestamp AT TIME ZONE 'Europe/Amsterdam')) "
    "ORDER BY id LIMIT $4")


class PostgresGrootboek:
    """The ledger on the unit of work's connection (inside its transaction)."""

    def __init__(self, conn: Conn):
        self._conn = conn
        self._rekening_id: dict[Rekeningsleutel, int] = {}  # accounts are never deleted: safe to remember

    # ------------------------------------------------------------------ posting

    async def find_fingerprints(self, sleutels: Sequence[str]) -> dict[str, str]:
        if not sleutels:
            return {}
        rows = await self._conn.fetch(
            "SELECT idempotentie_sleutel, inhoud_hash FROM journaalposten WHERE idempotentie_sleutel = ANY($1::text[])",
            list(sleutels))
        return {r["idempotentie_sleutel"]: r["inhoud_hash"] for r in rows}

    async def record_refused(self, posten: Sequence[Journaalpost], reden: str) -> None:
        if posten:
            await self._conn.executemany(
                "INSERT INTO geweigerde_boekingen (idempotentie_sleutel, bericht_id, reden) VALUES ($1, $2, $3)",
                [(p.idempotentie_sleutel, p.bericht_id, reden) for p in posten])

    async def find_entries(self, sleutels: Sequence[str]) -> dict[str, Journaalpost]:
        if not sleutels:
            return {}
        rows = await self._conn.fetch(
            "SELECT p.idempotentie_sleutel, p.gemeente, p.domein, p.bericht_id, p.omschrijving, p.prestatiejaar, "
            "p.tegenboeking_van, p.soort, array_agg(r.code ORDER BY r.id) AS codes, "
            "array_agg(j.debet_cent ORDER BY r.id) AS debet, array_agg(j.credit_cent ORDER BY r.id) AS credit "
            "FROM journaalposten p JOIN journaalregels j ON j.journaalpost_id = p.id "
            "JOIN rekeningen r ON r.id = j.rekening_id WHERE p.idempotentie_sleutel = ANY($1::text[]) GROUP BY p.id",
            list(sleutels))
        return {r["idempotentie_sleutel"]: Journaalpost(
            r["idempotentie_sleutel"], r["gemeente"], r["domein"], r["bericht_id"], r["omschrijving"],
            r["tegenboeking_van"], tuple(map(Regel, r["codes"], r["debet"], r["credit"])), soort=r["soort"],
            prestatiejaar=r["prestatiejaar"]) for r in rows}

    async def lock_ceilings(self, sleutels: Sequence[PlafondSleutel]) -> dict[PlafondSleutel, int]:
        if not sleutels:
            return {}
        kolommen = [list(c) for c in zip(*sorted(sleutels))]
        await self._conn.execute(
            "SELECT count(pg_advisory_xact_lock($5, h)) FROM (SELECT DISTINCT hashtext(concat_ws(':', g, d, a, j)) "
            "AS h FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS k(g, d, a, j) ORDER BY h) "
            "AS gesorteerd",
            *kolommen, PLAFOND_SLOT)
        # Payments are not declarations and give no room back: only prestatie entries count.
        rows = await self._conn.fetch(
            "SELECT k.g, k.d, k.a, k.j, sum(j.credit_cent - j.debet_cent)::bigint AS benut "
            "FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS k(g, d, a, j) "
            "JOIN rekeningen r ON r.gemeente = k.g AND r.domein = k.d AND r.code = 'crediteur:' || k.a "
            "JOIN journaalregels j ON j.rekening_id = r.id "
            "JOIN journaalposten p ON p.id = j.journaalpost_id AND p.soort = 'prestatie' AND p.prestatiejaar = k.j "
            "GROUP BY k.g, k.d, k.a, k.j", *kolommen)
        return {(r["g"], r["d"], r["a"], r["j"]): r["benut"] for r in rows}

    async def add(self, posten: Sequence[Journaalpost], vingerafdrukken: Sequence[str]) -> None:
        if not posten:
            return
        rekening_id = await self._rekeningen(sorted({(p.gemeente, p.domein, r.rekening) for p in posten
                                                     for r in p.regels}))
        volgnummers, rekeningen, bedragen = [], [], []
        for i, p in enumerate(posten, 1):
            for r in p.regels:  # zero-amount lines are recorded as entries without lines
                volgnummers.append(i)
                rekeningen.append(rekening_id[(p.gemeente, p.domein, r.rekening)])
                bedragen.append(r.debet - r.credit)
        await self._conn.execute(
            _INSERT_POSTEN, len(posten), [p.idempotentie_sleutel for p in posten], list(vingerafdrukken),
            [p.gemeente for p in posten], [p.domein for p in posten], [p.bericht_id for p in posten],
            [p.omschrijving for p in posten], [p.tegenboeking_van for p in posten], [p.soort for p in posten],
            [p.prestatiejaar for p in posten], volgnummers, rekeningen, bedragen)

    async def _rekeningen(self, keys: list[Rekeningsleutel]) -> dict[Rekeningsleutel, int]:
        """The accounts' ids, creating the accounts that do not exist yet."""
        gezocht = [k for k in keys if k not in self._rekening_id]
        if gezocht:
            self._rekening_id |= await self._find_accounts(gezocht)
        ontbrekend = [k for k in gezocht if k not in self._rekening_id]
        if ontbrekend:
            # Only accounts that do not exist yet: an insert that meets an existing account being updated by another
            # transaction waits for that transaction (unique check), and then lock order is no longer ours.
            await self._conn.execute(
                "INSERT INTO rekeningen (gemeente, domein, code) SELECT * FROM unnest($1::text[], $2::text[], "
                "$3::text[]) ON CONFLICT DO NOTHING", *zip(*ontbrekend))
            self._rekening_id |= await self._find_accounts(ontbrekend)
        return self._rekening_id

    async def _find_accounts(self, keys: list[Rekeningsleutel]) -> dict[Rekeningsleutel, int]:
        rows = await self._conn.fetch(
            "SELECT r.id, r.gemeente, r.domein, r.code FROM rekeningen r "
            "JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(g, d, c) ON r.gemeente = k.g AND r.domein = k.d "
            "AND r.code = k.c", *zip(*keys))
        return {(r["gemeente"], r["domein"], r["code"]): r["id"] for r in rows}

    async def update_balances(self, mutaties: Mapping[Rekeningsleutel, int]) -> None:
        """Lock the balances in id order, then apply each account's netted change once. The locks are advisory
        locks taken one by one in the order of a sorted subquery: `SELECT … ORDER BY id FOR UPDATE` was measured
        to deadlock under four concurrent posters (row locks follow update chains, not our order)."""
        if not mutaties:
            return
        rekening_id = await self._rekeningen(sorted(mutaties))
        per_id = {rekening_id[k]: delta for k, delta in mutaties.items()}
        ids = sorted(per_id)
        await self._conn.execute(
            "SELECT count(pg_advisory_xact_lock($2, id::int)) FROM (SELECT id FROM unnest($1::bigint[]) AS id "
            "ORDER BY id) AS gesorteerd", ids, SALDO_SLOT)
        await self._conn.execute(
            "UPDATE rekeningen r SET saldo_cent = r.saldo_cent + m.delta "
            "FROM unnest($1::bigint[], $2::bigint[]) AS m(id, delta) WHERE r.id = m.id",
            ids, [per_id[i] for i in ids])

    # ------------------------------------------------------------------ reading

    async def list_balances(self, gemeente: str, domein: str | None) -> list[Saldo]:
        rows = await self._conn.fetch(
            "SELECT domein, code, saldo_cent FROM rekeningen WHERE gemeente = $1 AND ($2::text IS NULL OR domein = $2) "
            "ORDER BY domein, code", gemeente, domein)
        return [Saldo(r["domein"], r["code"], r["saldo_cent"]) for r in rows]

    async def list_journal(self, gemeente: str, *, bericht_id: str | None, limit: int, na_id: int,
                           domein: str | None = None, soort: str | None = None, rekening: str | None = None,
                           van: dt.date | None = None, tot: dt.date | None = None) -> list[GeboektePost]:
        # A message's entries: only within the id ranges it was booked in.
        bereik: list[Any] = [None, None]
        if bericht_id is not None:
            bereik = list(await self._conn.fetchrow(
                "SELECT min(eerste_id), max(laatste_id) FROM journaalberichten WHERE bericht_id = $1",
                bericht_id) or [None, None])
            if bereik[0] is None:
                return []
        posten = await self._conn.fetch(_JOURNAAL, gemeente, bericht_id, na_id, limit, domein, soort, rekening, van,
                                        tot, *bereik)
        return await self._met_regels(posten)

    async def find_line_history(self, gemeente: str, sleutel: str) -> Regelhistorie | None:
        posten = await self._conn.fetch(
            "SELECT id, idempotentie_sleutel, domein, bericht_id, omschrijving, tegenboeking_van, soort, geboekt_at "
            "FROM journaalposten WHERE gemeente = $1 AND (idempotentie_sleutel = $2 OR tegenboeking_van = $2) "
            "ORDER BY id", gemeente, sleutel)
        if not posten:
            return None
        aanbieder = sleutel.split(":", 1)[0]
        run = await self._conn.fetchrow(
            "SELECT b.id, b.peildatum, b.uitvoeringsdatum, r.bedrag_cent, r.end_to_end_id FROM betaalruns b "
            "JOIN betaalrun_regels r ON r.betaalrun_id = b.id WHERE b.gemeente = $1 AND r.domein = $2 "
            "AND r.aanbieder = $3 AND (($4::timestamptz AT TIME ZONE 'Europe/Amsterdam')::date) <= b.peildatum "
            "ORDER BY b.peildatum LIMIT 1", gemeente, posten[0]["domein"], aanbieder, posten[0]["geboekt_at"])
        betaald = None if run is None else Uitbetaling(run["id"], run["peildatum"], run["uitvoeringsdatum"],
                                                       run["bedrag_cent"], run["end_to_end_id"])
        return Regelhistorie(sleutel, tuple(await self._met_regels(posten)), betaald)

    async def _met_regels(self, posten: list[asyncpg.Record]) -> list[GeboektePost]:
        regels = await self._conn.fetch(
            "SELECT j.journaalpost_id, r.code, j.debet_cent, j.credit_cent FROM journaalregels j "
            "JOIN rekeningen r ON r.id = j.rekening_id WHERE j.journaalpost_id = ANY($1::bigint[]) "
            "ORDER BY j.journaalpost_id, j.debet_cent DESC", [p["id"] for p in posten])
        per_post: dict[int, list[Boekingsregel]] = {}
        for r in regels:
            per_post.setdefault(r["journaalpost_id"], []).append(
                Boekingsregel(r["code"], r["debet_cent"], r["credit_cent"]))
        return [GeboektePost(p["id"], p["idempotentie_sleutel"], p["domein"], p["bericht_id"], p["omschrijving"],
                             p["tegenboeking_van"], p["soort"], p["geboekt_at"], tuple(per_post.get(p["id"], ())))
                for p in posten]

    async def costs_per_category(self, gemeente: str, jaar: int) -> dict[tuple[str, str], int]:
        rows = await self._conn.fetch(
            "SELECT r.domein, substr(r.code, 8) AS categorie, sum(j.debet_cent - j.credit_cent)::bigint AS netto "
            "FROM journaalregels j JOIN rekeningen r ON r.id = j.rekening_id "
            "JOIN journaalposten p ON p.id = j.journaalpost_id WHERE r.gemeente = $1 AND r.code LIKE 'kosten:%' "
            "AND p.geboekt_at >= (make_date($2, 1, 1)::timestamp AT TIME ZONE 'Europe/Amsterdam') "
            "AND p.geboekt_at < (make_date($2 + 1, 1, 1)::timestamp AT TIME ZONE 'Europe/Amsterdam') "
            "GROUP BY r.domein, r.code", gemeente, jaar)
        return {(r["domein"], r["categorie"]): r["netto"] for r in rows}

    async def ceiling_usage(self, gemeente: str, jaar: int) -> dict[tuple[str, str], tuple[int, int]]:
        rows = await self._conn.fetch(
            "SELECT r.domein, split_part(r.code, ':', 2) AS aanbieder, "
            "coalesce(sum(j.credit_cent - j.debet_cent) FILTER (WHERE r.code LIKE 'crediteur:%'), 0)::bigint "
            "AS betaalbaar, "
            "coalesce(sum(j.credit_cent - j.debet_cent) FILTER (WHERE r.code LIKE 'ingehouden:%'), 0)::bigint "
            "AS ingehouden "
            "FROM journaalregels j JOIN rekeningen r ON r.id = j.rekening_id "
            "JOIN journaalposten p ON p.id = j.journaalpost_id "
            "WHERE r.gemeente = $1 AND (r.code LIKE 'crediteur:%' OR r.code LIKE 'ingehouden:%') "
            "AND p.soort = 'prestatie' AND p.prestatiejaar = $2 GROUP BY 1, 2", gemeente, jaar)
        return {(r["domein"], r["aanbieder"]): (r["betaalbaar"], r["ingehouden"]) for r in rows}
