"""On real PostgreSQL, least privilege (ADR 0042): facturatie's owner role migrates its schema, and its runtime role
does the service's work (inbox, outbox, journal) but cannot switch off, change or empty its append-only journal,
cannot drop or create tables, and cannot see berichtenverkeer's schema. Production refuses a runtime role that is a
superuser or owns the schema. A schema made before the roles existed is handed to its owner, and the compose init
script (deploy/postgres/10-service-roles.sh) leaves the same roles and privileges as shared/platform/db_roles.py."""

from __future__ import annotations

import os
import subprocess
import uuid
from urllib.parse import urlsplit

import asyncpg
import pytest
from pydantic import BaseModel

from shared.platform.db import DatabaseRoleError, claim_event, enqueue, open_service_database
from shared.platform.db_roles import owner_role, runtime_role
from tests.conftest import fresh_database
from tools.checkout import PROJECT_ROOT
from tools.localinfra import local_role_password, postgres_bindir, service_database_env

pytestmark = pytest.mark.integration
MIGRATIONS = {s: PROJECT_ROOT / "services" / s / "migrations" for s in ("berichtenverkeer", "facturatie")}
INIT_SCRIPT = PROJECT_ROOT / "deploy" / "postgres" / "10-service-roles.sh"
DENIED = asyncpg.InsufficientPrivilegeError


class Geboekt(BaseModel):
    bericht_id: str


@pytest.fixture(scope="module")
def roles_database(infra) -> tuple[str, dict[str, dict[str, str]]]:
    """A new database with both services' roles and schemas, each schema migrated by its owner."""
    admin_url = fresh_database(infra, "roles")
    env = service_database_env(admin_url, list(MIGRATIONS))
    assert set(env) == set(MIGRATIONS), "the test cluster's URL is a superuser: the roles must have been made"
    return admin_url, env


@pytest.fixture
async def facturatie(roles_database):
    """A connection as facturatie's runtime role, after its owner applied the migrations (as the service starts)."""
    _, env = roles_database
    for service, urls in env.items():
        pool, _ = await open_service_database(urls["DATABASE_URL"], service, MIGRATIONS[service],
                                              migration_url=urls["MIGRATION_DATABASE_URL"], production=True)
        await pool.close()
    conn = await asyncpg.connect(env["facturatie"]["DATABASE_URL"], server_settings={"search_path": "facturatie"})
    yield conn
    await conn.close()


async def test_the_runtime_role_does_its_work_inbox_outbox_and_journal(facturatie):
    assert await facturatie.fetchval("SELECT current_user") == runtime_role("facturatie")
    assert await facturatie.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user") is False
    async with facturatie.transaction():
        assert await claim_event(facturatie, "evt-1", "facturatie-test")
        await enqueue(facturatie, "backoffice.facturatie.geboekt.v1", "k", Geboekt(bericht_id="b1"))
        rekeningen = [await facturatie.fetchval(
            "INSERT INTO rekeningen (gemeente, domein, code) VALUES ('0632', 'jw', $1) "
            "ON CONFLICT (gemeente, domein, code) DO UPDATE SET code = EXCLUDED.code RETURNING id", code)
            for code in ("kosten:45", "schuld:87654321")]
        post = await facturatie.fetchval(
            "INSERT INTO journaalposten (idempotentie_sleutel, inhoud_hash, gemeente, domein, bericht_id, "
            "omschrijving) VALUES ($1, 'h', '0632', 'jw', 'b1', 'test') RETURNING id", f"sleutel-{uuid.uuid4()}")
        await facturatie.execute("INSERT INTO journaalregels (journaalpost_id, rekening_id, debet_cent, credit_cent) "
                                 "VALUES ($1, $2, 1000, 0), ($1, $3, 0, 1000)", post, *rekeningen)
        await facturatie.execute("UPDATE rekeningen SET saldo_cent = saldo_cent + 1000 WHERE id = $1", rekeningen[0])
    assert await facturatie.fetchval("SELECT count(*) FROM journaalregels WHERE journaalpost_id = $1", post) == 2
    assert await facturatie.fetchval("SELECT count(*) FROM outbox WHERE key = 'k'") >= 1
    # Pruning deletes from the outbox and the inbox: those tables allow it.
    await facturatie.execute("DELETE FROM inbox WHERE event_id = 'facturatie-test:evt-1'")


