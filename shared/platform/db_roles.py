"""Least privilege in PostgreSQL (ADR 0042): per service schema an owner role that owns the schema and its tables
and runs the migrations, and a runtime role the service's pool connects as, with DML only.

- `service_roles_sql` is what an administrator runs once per database (idempotent): both roles, the schema owned by
  the owner, and what the owner holds of objects made before (when one role did both) handed over to it.
  deploy/postgres/10-service-roles.sh does the same for docker compose (tests/platform/integration/
  test_database_roles.py holds them equal); `ensure_service_roles` runs it for the local cluster and the tests.
- `grant_runtime_privileges` runs as the owner after the migrations: the runtime role gets exactly the DML each
  table allows. A table whose `append_only()` trigger refuses UPDATE or DELETE does not get that privilege at all
  (the trigger stays as the second line); TRUNCATE, REFERENCES and TRIGGER are never granted, and neither is
  anything on `schema_migrations`.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg
from asyncpg.pool import PoolConnectionProxy

OWNER_SUFFIX = "_owner"
RUNTIME_SUFFIX = "_app"
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,40}")  # service and database names go into SQL as identifiers

# pg_trigger.tgtype bits (PostgreSQL's include/catalog/pg_trigger.h).
_TRIGGER_TYPE_DELETE = 1 << 3
_TRIGGER_TYPE_UPDATE = 1 << 4


def owner_role(service: str) -> str:
    return f"{service}{OWNER_SUFFIX}"


def runtime_role(service: str) -> str:
    return f"{service}{RUNTIME_SUFFIX}"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _checked(name: str, what: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"{what} {name!r} is not a plain lower-case SQL name")
    return name


def service_roles_sql(service: str, database: str, *, owner_password: str, runtime_password: str) -> list[str]:
    """The statements an administrator (superuser) runs for one service in one database; safe to run again."""
    schema, db = _checked(service, "service"), _ident(database)
    owner, app = _ident(owner_role(schema)), _ident(runtime_role(schema))
    attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
    create_roles = "".join(
        f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {_literal(r)}) THEN CREATE ROLE {_ident(r)}; END IF; "
        for r in (owner_role(schema), runtime_role(schema)))
    return [
        f"DO $$ BEGIN {create_roles}END $$",
        f"ALTER ROLE {owner} WITH {attributes} PASSWORD {_literal(owner_password)}",
        f"ALTER ROLE {app} WITH {attributes} PASSWORD {_literal(runtime_password)}",
        f"GRANT CONNECT ON DATABASE {db} TO {owner}, {app}",
        f"CREATE SCHEMA IF NOT EXISTS {_ident(schema)} AUTHORIZATION {owner}",
        f"ALTER SCHEMA {_ident(schema)} OWNER TO {owner}",
        _adopt_sql(schema),
        # Nobody else may use the schema; the runtime role may find its tables in it but not create any.
        f"REVOKE ALL ON SCHEMA {_ident(schema)} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {_ident(schema)} TO {app}",
    ]


def _adopt_sql(schema: str) -> str:
    """Hand what another role made in the schema (one URL did both before) to the owner. Tables first: a sequence
    of a serial column follows its table and may not be handed over on its own."""
    s, owner = _literal(schema), _literal(owner_role(schema))
    return f"""DO $$
DECLARE
    o record;
    owner_oid oid := (SELECT oid FROM pg_roles WHERE rolname = {owner});
BEGIN
    FOR o IN SELECT c.oid, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = {s} AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND c.relowner <> owner_oid
             ORDER BY c.relkind = 'S' LOOP
        CONTINUE WHEN (SELECT relowner FROM pg_class WHERE oid = o.oid) = owner_oid;  -- moved with its table
        EXECUTE format('ALTER TABLE %I.%I OWNER TO %I', {s}, o.relname, {owner});
    END LOOP;
    FOR o IN SELECT p.oid::regprocedure AS f FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = {s} AND p.proowner <> owner_oid LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO %I', o.f, {owner});
    END LOOP;
