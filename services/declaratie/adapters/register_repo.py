"""PostgreSQL adapter for the registers the level-3 rules read (the `Registers` port): allocations,
identifications, declarations and lines. Loads a Beoordelingscontext for one message and records a judged message's
facts and its verdict's summary, on the unit of work's connection (the transaction that claims the event and
enqueues the verdict)."""

from __future__ import annotations

import datetime as dt

import asyncpg

from shared.models import Declaratiebericht, Omvang, Toewijzingsbericht
from shared.platform.db import Conn

from ..domain.beoordeling import Beoordeling
from ..domain.context import Beoordelingscontext, EerdereRegel, ToewijzingStand
from ..service_layer.unit_of_work import GelijktijdigGebruikt, Samenvatting

_TOEWIJZING_COLUMNS = ("toewijzingnummer, aanbieder, client_sleutel, categorie, code, ingangsdatum, einddatum, "
                       "reden_wijziging, volume, eenheid, frequentie, budget")
_GECREDITEERD = ("p.debet_credit = 'D' AND EXISTS (SELECT 1 FROM prestaties c WHERE c.vorig_referentienummer = "
                 "p.referentienummer AND c.aanbieder = p.aanbieder AND c.domein = p.domein AND c.goedgekeurd "
                 "AND c.debet_credit = 'C') AS gecrediteerd")
_REGEL_COLUMNS = ("referentienummer, debet_credit, goedgekeurd, toewijzingnummer, categorie, code, periode_begin, "
                  "periode_eind, geleverd_volume, eenheid, bedrag, vorig_referentienummer")


def _toewijzing(row: asyncpg.Record) -> ToewijzingStand:
    omvang = (Omvang.model_construct(volume=row["volume"], eenheid=row["eenheid"], frequentie=row["frequentie"])
              if row["volume"] is not None else None)
    return ToewijzingStand(row["toewijzingnummer"], row["aanbieder"], row["client_sleutel"], row["categorie"],
                           row["code"], row["ingangsdatum"], row["einddatum"], row["reden_wijziging"], omvang,
                           row["budget"])


def _regel(row: asyncpg.Record) -> EerdereRegel:
    return EerdereRegel(row["referentienummer"], row["debet_credit"], row["goedgekeurd"], row["toewijzingnummer"],
                        row["categorie"], row["code"], row["periode_begin"], row["periode_eind"],
                        row["geleverd_volume"], row["eenheid"], row["bedrag"], row["vorig_referentienummer"])



