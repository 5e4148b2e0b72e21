"""PostgreSQL plumbing shared by the services: pool per service schema, idempotent migrations,
the inbox (exactly-once effects under at-least-once delivery) and the transactional outbox.

Pattern (as in the eventsourcing library): the consumed event's id is recorded in the *same* transaction as
the business change; the events a change produces are written to the outbox in that transaction too and
published after commit, so a crash between commit and publish loses nothing (the relay retries).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka.errors import KafkaError
from asyncpg.pool import PoolConnectionProxy
from pydantic import BaseModel

from shared.platform.db_roles import grant_runtime_privileges, privileged_runtime_facts
from shared.platform.productie import bezwaren_databaserol
from shared.platform.unit_of_work import OutboxItem, UnitOfWork

log = logging.getLogger(__name__)

# A connection as the adapters get it: from `pool.acquire()` (a proxy) or `asyncpg.connect()`.
Conn = asyncpg.Connection | PoolConnectionProxy

# The database or the network is down: the request or message is not to blame. Consumers redeliver it
# (shared/platform/deadletter.py) and HTTP routes answer 503 with Retry-After (shared/platform/service.py), never 500.
OUTAGE_ERRORS: tuple[type[Exception], ...] = (
    OSError,  # includes ConnectionError and TimeoutError
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
)

_INFRA_MIGRATION = """
CREATE TABLE IF NOT EXISTS inbox (
    event_id     text PRIMARY KEY,
    consumer     text NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS outbox (
    id           bigserial PRIMARY KEY,
    topic        text NOT NULL,
    key          text NOT NULL,
    payload      jsonb NOT NULL,
    traceparent  text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
-- For append-only tables (journal, archive): CREATE TRIGGER ... FOR EACH STATEMENT EXECUTE FUNCTION append_only()
CREATE OR REPLACE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
"""

# A row the broker refuses for good (e.g. a record over its size limit) is set aside with the reason instead of being
# retried forever at the head of the queue, where it would hold back every event behind it.
_OUTBOX_REFUSED_MIGRATION = """
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS refused text;
DROP INDEX IF EXISTS outbox_unpublished;
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL AND refused IS NULL;
"""

# `prune` finds what is past its window by these.
_PRUNE_INDEXES_MIGRATION = """
CREATE INDEX IF NOT EXISTS outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS inbox_processed_at ON inbox (processed_at);
"""


async def create_pool(url: str, schema: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    await ensure_schema(url, schema)  # before the pool pins search_path to it
    return await _schema_pool(url, schema, min_size=min_size, max_size=max_size)


async def _schema_pool(url: str, schema: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    async def init(conn: asyncpg.Connection) -> None:
        await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")

    return await asyncpg.create_pool(url, min_size=min_size, max_size=max_size, init=init,
                                     server_settings={"search_path": schema, "application_name": schema})


async def ensure_schema(url: str, schema: str) -> None:
    """Create the schema unless it exists. Looked up first: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database
    even when the schema is there, which an owner role whose schema the administrator made does not have."""
    conn = await asyncpg.connect(url)
    try:
        if not await conn.fetchval("SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1)", schema):
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    except asyncpg.UniqueViolationError:
        pass  # two services starting at once raced on the catalog; the schema exists
    finally:
        await conn.close()


class DatabaseRoleError(RuntimeError):
    """Production refuses the role the service's pool runs as; the message says what to do."""


async def open_service_database(database_url: str, schema: str, migrations_dir: Path, *,
                                migration_url: str | None = None,
                                production: bool = False) -> tuple[asyncpg.Pool, list[str]]:
    """The service's pool and the migrations this start applied (ADR 0042). With `migration_url` (the schema's owner
    role) the schema is made and migrated over one short-lived owner connection, which then grants the pool's
    runtime role (DATABASE_URL) its DML; without it one role does both, as before. `production` refuses a runtime
    role that is a superuser or may alter the schema's tables."""
    if migration_url is None or migration_url == database_url:
        pool = await create_pool(database_url, schema)
        applied = await migrate(pool, schema, migrations_dir)
    else:
        await ensure_schema(migration_url, schema)
        pool = await _schema_pool(database_url, schema)
        try:
            applied = await migrate_as_owner(migration_url, schema, migrations_dir,
                                             runtime_role=await pool.fetchval("SELECT current_user"))
        except BaseException:
            await pool.close()
            raise
    if production:
        async with pool.acquire() as conn:
            rol, superuser, eigenaar, rechten = await privileged_runtime_facts(conn, schema)
        problems = bezwaren_databaserol(rol=rol, superuser=superuser, eigenaar=eigenaar, rechten=rechten)
        if problems:
            await pool.close()
            raise DatabaseRoleError(f"{schema}: refusing to start in production mode (BACKOFFICE_ENV=production):\n"
                                    + "\n".join(f"  - {p}" for p in problems))
    return pool, applied


async def migrate_as_owner(owner_url: str, schema: str, migrations_dir: Path, *, runtime_role: str) -> list[str]:
    """`migrate` over one connection of the schema's owner, closed afterwards; then the runtime role's grants."""
    conn = await asyncpg.connect(owner_url, server_settings={"search_path": schema,
                                                             "application_name": f"{schema}-migrate"})
    try:
        return await _migrate_on(conn, schema, migrations_dir, runtime_role=runtime_role)
    finally:
        await conn.close()


async def migrate(pool: asyncpg.Pool, schema: str, migrations_dir: Path, *,
                  runtime_role: str | None = None) -> list[str]:
    """Apply the service's *.sql files in name order, each once, under an advisory lock (safe with replicas).
    With `runtime_role`, the pool's role (the owner) then grants that role its DML (shared.platform.db_roles)."""
    async with pool.acquire() as conn:
        return await _migrate_on(conn, schema, migrations_dir, runtime_role=runtime_role)


async def _migrate_on(conn: Conn, schema: str, migrations_dir: Path, *, runtime_role: str | None) -> list[str]:
    applied: list[str] = []
    await conn.execute("SELECT pg_advisory_lock(hashtext($1))", f"migrate:{schema}")
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, "
            "applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
        steps = [("000_infrastructure", _INFRA_MIGRATION), ("000_outbox_refused", _OUTBOX_REFUSED_MIGRATION),
                 ("000_prune_indexes", _PRUNE_INDEXES_MIGRATION)]
        steps += [(p.stem, p.read_text()) for p in sorted(migrations_dir.glob("*.sql"))]
        for version, sql in steps:
            if version in done:
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", version)
            applied.append(version)
        if runtime_role is not None:
            # Every start, not only after a new step: tables made or adopted outside a migration are covered too.
            await grant_runtime_privileges(conn, schema, runtime_role)
    finally:
        await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", f"migrate:{schema}")
    return applied


async def claim_event(conn: asyncpg.Connection, event_id: str, consumer: str) -> bool:
    """True the first time an event is seen (call inside the effect's transaction)."""
    row = await conn.fetchrow(
        "INSERT INTO inbox (event_id, consumer) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id",
        f"{consumer}:{event_id}", consumer,
    )
    return row is not None


async def claim_events(conn: asyncpg.Connection, event_ids: list[str], consumer: str) -> set[str]:
    """The ids of a batch seen for the first time (an id twice in the batch is claimed once), in one statement."""
    rows = await conn.fetch(
        "INSERT INTO inbox (event_id, consumer) SELECT $2 || ':' || e, $2 FROM unnest($1::text[]) AS e "
        "ON CONFLICT DO NOTHING RETURNING event_id", event_ids, consumer)
    return {r["event_id"][len(consumer) + 1:] for r in rows}


async def enqueue(conn: asyncpg.Connection, topic: str, key: str, event: BaseModel,
                  traceparent: str | None = None) -> None:
    await enqueue_many(conn, [(topic, key, event, traceparent)])


async def enqueue_many(conn: asyncpg.Connection, items: list[tuple[str, str, BaseModel, str | None]]) -> None:
    """(topic, key, event, traceparent) rows in one statement. Serialised once, by pydantic; the relay publishes
    these very bytes (no dict round trips on the hot path)."""
    if items:
        await conn.execute(
            "INSERT INTO outbox (topic, key, payload, traceparent) SELECT t, k, p::jsonb, tp "
            "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(t, k, p, tp)",
            [i[0] for i in items], [i[1] for i in items], [i[2].model_dump_json() for i in items],
            [i[3] for i in items])


# (topic, key, JSON text, traceparent) -> a future that resolves when the broker has the message
Publish = Callable[[str, str, str, str | None], Awaitable[Awaitable[Any]]]


class OutboxRelay:
    """Publishes outbox rows in order, right after a commit (kick) and periodically as a safety net."""

    def __init__(self, pool: asyncpg.Pool, publish: Publish, *, interval: float = 1.0, batch: int = 500):
        self._pool = pool
        self._publish = publish
        self._interval = interval
        self._batch = batch
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._lock = asyncio.Lock()

    def kick(self) -> None:
        self._wake.set()

    async def publish_pending(self) -> int:
        total = 0
        async with self._lock:  # one relay loop per process keeps per-key order
            while True:
                async with self._pool.acquire() as conn, conn.transaction():
                    rows = await conn.fetch(
                        "SELECT id, topic, key, payload::text AS payload, traceparent FROM outbox "
                        "WHERE published_at IS NULL AND refused IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
                        self._batch)
                    if not rows:
                        return total
                    # Sent in order without waiting for each acknowledgement (the producer keeps per-partition
                    # order), then all awaited before the rows are marked: a failure republishes the batch, and
                    # consumers dedupe by event_id.
                    try:
                        pending = [await self._publish(r["topic"], r["key"], r["payload"], r["traceparent"])
                                   for r in rows]
                        await asyncio.gather(*pending)
                    except KafkaError as exc:
                        if exc.retriable:
                            raise
                        total += await self._set_aside_refused(conn, rows)
                        continue
                    await conn.execute("UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])",
                                       [r["id"] for r in rows])
                    total += len(rows)

    async def _set_aside_refused(self, conn: Conn, rows: list) -> int:
        """The broker refused something in the batch for good: send the rows one at a time, mark what went out
        and set aside, with the reason, what is refused on its own. Nothing is deleted: an operator can see it
        (`SELECT id, topic, key, refused FROM <schema>.outbox WHERE refused IS NOT NULL`), fix the cause and clear
        `refused` to have it sent. Returns how many went out."""
        sent = 0
        for r in rows:
            try:
                await (await self._publish(r["topic"], r["key"], r["payload"], r["traceparent"]))
            except KafkaError as exc:
                if exc.retriable:
                    raise
                reason = f"{type(exc).__name__}: {len(r['payload'].encode()):,} bytes to {r['topic']}"
                log.error("outbox row %s (key %s) refused by the broker for good, set aside: %s", r["id"], r["key"],
                          reason)
                await conn.execute("UPDATE outbox SET refused = $2 WHERE id = $1", r["id"], reason)
            else:
                await conn.execute("UPDATE outbox SET published_at = now() WHERE id = $1", r["id"])
                sent += 1
        return sent

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
            self._wake.clear()
            try:
                await self.publish_pending()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database away: retry on the next tick
                log.warning("outbox relay: publish failed, will retry: %s", type(exc).__name__)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


# Data minimisation: an outbox row is the event as sent (a 323's event holds its clients' BSNs), kept after it went
# out only for an operator's look back; an inbox row only has to outlive any redelivery of its event. Kafka keeps a
# topic 7 days (the broker's default), so a delivery older than INBOX_DAYS cannot come again.
OUTBOX_DAYS = 7
INBOX_DAYS = 30
PRUNE_BATCH = 5000


async def prune(pool: asyncpg.Pool, *, outbox_days: float = OUTBOX_DAYS,
                inbox_days: float = INBOX_DAYS) -> tuple[int, int]:
    """Delete outbox rows published more than `outbox_days` ago (never one not yet sent or set aside as refused)
    and inbox rows older than `inbox_days`, in short batches so no lock is held long. Returns (outbox, inbox)."""
    deleted = [0, 0]
    for i, sql in enumerate((
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE published_at < now() - make_interval("
            "secs => $1) LIMIT $2)",
            "DELETE FROM inbox WHERE event_id IN (SELECT event_id FROM inbox WHERE processed_at < now() - "
            "make_interval(secs => $1) LIMIT $2)")):
        days = outbox_days if i == 0 else inbox_days
        while True:
            status = await pool.execute(sql, days * 86400, PRUNE_BATCH)
            n = int(status.split()[-1])
            deleted[i] += n
            if n < PRUNE_BATCH:
                break
    return deleted[0], deleted[1]


class PostgresInbox:
    def __init__(self, conn: asyncpg.Connection, consumer: str):
        self._conn, self._consumer = conn, consumer

    async def claim(self, event_id: str) -> bool:
        return await claim_event(self._conn, event_id, self._consumer)

    async def claim_many(self, event_ids: Sequence[str]) -> set[str]:
        return await claim_events(self._conn, list(event_ids), self._consumer)


class PostgresOutbox:
    def __init__(self, conn: asyncpg.Connection):
        self._conn = conn
        self._added = 0

    @property
    def added(self) -> int:
        return self._added

    async def add(self, topic: str, key: str, event: BaseModel, traceparent: str | None = None) -> None:
        await self.add_many([(topic, key, event, traceparent)])

    async def add_many(self, items: Sequence[OutboxItem]) -> None:
        await enqueue_many(self._conn, list(items))
        self._added += len(items)


# How long a unit of work waits for a free connection of the pool before it gives up (an outage: 503, or a retry).
ACQUIRE_TIMEOUT_S = 5.0


class PostgresUnitOfWork(UnitOfWork):
    """A transaction on a connection of the service's pool. A service's own unit of work subclasses this and makes
    its repositories on the connection in `repositories`. `on_publish` (the outbox relay's kick) runs after a
    commit that added events. `readonly`: PostgreSQL itself refuses any write (pre-checks, read views)."""

    def __init__(self, pool: asyncpg.Pool, consumer: str, *, on_publish: Callable[[], None] | None = None,
                 readonly: bool = False, acquire_timeout: float = ACQUIRE_TIMEOUT_S):
        super().__init__()
        self._pool, self._consumer, self._on_publish, self._readonly = pool, consumer, on_publish, readonly
        self._acquire_timeout = acquire_timeout
        self._conn: Any = None
        self._tx: Any = None

    @property
    def connection(self) -> asyncpg.Connection:
        """For the service's adapters only: use cases go through the repositories."""
        if self._conn is None:
            raise RuntimeError("unit of work used outside `async with`")
        return self._conn

    def repositories(self, conn: asyncpg.Connection) -> None:
        """Make the service's repositories on the transaction's connection."""

    async def _begin(self) -> None:
        # Bounded: with every connection busy a request gets its 503 (TimeoutError is an outage error) instead of
        # queueing without end, and a consumer retries the message later.
        self._conn = await self._pool.acquire(timeout=self._acquire_timeout)
        try:
            self._tx = self._conn.transaction(readonly=self._readonly)
            await self._tx.start()
        except BaseException:
            await self._pool.release(self._conn)
            self._conn = None
            raise
        self.inbox = PostgresInbox(self._conn, self._consumer)
        self.outbox = PostgresOutbox(self._conn)
        self.repositories(self._conn)

    async def _commit(self) -> None:
        await self._tx.commit()

    async def _rollback(self) -> None:
        if self._tx is not None and not self._conn.is_closed():
            with contextlib.suppress(asyncpg.InterfaceError):  # the transaction already ended with its connection
                await self._tx.rollback()

    async def _end(self) -> None:
        if self._conn is not None:
            conn, self._conn, self._tx = self._conn, None, None
            await self._pool.release(conn)

    def published(self) -> None:
        if self._on_publish is not None:
            self._on_publish()