END $$"""


@dataclass(frozen=True)
class ServiceDatabaseUrls:
    owner_url: str = field(repr=False)  # MIGRATION_DATABASE_URL (with its password)
    runtime_url: str = field(repr=False)  # DATABASE_URL (with its password)


def _url_as(url: str, user: str, password: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"))


async def ensure_service_roles(admin_url: str, service: str, *, owner_password: str,
                               runtime_password: str) -> ServiceDatabaseUrls:
    """Make (or bring up to date) the service's two roles and its schema in the admin URL's database, and return the
    URLs the service connects with. Roles belong to the cluster, so a second database on it reuses them."""
    conn = await asyncpg.connect(admin_url)
    try:
        database = await conn.fetchval("SELECT current_database()")
        statements = service_roles_sql(service, database, owner_password=owner_password,
                                       runtime_password=runtime_password)
        for attempt in range(3):
            try:
                async with conn.transaction():
                    for statement in statements:
                        await conn.execute(statement)
                break
            except (asyncpg.UniqueViolationError, asyncpg.DuplicateObjectError, asyncpg.InternalServerError):
                # Another start made the same role or grant at the same moment ("tuple concurrently updated").
                if attempt == 2:
                    raise
                await asyncio.sleep(0.1)
    finally:
        await conn.close()
    return ServiceDatabaseUrls(owner_url=_url_as(admin_url, owner_role(service), owner_password),
                               runtime_url=_url_as(admin_url, runtime_role(service), runtime_password))


_TABLES_AND_WHAT_THEY_REFUSE = f"""
SELECT c.relname,
       coalesce(bool_or(t.tgtype & {_TRIGGER_TYPE_UPDATE} <> 0), false) AS refuses_update,
       coalesce(bool_or(t.tgtype & {_TRIGGER_TYPE_DELETE} <> 0), false) AS refuses_delete
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN (pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid AND p.proname = 'append_only')
       ON t.tgrelid = c.oid AND t.tgenabled <> 'D'
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
GROUP BY c.relname ORDER BY c.relname
"""


async def grant_runtime_privileges(conn: asyncpg.Connection | PoolConnectionProxy, schema: str, role: str) -> None:
    """As the schema's owner, in one transaction: the runtime role gets exactly the DML each table allows (see the
    module docstring), so nobody sees a moment with more. Nothing to do when both URLs name the owner."""
    if role == await conn.fetchval("SELECT current_user"):
        return
    s, r = _ident(schema), _ident(role)
    statements = [f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
                  f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}"]
    for table in await conn.fetch(_TABLES_AND_WHAT_THEY_REFUSE, schema):
        if table["relname"] == "schema_migrations":
            continue
        allowed = ["SELECT", "INSERT"] + ([] if table["refuses_update"] else ["UPDATE"]) + (
            [] if table["refuses_delete"] else ["DELETE"])
        statements.append(f"GRANT {', '.join(allowed)} ON {s}.{_ident(table['relname'])} TO {r}")
    async with conn.transaction():
        await conn.execute(";\n".join(statements))


# Powers a runtime role must not have besides superuser and ownership: attributes, and the built-in roles (PG 14+)
# that reach every schema.
BEHEERRECHTEN = ("rolcreaterole", "rolcreatedb", "rolbypassrls", "rolreplication")
ALLES_ROLLEN = ("pg_write_all_data", "pg_read_all_data", "pg_execute_server_program", "pg_write_server_files")


async def privileged_runtime_facts(conn: asyncpg.Connection | PoolConnectionProxy,
                                   schema: str) -> tuple[str, bool, bool, list[str]]:
    """(role, superuser, may alter the schema's tables, its other powers): what production refuses of the role a
    pool runs as. One catalog query, cheap enough for every start."""
    row = await conn.fetchrow(
        "SELECT current_user AS rol, r.rolsuper, has_schema_privilege(current_user, $1, 'CREATE') OR EXISTS ("
        "  SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        "  WHERE n.nspname = $1 AND pg_has_role(current_user, c.relowner, 'USAGE')) AS eigenaar, "
        + ", ".join(f"r.{a}" for a in BEHEERRECHTEN) + ", "
        "  ARRAY(SELECT b.rolname::text FROM pg_roles b WHERE b.rolname = ANY($2::text[])"
        "        AND pg_has_role(current_user, b.oid, 'USAGE') ORDER BY b.rolname) AS alles_rollen "
        "FROM pg_roles r WHERE r.rolname = current_user", schema, list(ALLES_ROLLEN))
    assert row is not None  # current_user is always in pg_roles
    rechten = [a.removeprefix("rol").upper() for a in BEHEERRECHTEN if row[a]] + list(row["alles_rollen"])
    return row["rol"], row["rolsuper"], row["eigenaar"], rechten