@pytest.mark.parametrize("statement", [
    "ALTER TABLE journaalposten DISABLE TRIGGER journaalposten_append_only",
    "ALTER TABLE journaalposten DISABLE TRIGGER ALL",
    "ALTER TABLE journaalposten ADD COLUMN x int",
    "DROP TABLE journaalregels",
    "DROP TRIGGER journaalposten_append_only ON journaalposten",
])
async def test_the_runtime_role_cannot_change_its_tables(facturatie, statement):
    with pytest.raises(DENIED, match="must be owner"):
        await facturatie.execute(statement)


@pytest.mark.parametrize("statement", [
    "UPDATE journaalposten SET omschrijving = 'anders'",
    "DELETE FROM journaalposten",
    "TRUNCATE journaalposten",
    "UPDATE journaalregels SET debet_cent = 0",
    "DELETE FROM journaalregels",
    "DELETE FROM rekeningen",
    "TRUNCATE outbox",
    "SELECT * FROM schema_migrations",
])
async def test_append_only_tables_are_not_even_granted_what_their_trigger_refuses(facturatie, statement):
    # "permission denied", not the trigger's "is append-only": the privilege is missing, before any trigger runs.
    with pytest.raises(DENIED, match="permission denied for table"):
        await facturatie.execute(statement)


@pytest.mark.parametrize("statement", [
    "SELECT count(*) FROM berichtenverkeer.archief",
    "INSERT INTO berichtenverkeer.inbox (event_id, consumer) VALUES ('x', 'y')",
    "DELETE FROM berichtenverkeer.outbox",
    "CREATE TABLE facturatie.achterdeur (x int)",
    "CREATE TABLE achterdeur (x int)",
    "CREATE FUNCTION facturatie.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
])
async def test_the_runtime_role_cannot_touch_another_schema_or_create_objects(facturatie, statement):
    with pytest.raises(DENIED, match="permission denied for schema"):
        await facturatie.execute(statement)


async def test_production_refuses_a_superuser_or_the_owner_as_runtime_role(roles_database):
    admin_url, env = roles_database
    owner_url = env["facturatie"]["MIGRATION_DATABASE_URL"]
    for url, fout in ((admin_url, "a superuser"), (owner_url, "owns (or may create) tables")):
        with pytest.raises(DatabaseRoleError, match="refusing to start in production mode") as e:
            await open_service_database(url, "facturatie", MIGRATIONS["facturatie"], production=True)
        assert fout in str(e.value) and "MIGRATION_DATABASE_URL" in str(e.value)
        parts = urlsplit(url)  # the role is named (the test cluster's superuser has its name as password)
        assert url not in str(e.value) and (parts.password == parts.username or parts.password not in str(e.value))
    # Demo mode lets one URL do both, as before.
    pool, _ = await open_service_database(owner_url, "facturatie", MIGRATIONS["facturatie"])
    await pool.close()


@pytest.mark.parametrize("geven, afnemen, recht", [
    ("ALTER ROLE {rol} CREATEROLE", "ALTER ROLE {rol} NOCREATEROLE", "CREATEROLE"),
    ("ALTER ROLE {rol} BYPASSRLS", "ALTER ROLE {rol} NOBYPASSRLS", "BYPASSRLS"),
    ("GRANT pg_write_all_data TO {rol}", "REVOKE pg_write_all_data FROM {rol}", "pg_write_all_data"),
])
async def test_production_refuses_a_runtime_role_with_powers_beyond_its_schema(roles_database, geven, afnemen, recht):
    admin_url, env = roles_database
    urls, rol = env["facturatie"], runtime_role("facturatie")
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(geven.format(rol=rol))
        with pytest.raises(DatabaseRoleError, match="refusing to start in production mode") as e:
            await open_service_database(urls["DATABASE_URL"], "facturatie", MIGRATIONS["facturatie"],
                                        migration_url=urls["MIGRATION_DATABASE_URL"], production=True)
        assert recht in str(e.value) and rol in str(e.value)
    finally:
        await admin.execute(afnemen.format(rol=rol))
        await admin.close()
    pool, _ = await open_service_database(urls["DATABASE_URL"], "facturatie", MIGRATIONS["facturatie"],
                                          migration_url=urls["MIGRATION_DATABASE_URL"], production=True)
    await pool.close()