class PostgresRegisters:
    """The registers on one connection, inside the unit of work's transaction."""

    def __init__(self, conn: Conn):
        self._conn = conn

    async def huidige_toewijzingen(self, domein: str, gemeente: str, nummers: list[int]) -> dict[int, ToewijzingStand]:
        rows = await self._conn.fetch(
            f"SELECT DISTINCT ON (toewijzingnummer) {_TOEWIJZING_COLUMNS} FROM toewijzingen "
            "WHERE domein = $1 AND gemeente = $2 AND toewijzingnummer = ANY($3::bigint[]) "
            "ORDER BY toewijzingnummer, toewijzingsdatum DESC, toewijzingstijd DESC", domein, gemeente, nummers)
        return {r["toewijzingnummer"]: _toewijzing(r) for r in rows}

    async def laad_context(self, bericht: Declaratiebericht, gemeente: str,
                           systeemdatum: dt.date) -> Beoordelingscontext:
        aanbieder, domein = bericht.header.afzender, bericht.domein
        prestaties = [p for _c, p in bericht.prestaties()]
        refs = [p.referentienummer for p in prestaties]
        vorige = [p.vorig_referentienummer for p in prestaties if p.vorig_referentienummer]
        nummers = sorted({p.toewijzingnummer for p in prestaties})
        # Three round trips per message, not seven: at ~100 lines a message the round trips cost as much as the
        # rules.
        stand = await self._conn.fetchrow(
            # TR056 per berichtsoort: the domain is part of the kind (JW323 and WMO323 are different kinds).
            "SELECT EXISTS (SELECT 1 FROM berichtidentificaties WHERE afzender = $1 AND berichttype = '323' "
            "AND identificatie = $4 AND (domein = $2 OR domein IS NULL)) AS identificatie_gebruikt, "
            "EXISTS (SELECT 1 FROM declaraties WHERE aanbieder = $1 AND domein = $2 AND declaratienummer = $5) "
            "AS declaratienummer_gebruikt, "
            "(SELECT max(periode_begin) FROM declaraties WHERE aanbieder = $1 AND domein = $2 AND gemeente = $3) "
            "AS laatste, "
            "ARRAY(SELECT referentienummer FROM prestaties WHERE referentienummer = ANY($6::text[]) "
            "AND aanbieder = $1 AND domein = $2) AS gebruikt",
            aanbieder, domein, gemeente, bericht.header.identificatie, bericht.declaratie.declaratienummer, refs)
        assert stand is not None  # a SELECT without FROM returns exactly one row
        # Approved earlier lines by two index look-ups (an OR across two indexes tempts the planner into a scan),
        # each debit with whether an approved credit already reverses it.
        eerdere_rows = await self._conn.fetch(
            f"SELECT {_REGEL_COLUMNS}, {_GECREDITEERD} FROM prestaties p WHERE referentienummer = ANY($3::text[]) "
            f"AND aanbieder = $1 AND domein = $2 AND goedgekeurd UNION ALL SELECT {_REGEL_COLUMNS}, {_GECREDITEERD} "
            "FROM prestaties p WHERE toewijzingnummer = ANY($5::bigint[]) AND gemeente = $4 AND domein = $2 "
            "AND aanbieder = $1 AND goedgekeurd", aanbieder, domein, vorige, gemeente, nummers)
        return Beoordelingscontext(
            systeemdatum=systeemdatum, identificatie_gebruikt=stand["identificatie_gebruikt"],
            declaratienummer_gebruikt=stand["declaratienummer_gebruikt"], laatste_declaratieperiode=stand["laatste"],
            toewijzingen=await self.huidige_toewijzingen(domein, gemeente, nummers),
            gebruikte_referenties=frozenset(stand["gebruikt"]), eerdere={r["referentienummer"]: _regel(r)
                                                                        for r in eerdere_rows},
            gecrediteerd=frozenset(r["referentienummer"] for r in eerdere_rows if r["gecrediteerd"]))

    async def leg_vast(self, bericht_id: str, bericht: Declaratiebericht, gemeente: str, ctx: Beoordelingscontext,
                       beoordeling: Beoordeling) -> None:
        """Record what later messages are judged against. A unique violation here means a concurrent message took
        the same number first: the caller's transaction rolls back and the event is judged again."""
        aanbieder, domein = bericht.header.afzender, bericht.domein
        # Every judged message's identification counts as used (its 325 refers to it), also when treated as not
        # sent.
        ingevoegd = await self._conn.fetchval(
            "INSERT INTO berichtidentificaties (afzender, domein, berichttype, identificatie, bericht_id) "
            "VALUES ($1, $2, '323', $3, $4) ON CONFLICT DO NOTHING RETURNING true", aanbieder, domein,
            bericht.header.identificatie, bericht_id)
        if not ingevoegd and not ctx.identificatie_gebruikt:
            raise GelijktijdigGebruikt("a message with this identification was judged at the same moment; judge again")
        if not beoordeling.verwerkt:
            return
        await self._conn.execute(
            "INSERT INTO declaraties (aanbieder, domein, declaratienummer, gemeente, periode_begin, bericht_id) "
            "VALUES ($1, $2, $3, $4, $5, $6)", aanbieder, domein, bericht.declaratie.declaratienummer, gemeente,
            bericht.declaratie.declaratieperiode.begindatum, bericht_id)
        # A reused number (8021) is already recorded under its first use, also when both uses are in this message.
        gezien = set(ctx.gebruikte_referenties)
        nieuw = []
        for r in beoordeling.vast_te_leggen:
            if r.referentienummer not in gezien:
                gezien.add(r.referentienummer)
                nieuw.append(r)
        if nieuw:
            await self._add_regels(aanbieder, domein, gemeente, bericht_id, nieuw)

    async def _add_regels(self, aanbieder: str, domein: str, gemeente: str, bericht_id: str,
                          regels: list[EerdereRegel]) -> None:
        kolommen = list(zip(*[(r.referentienummer, r.debet_credit, r.goedgekeurd, r.toewijzingnummer, r.categorie,
                               r.code, r.periode_begin, r.periode_eind, r.geleverd_volume, r.eenheid, r.bedrag,
                               r.vorig_referentienummer) for r in regels]))
        # One statement for all lines (unnest), not one round trip each.
        await self._conn.execute(
            "INSERT INTO prestaties (aanbieder, domein, gemeente, bericht_id, referentienummer, debet_credit, "
            "goedgekeurd, toewijzingnummer, categorie, code, periode_begin, periode_eind, geleverd_volume, eenheid, "
            "bedrag, vorig_referentienummer) SELECT $1, $2, $3, $4, * FROM unnest($5::text[], $6::text[], "
            "$7::boolean[], $8::bigint[], $9::text[], $10::text[], $11::date[], $12::date[], $13::bigint[], "
            "$14::text[], $15::bigint[], $16::text[])", aanbieder, domein, gemeente, bericht_id, *kolommen)

    async def leg_toewijzingen_vast(self, bericht_id: str, bericht: Toewijzingsbericht, gemeente: str,
                                    client_sleutel: str) -> tuple[int, list[int]]:
        """Record the allocation versions of a 301 (OP087: a full picture, so unchanged versions repeat and are
        ignored). Returns (new versions, refused numbers): a number already allocated to another client or
        provider in this domain and municipality is refused (TR332: unique per municipality per domain)."""
        aanbieder, domein = bericht.header.ontvanger, bericht.domein
        nummers = [t.toewijzingnummer for t in bericht.toewijzingen]
        await self._conn.execute(
            "INSERT INTO toewijzingnummers (domein, gemeente, toewijzingnummer, aanbieder, client_sleutel, "
            "bericht_id) SELECT $1, $2, n, $4, $5, $6 FROM unnest($3::bigint[]) AS n ON CONFLICT DO NOTHING",
            domein, gemeente, nummers, aanbieder, client_sleutel, bericht_id)
        eigenaren = {r["toewijzingnummer"]: (r["aanbieder"], r["client_sleutel"]) for r in await self._conn.fetch(
            "SELECT toewijzingnummer, aanbieder, client_sleutel FROM toewijzingnummers "
            "WHERE domein = $1 AND gemeente = $2 AND toewijzingnummer = ANY($3::bigint[])", domein, gemeente, nummers)}
        geweigerd = [n for n in nummers if eigenaren[n] != (aanbieder, client_sleutel)]
        versies = [t for t in bericht.toewijzingen if t.toewijzingnummer not in geweigerd]
        if not versies:
            return 0, geweigerd
        kolommen = list(zip(*[
            (t.toewijzingnummer, t.toewijzingsdatum, t.toewijzingstijd, t.productcategorie, t.productcode,
             t.ingangsdatum, t.einddatum, t.reden_wijziging, t.omvang.volume if t.omvang else None,
             t.omvang.eenheid if t.omvang else None, t.omvang.frequentie if t.omvang else None, t.budget)
            for t in versies]))
        # One statement for all versions (unnest), not one round trip each.
        status = await self._conn.execute(
            "INSERT INTO toewijzingen (domein, gemeente, aanbieder, client_sleutel, bericht_id, toewijzingnummer, "
            "toewijzingsdatum, toewijzingstijd, categorie, code, ingangsdatum, einddatum, reden_wijziging, volume, "
            "eenheid, frequentie, budget) "
            "SELECT $1, $2, $3, $4, $5, * FROM unnest($6::bigint[], $7::date[], $8::time[], $9::text[], $10::text[], "
            "$11::date[], $12::date[], $13::text[], $14::bigint[], $15::text[], $16::text[], $17::bigint[]) "
            "ON CONFLICT DO NOTHING", domein, gemeente, aanbieder, client_sleutel, bericht_id, *kolommen)
        return int(status.rsplit(" ", 1)[1]), geweigerd

    async def leg_samenvatting_vast(self, samenvatting: Samenvatting) -> None:
        s = samenvatting
        await self._conn.execute(
            "INSERT INTO beoordelingen (bericht_id, domein, aanbieder, gemeente, declaratienummer, goedgekeurd, "
            "afgewezen, toegekend_cent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", s.bericht_id, s.domein,
            s.aanbieder, s.gemeente, s.declaratienummer, s.goedgekeurd, s.afgewezen, s.toegekend_cent)
