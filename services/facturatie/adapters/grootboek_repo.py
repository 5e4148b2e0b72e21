"""asyncpg adapter for the ledger: batched, idempotent, deadlock-free posting.

Per batch: look up existing keys (same content → already booked, other content → refused and recorded),
apply spending ceilings under a lock per ceiling, create missing accounts, insert journal rows with unnest, and last lock the touched balance rows in id order (a
fixed order, so concurrent batches never deadlock) and apply one netted change per account. Locking last keeps
the window in which a busy account (a municipality's expense per category) is held to the end of the transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import asyncpg

from ..domain.grootboek import Journaalpost, PlafondSleutel, Regel, definitieve_posten, plafondsleutel, saldomutaties


@dataclass
class BoekResultaat:
    geboekt: list[Journaalpost] = field(default_factory=list)
    al_geboekt: list[str] = field(default_factory=list)
    geweigerd: list[str] = field(default_factory=list)
    saldomutaties: dict[int, int] = field(default_factory=dict)  # account id -> net change, still to apply


async def boek(conn: asyncpg.Connection, posten: list[Journaalpost], *, saldi: bool = True,
               plafonds: dict[PlafondSleutel, int] | None = None) -> BoekResultaat:
    """Call inside a transaction. `saldi=False` leaves the balance update to `werk_saldi_bij`, so the caller can
    write its other rows first and hold the balance locks only at the very end. `plafonds`: spending ceilings."""
    result = BoekResultaat()
    if not posten:
        return result
    vingerafdrukken = [p.inhoud_hash for p in posten]
    existing = {r["idempotentie_sleutel"]: r["inhoud_hash"] for r in await conn.fetch(
        "SELECT idempotentie_sleutel, inhoud_hash FROM journaalposten WHERE idempotentie_sleutel = ANY($1::text[])",
        [p.idempotentie_sleutel for p in posten])}
    nieuw: list[Journaalpost] = []
    # The fingerprint is of what was judged. Mirroring a reversal and withholding beyond a ceiling are booking
    # decisions that a redelivery, made later with less room, must not turn into "other content".
    vingerafdruk: list[str] = []
    for p, h in zip(posten, vingerafdrukken):
        if p.idempotentie_sleutel not in existing:
            nieuw.append(p)
            vingerafdruk.append(h)
            existing[p.idempotentie_sleutel] = h
        elif existing[p.idempotentie_sleutel] == h:
            result.al_geboekt.append(p.idempotentie_sleutel)
        else:
            result.geweigerd.append(p.idempotentie_sleutel)
            await conn.execute(
                "INSERT INTO geweigerde_boekingen (idempotentie_sleutel, bericht_id, reden) VALUES ($1, $2, $3)",
                p.idempotentie_sleutel, p.bericht_id, "zelfde sleutel, andere inhoud / same key, different content")
    if not nieuw:
        return result
    originelen = await _originelen(conn, nieuw)
    ruimte = await _vergrendel_plafonds(conn, definitieve_posten(nieuw, originelen, {}), plafonds) if plafonds else {}
    nieuw = definitieve_posten(nieuw, originelen, ruimte)

    mutaties = saldomutaties(nieuw)
    keys = sorted({(p.gemeente, p.domein, r.rekening) for p in nieuw for r in p.regels})
    rekening_id = await _rekeningen(conn, keys)
    ontbrekend = [k for k in keys if k not in rekening_id]
    if ontbrekend:
        # Only accounts that do not exist yet: an insert that meets an existing account being updated by another
        # transaction waits for that transaction (unique check), and then lock order is no longer ours.
        await conn.execute(
            "INSERT INTO rekeningen (gemeente, domein, code) SELECT * FROM unnest($1::text[], $2::text[], "
            "$3::text[]) ON CONFLICT DO NOTHING", *zip(*ontbrekend))
        rekening_id |= await _rekeningen(conn, ontbrekend)

    # Entries, their lines and the id range per message in one statement: the entries get ids from the sequence up
    # front, numbered as in the batch, and each line names its entry by that number (no ids travel back and forth).
    # A line's amount is signed (debit positive): two numbers per line instead of three.
    volgnummers, rekeningen, bedragen = [], [], []
    for i, p in enumerate(nieuw, 1):
        for r in p.regels:  # zero-amount lines are recorded as entries without lines
            volgnummers.append(i)
            rekeningen.append(rekening_id[(p.gemeente, p.domein, r.rekening)])
            bedragen.append(r.debet - r.credit)
    await conn.execute(
        "WITH ids AS MATERIALIZED (SELECT n, nextval(pg_get_serial_sequence('journaalposten', 'id')) AS id "
        "FROM generate_series(1, $1::int) AS n), "
        "nieuw AS MATERIALIZED (SELECT ids.id, u.* FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], "
        "$6::text[], $7::text[], $8::text[], $9::text[], $10::smallint[]) WITH ORDINALITY AS u(k, h, g, d, b, o, t, s, j, n) "
        "JOIN ids USING (n)), "
        "posten AS (INSERT INTO journaalposten (id, idempotentie_sleutel, inhoud_hash, gemeente, domein, bericht_id, "
        "omschrijving, tegenboeking_van, soort, prestatiejaar) SELECT id, k, h, g, d, b, o, t, s, j FROM nieuw), "
        "berichten AS (INSERT INTO journaalberichten SELECT b, min(id), max(id) FROM nieuw GROUP BY b) "
        "INSERT INTO journaalregels (journaalpost_id, rekening_id, debet_cent, credit_cent) "
        "SELECT ids.id, r.rekening, greatest(r.bedrag, 0), greatest(-r.bedrag, 0) "
        "FROM unnest($11::int[], $12::bigint[], $13::bigint[]) AS r(n, rekening, bedrag) JOIN ids USING (n)",
        len(nieuw), [p.idempotentie_sleutel for p in nieuw], vingerafdruk, [p.gemeente for p in nieuw],
        [p.domein for p in nieuw], [p.bericht_id for p in nieuw], [p.omschrijving for p in nieuw],
        [p.tegenboeking_van for p in nieuw], [p.soort for p in nieuw], [p.prestatiejaar for p in nieuw],
        volgnummers, rekeningen, bedragen)
    result.geboekt = nieuw
    result.saldomutaties = {rekening_id[k]: delta for k, delta in mutaties.items()}
    if saldi:
        await werk_saldi_bij(conn, result)
    return result


async def _rekeningen(conn: asyncpg.Connection, keys: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], int]:
    if not keys:
        return {}
    rows = await conn.fetch(
        "SELECT r.id, r.gemeente, r.domein, r.code FROM rekeningen r "
        "JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(g, d, c) ON r.gemeente = k.g AND r.domein = k.d "
        "AND r.code = k.c", *zip(*keys))
    return {(r["gemeente"], r["domein"], r["code"]): r["id"] for r in rows}


# Key spaces of the advisory locks (the two-integer form never meets the one-bigint locks elsewhere). Every
# transaction takes ceiling locks before balance locks, each kind in sorted order: no cycle, no deadlock.
SALDO_SLOT = 4217
PLAFOND_SLOT = 4218


async def _vergrendel_plafonds(conn: asyncpg.Connection, posten: list[Journaalpost],
                               plafonds: dict[PlafondSleutel, int]) -> dict[PlafondSleutel, int]:
    """Lock each ceiling the entries touch (two batches booking the same provider must not both see the same
    room) and return the room left on each."""
    sleutels = sorted({k for p in posten if (k := plafondsleutel(p)) in plafonds})
    if not sleutels:
        return {}
    kolommen = [list(c) for c in zip(*sleutels)]
    await conn.execute(
        "SELECT count(pg_advisory_xact_lock($5, h)) FROM (SELECT DISTINCT hashtext(concat_ws(':', g, d, a, j)) AS h "
        "FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS k(g, d, a, j) ORDER BY h) AS gesorteerd",
        *kolommen, PLAFOND_SLOT)
    # Payable made against a ceiling = the provider's crediteur credits minus debits over declaration entries for
    # care in that year (payments are not declarations and give no room back).
    benut = {(r["g"], r["d"], r["a"], r["j"]): r["benut"] for r in await conn.fetch(
        "SELECT k.g, k.d, k.a, k.j, sum(j.credit_cent - j.debet_cent)::bigint AS benut "
        "FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS k(g, d, a, j) "
        "JOIN rekeningen r ON r.gemeente = k.g AND r.domein = k.d AND r.code = 'crediteur:' || k.a "
        "JOIN journaalregels j ON j.rekening_id = r.id "
        "JOIN journaalposten p ON p.id = j.journaalpost_id AND p.soort = 'prestatie' AND p.prestatiejaar = k.j "
        "GROUP BY k.g, k.d, k.a, k.j", *kolommen)}
    return {k: plafonds[k] - benut.get(k, 0) for k in sleutels}


async def werk_saldi_bij(conn: asyncpg.Connection, result: BoekResultaat) -> None:
    """Lock the balances in id order, then apply each account's netted change once. The locks are advisory
    locks taken one by one in the order of a sorted subquery: `SELECT … ORDER BY id FOR UPDATE` was measured to
    deadlock under four concurrent posters (row locks follow update chains, not our order)."""
    if not result.saldomutaties:
        return
    ids = sorted(result.saldomutaties)
    await conn.execute(
        "SELECT count(pg_advisory_xact_lock($2, id::int)) FROM (SELECT id FROM unnest($1::bigint[]) AS id "
        "ORDER BY id) AS gesorteerd", ids, SALDO_SLOT)
    await conn.execute(
        "UPDATE rekeningen r SET saldo_cent = r.saldo_cent + m.delta "
        "FROM unnest($1::bigint[], $2::bigint[]) AS m(id, delta) WHERE r.id = m.id",
        ids, [result.saldomutaties[i] for i in ids])
    result.saldomutaties = {}


async def _originelen(conn: asyncpg.Connection, posten: list[Journaalpost]) -> dict[str, Journaalpost]:
    """The booked entries the reversals among `posten` refer to (lines and year are what matter)."""
    tegen = sorted({p.tegenboeking_van for p in posten if p.tegenboeking_van})
    if not tegen:
        return {}
    rows = await conn.fetch(
        "SELECT p.idempotentie_sleutel, p.gemeente, p.domein, p.bericht_id, p.omschrijving, p.prestatiejaar, "
        "array_agg(r.code ORDER BY r.id) AS codes, array_agg(j.debet_cent ORDER BY r.id) AS debet, "
        "array_agg(j.credit_cent ORDER BY r.id) AS credit FROM journaalposten p "
        "JOIN journaalregels j ON j.journaalpost_id = p.id JOIN rekeningen r ON r.id = j.rekening_id "
        "WHERE p.idempotentie_sleutel = ANY($1::text[]) GROUP BY p.id", tegen)
    return {r["idempotentie_sleutel"]: Journaalpost(
        r["idempotentie_sleutel"], r["gemeente"], r["domein"], r["bericht_id"], r["omschrijving"], None,
        tuple(map(Regel, r["codes"], r["debet"], r["credit"])), prestatiejaar=r["prestatiejaar"]) for r in rows}


async def saldi(conn: asyncpg.Connection, gemeente: str, domein: str | None) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT domein, code, saldo_cent FROM rekeningen WHERE gemeente = $1 AND ($2::text IS NULL OR domein = $2) "
        "ORDER BY domein, code", gemeente, domein)


async def journaal(conn: asyncpg.Connection, gemeente: str, *, bericht_id: str | None, limit: int, na_id: int,
                   domein: str | None = None, soort: str | None = None, rekening: str | None = None,
                   van: dt.date | None = None, tot: dt.date | None = None) -> list[dict]:
    """Entries oldest first, paged by id; every filter optional. `rekening`: entries with a line on that account
    code; `van`/`tot`: booking days (Dutch dates), both inclusive."""
    # A message's entries: only within the id ranges it was booked in.
    bereik = [None, None] if bericht_id is None else list(await conn.fetchrow(
        "SELECT min(eerste_id), max(laatste_id) FROM journaalberichten WHERE bericht_id = $1", bericht_id))
    if bericht_id is not None and bereik[0] is None:
        return []
    posten = await conn.fetch(
        "SELECT id, idempotentie_sleutel, domein, bericht_id, omschrijving, tegenboeking_van, soort, geboekt_at "
        "FROM journaalposten p WHERE gemeente = $1 AND ($2::text IS NULL OR bericht_id = $2) AND id > $3 "
        "AND ($10::bigint IS NULL OR id BETWEEN $10 AND $11) "
        "AND ($5::text IS NULL OR domein = $5) AND ($6::text IS NULL OR soort = $6) "
        "AND ($7::text IS NULL OR EXISTS (SELECT 1 FROM journaalregels j JOIN rekeningen r ON r.id = j.rekening_id "
        "WHERE j.journaalpost_id = p.id AND r.code = $7)) "
        "AND ($8::date IS NULL OR geboekt_at >= ($8::date::timestamp AT TIME ZONE 'Europe/Amsterdam')) "
        "AND ($9::date IS NULL OR geboekt_at < (($9::date + 1)::timestamp AT TIME ZONE 'Europe/Amsterdam')) "
        "ORDER BY id LIMIT $4", gemeente, bericht_id, na_id, limit, domein, soort, rekening, van, tot, *bereik)
    return await _met_regels(conn, posten)


async def kosten_per_categorie(conn: asyncpg.Connection, gemeente: str, jaar: int) -> dict[tuple[str, str], int]:
    """Net expense per (domain, category) booked in a calendar year (Dutch dates)."""
    rows = await conn.fetch(
        "SELECT r.domein, substr(r.code, 8) AS categorie, sum(j.debet_cent - j.credit_cent)::bigint AS netto "
        "FROM journaalregels j JOIN rekeningen r ON r.id = j.rekening_id "
        "JOIN journaalposten p ON p.id = j.journaalpost_id WHERE r.gemeente = $1 AND r.code LIKE 'kosten:%' "
        "AND p.geboekt_at >= (make_date($2, 1, 1)::timestamp AT TIME ZONE 'Europe/Amsterdam') "
        "AND p.geboekt_at < (make_date($2 + 1, 1, 1)::timestamp AT TIME ZONE 'Europe/Amsterdam') "
        "GROUP BY r.domein, r.code", gemeente, jaar)
    return {(r["domein"], r["categorie"]): r["netto"] for r in rows}


async def plafondgebruik(conn: asyncpg.Connection, gemeente: str, jaar: int) -> dict[tuple[str, str], tuple[int, int]]:
    """Per (domain, provider): payable and withheld from declaration entries for care delivered in `jaar`."""
    rows = await conn.fetch(
        "SELECT r.domein, split_part(r.code, ':', 2) AS aanbieder, "
        "coalesce(sum(j.credit_cent - j.debet_cent) FILTER (WHERE r.code LIKE 'crediteur:%'), 0)::bigint AS betaalbaar, "
        "coalesce(sum(j.credit_cent - j.debet_cent) FILTER (WHERE r.code LIKE 'ingehouden:%'), 0)::bigint AS ingehouden "
        "FROM journaalregels j JOIN rekeningen r ON r.id = j.rekening_id JOIN journaalposten p ON p.id = j.journaalpost_id "
        "WHERE r.gemeente = $1 AND (r.code LIKE 'crediteur:%' OR r.code LIKE 'ingehouden:%') "
        "AND p.soort = 'prestatie' AND p.prestatiejaar = $2 GROUP BY 1, 2", gemeente, jaar)
    return {(r["domein"], r["aanbieder"]): (r["betaalbaar"], r["ingehouden"]) for r in rows}


async def regelhistorie(conn: asyncpg.Connection, gemeente: str, sleutel: str) -> tuple[list[dict], dict | None]:
    """A declaration line's postings (its own and any reversal of it) and the payment run that paid its provider
    after it was booked: the first run of the municipality with a cut-off on or after the booking day."""
    posten = await conn.fetch(
        "SELECT id, idempotentie_sleutel, domein, bericht_id, omschrijving, tegenboeking_van, soort, geboekt_at "
        "FROM journaalposten WHERE gemeente = $1 AND (idempotentie_sleutel = $2 OR tegenboeking_van = $2) "
        "ORDER BY id", gemeente, sleutel)
    if not posten:
        return [], None
    aanbieder = sleutel.split(":", 1)[0]
    run = await conn.fetchrow(
        "SELECT b.id, b.peildatum, b.uitvoeringsdatum, r.bedrag_cent, r.end_to_end_id FROM betaalruns b "
        "JOIN betaalrun_regels r ON r.betaalrun_id = b.id WHERE b.gemeente = $1 AND r.domein = $2 "
        "AND r.aanbieder = $3 AND (($4::timestamptz AT TIME ZONE 'Europe/Amsterdam')::date) <= b.peildatum "
        "ORDER BY b.peildatum LIMIT 1", gemeente, posten[0]["domein"], aanbieder, posten[0]["geboekt_at"])
    betaald = None if run is None else {
        "betaalrun_id": run["id"], "peildatum": run["peildatum"].isoformat(),
        "uitvoeringsdatum": run["uitvoeringsdatum"].isoformat(), "overboeking_cent": run["bedrag_cent"],
        "end_to_end_id": run["end_to_end_id"]}
    return await _met_regels(conn, posten), betaald


async def _met_regels(conn: asyncpg.Connection, posten: list[asyncpg.Record]) -> list[dict]:
    regels = await conn.fetch(
        "SELECT j.journaalpost_id, r.code, j.debet_cent, j.credit_cent FROM journaalregels j "
        "JOIN rekeningen r ON r.id = j.rekening_id WHERE j.journaalpost_id = ANY($1::bigint[]) "
        "ORDER BY j.journaalpost_id, j.debet_cent DESC", [p["id"] for p in posten])
    by_post: dict[int, list[dict]] = {}
    for r in regels:
        by_post.setdefault(r["journaalpost_id"], []).append(
            {"rekening": r["code"], "debet_cent": r["debet_cent"], "credit_cent": r["credit_cent"]})
    return [{**dict(p), "geboekt_at": p["geboekt_at"].isoformat(), "regels": by_post.get(p["id"], [])}
            for p in posten]