@pytest.fixture
def empty_database(infra) -> str:
    return fresh_database(infra, "roles")


async def test_a_schema_made_by_one_role_for_everything_is_handed_to_its_owner(empty_database):
    admin_url = empty_database
    pool, _ = await open_service_database(admin_url, "facturatie", MIGRATIONS["facturatie"])  # as before: superuser
    await pool.close()
    urls = service_database_env(admin_url, ["facturatie"])["facturatie"]
    pool, applied = await open_service_database(urls["DATABASE_URL"], "facturatie", MIGRATIONS["facturatie"],
                                                migration_url=urls["MIGRATION_DATABASE_URL"], production=True)
    try:
        assert applied == []
        assert await pool.fetchval(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = "
            "'facturatie' AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = $1)",
            owner_role("facturatie")) == 0
        await pool.execute("INSERT INTO inbox (event_id, consumer) VALUES ('e', 'c')")
        with pytest.raises(DENIED, match="permission denied for table"):
            await pool.execute("DELETE FROM journaalposten")
    finally:
        await pool.close()


ROLE_FACTS = """
SELECT r.rolname, r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolcanlogin, r.rolreplication, r.rolbypassrls,
       has_database_privilege(r.rolname, current_database(), 'CONNECT') AS connect,
       has_database_privilege(r.rolname, current_database(), 'CREATE') AS create_schema,
       (SELECT pg_get_userbyid(nspowner) || ' ' || nspacl::text FROM pg_namespace WHERE nspname = $1) AS schema
FROM pg_roles r WHERE r.rolname = ANY($2::text[]) ORDER BY r.rolname
"""
TABLE_FACTS = """
SELECT c.relname, pg_get_userbyid(c.relowner) AS owner, c.relacl::text AS acl FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'S') ORDER BY c.relname
"""


async def _facts(admin_url: str, service: str) -> tuple[list, list]:
    conn = await asyncpg.connect(admin_url)
    try:
        roles = [owner_role(service), runtime_role(service)]
        return ([tuple(r) for r in await conn.fetch(ROLE_FACTS, service, roles)],
                [tuple(r) for r in await conn.fetch(TABLE_FACTS, service)])
    finally:
        await conn.close()


async def test_the_compose_init_script_makes_the_same_roles_and_privileges(empty_database, roles_database):
    """The script runs with psql as the postgres image runs it (POSTGRES_USER, POSTGRES_DB), on a database of its own
    and with the passwords ServiceSet uses (roles are per cluster); then facturatie is migrated by its owner in both
    databases and what each leaves is compared."""
    python_url, env = roles_database
    script_url = empty_database
    admin = urlsplit(script_url)
    passwords = {f"{s.upper()}_DB{kind}_PASSWORD": local_role_password(script_url, role(s))
                 for s in ("berichtenverkeer", "declaratie", "facturatie")
                 for kind, role in (("_OWNER", owner_role), ("", runtime_role))}
    result = subprocess.run(
        ["bash", str(INIT_SCRIPT)], capture_output=True, text=True, timeout=60,
        env={"PATH": f"{postgres_bindir()}:{os.environ['PATH']}", "POSTGRES_USER": admin.username or "",
             "POSTGRES_DB": admin.path.lstrip("/"), "PGHOST": admin.hostname or "", "PGPORT": str(admin.port),
             "PGPASSWORD": admin.password or "", **passwords})
    assert result.returncode == 0, result.stderr
    for database_url in (script_url, python_url):
        urls = {k: v.rpartition("/")[0] + urlsplit(database_url).path for k, v in env["facturatie"].items()}
        pool, _ = await open_service_database(urls["DATABASE_URL"], "facturatie", MIGRATIONS["facturatie"],
                                              migration_url=urls["MIGRATION_DATABASE_URL"], production=True)
        await pool.close()
    script_facts, python_facts = await _facts(script_url, "facturatie"), await _facts(python_url, "facturatie")
    assert script_facts == python_facts
    assert len(script_facts[0]) == 2 and len(script_facts[1]) > 10
