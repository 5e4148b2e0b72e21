"""What every service has in common: a FastStream Kafka broker and a FastAPI app in one ASGI process,
with `GET /health` (broker and database) and `GET /metrics` (Prometheus), the database pool and
migrations, topic creation, the outbox relay, and clean start/stop.

Stopping on SIGTERM (what `docker compose stop` and `ServiceSet.stop` send; SIGINT drains the same way):
1. uvicorn stops accepting connections and lets requests in flight finish (`HTTP_DRAIN_S`);
2. the Kafka subscribers stop taking messages and the handlers in flight finish and commit their offsets while
   their consumers still own the partitions (`CONSUMER_DRAIN_S`). A message fetched but not started is not
   committed, and neither is one whose handler outlasts the drain (it is cancelled, its transaction rolls back):
   both are handed back and come again, to another replica or after the restart, where the inbox makes a
   second delivery harmless;
3. the consumers leave their groups, so other replicas take over the partitions at once;
4. the outbox relay publishes what the drained handlers committed (`OUTBOX_FLUSH_S`; what it cannot is sent by
   the next start of any replica), then the producer flushes and the pool closes.
Then the process exits 0. The budget (10 + 15 + 5 s, plus FastStream's own wait of 5 s for a handler that
outlasted the drain) fits in docker-compose.yml's `stop_grace_period` of 45 s; normally a stop takes well under
a second. tests/system/test_shutdown.py stops the services under load and checks all of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError, for_code
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from opentelemetry import trace
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.platform import logfilter
from shared.platform.auth import OperatorsOnly
from shared.platform.begrenzing import BodyLimit
from shared.platform.config import Settings
from shared.platform.db import OUTAGE_ERRORS, OutboxRelay, Publish, open_service_database, prune
from shared.platform.events import ALL_TOPICS, MAX_EVENT_BYTES, PARTITIONS
from shared.platform.kafka_acl import topics_of
from shared.platform.kafka_connection import KafkaConnection
from shared.platform.regio import Regio, load_regio
from shared.platform.telemetry import context_from_traceparent, setup_tracing

log = logging.getLogger(__name__)

# Shutdown budget in seconds (see the module docstring); docker-compose.yml's stop_grace_period is larger.
HTTP_DRAIN_S = 10.0
CONSUMER_DRAIN_S = 15.0
OUTBOX_FLUSH_S = 5.0
FASTSTREAM_GRACE_S = 5.0  # FastStream's own second wait, for a handler that outlasted CONSUMER_DRAIN_S
SHUTDOWN_BUDGET_S = HTTP_DRAIN_S + CONSUMER_DRAIN_S + OUTBOX_FLUSH_S + FASTSTREAM_GRACE_S


@dataclass
class Runtime:
    """The service's live resources, handed to its adapters and entrypoints."""

    settings: Settings
    regio: Regio
    broker: KafkaBroker
    registry: CollectorRegistry
    pool: asyncpg.Pool | None = None
    relay: OutboxRelay | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Run before each /metrics scrape: gauges that are read from the database (e.g. open deadlines).
    scrape_hooks: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # Each adds facts to GET /health that an operator must see but that do not make the service unhealthy (a
    # restart would not fix them), e.g. messages the service made and refused to send.
    health_hooks: list[Callable[[], Awaitable[dict[str, Any]]]] = field(default_factory=list)

    def kick_relay(self) -> None:
        """Wake the outbox relay: a unit of work calls this after a commit that added outbox rows. Before the
        lifespan started the relay there is nothing to wake."""
        if self.relay is not None:
            self.relay.kick()

    def db(self) -> asyncpg.Pool:
        if self.pool is None:
            raise RuntimeError("database pool not started")
        return self.pool


def make_runtime(settings: Settings) -> Runtime:
    tracer_provider = setup_tracing(settings.service)
    registry = CollectorRegistry()
    broker = KafkaBroker(
        **settings.kafka.broker_kwargs(),  # SASL/SCRAM as the service's own principal when configured
        client_id=settings.service,
        # Per-message "Received/Processed" lines at DEBUG: at thousands of lines/s they drown everything else.
        log_level=logging.DEBUG,
        middlewares=[
            KafkaTelemetryMiddleware(tracer_provider=tracer_provider),
            KafkaPrometheusMiddleware(registry=registry, app_name=settings.service),
        ],
        # Larger batches than the 16 KiB default: a 500-line declaration event is bigger than that.
        max_batch_size=1024 * 1024,
        max_request_size=MAX_EVENT_BYTES,
        # FastStream's own wait for handlers in flight when a subscriber stops. `stop_consuming` has drained them
        # already (up to CONSUMER_DRAIN_S); this only bounds a second wait for one that outlasted that drain.
        graceful_timeout=FASTSTREAM_GRACE_S,
    )
    return Runtime(settings=settings, regio=load_regio(settings.regio_config), broker=broker, registry=registry)


async def ensure_topics(kafka: KafkaConnection | str, topics=ALL_TOPICS, partitions: int = PARTITIONS,
                        timeout: float = 60) -> None:
    """Create the topics (idempotent). Retries while a just-started broker is not ready yet. With ACLs the
    principal needs CREATE on each topic it creates (shared.platform.kafka_acl); a refusal ends at once."""
    kafka = kafka if isinstance(kafka, KafkaConnection) else KafkaConnection(kafka)
    deadline = time.monotonic() + timeout
    while True:
        admin = AIOKafkaAdminClient(**kafka.client_kwargs(), request_timeout_ms=10000)
        try:
            await admin.start()
            existing = set(await admin.list_topics())
            missing = [NewTopic(t, num_partitions=partitions, replication_factor=1,
                                topic_configs={"max.message.bytes": str(MAX_EVENT_BYTES)})
                       for t in topics if t not in existing]
            if missing:
                _raise_topic_errors(await admin.create_topics(missing), kafka)
            return
        except (TimeoutError, KafkaConnectionError, OSError) as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kafka at {kafka.bootstrap_servers} not reachable: {exc}; check "
                                   "KAFKA_BOOTSTRAP_SERVERS" + (" and the credentials of principal "
                                   f"{kafka.username!r} (KAFKA_SASL_PASSWORD)" if kafka.authenticated else "")
                                   ) from exc
            await asyncio.sleep(0.5)
        finally:
            with contextlib.suppress(Exception):
                await admin.close()


def _raise_topic_errors(response: Any, kafka: KafkaConnection) -> None:
    """create_topics answers per topic instead of raising; an existing topic (a replica was first) is fine."""
    failed = [(topic, for_code(code).__name__) for topic, code, *_ in response.topic_errors
              if code not in (0, TopicAlreadyExistsError.errno)]
    if failed:
        who = f"principal {kafka.username!r}" if kafka.authenticated else "an unauthenticated client"
        raise RuntimeError(f"Kafka refused to create {', '.join(f'{t} ({e})' for t, e in failed)} for {who}; "
                           "check KAFKA_SASL_USERNAME and the ACLs in shared/platform/kafka_acl.py")


async def stop_consuming(broker: KafkaBroker, timeout: float = CONSUMER_DRAIN_S) -> int:
    """Stop every subscriber of the broker without losing or doubling a message; returns how many handlers were
    still running after `timeout` (cancelled by the stop: their messages are handed back, not committed).

    First no subscriber starts another message (`running` off: one fetched now is neither handled nor committed),
    then the handlers in flight finish, acking (committing) through consumers that still own their partitions, and
    only then the consumers leave their groups. FastStream's own `stop()` does it in that order for a plain
    subscriber, but a `max_workers` subscriber (declaratie) stops its consumers first: the handlers still running
    then commit through consumers that left the group, which fails (CommitFailedError) while other replicas hold
    it, and their finished work is delivered again."""
    subscribers = list(broker.subscribers)
    for sub in subscribers:
        sub.running = False
    # FastStream holds the subscriber's lock (a counter) while a message is processed, ack included.
    locks = [sub.lock for sub in subscribers if hasattr(sub.lock, "wait_release")]
    busy = sum(getattr(lock, "qsize", 0) for lock in locks)
    if busy:
        log.info("stopping: waiting for %d message handler(s) in flight (up to %.0fs)", busy, timeout)
    await asyncio.gather(*(lock.wait_release(timeout) for lock in locks))
    left = sum(getattr(lock, "qsize", 0) for lock in locks)
    if left:
        log.warning("stopping: %d handler(s) still running after %.0fs are cancelled; their messages are not "
                    "committed and will be delivered again", left, timeout)
    for result in await asyncio.gather(*(sub.stop() for sub in subscribers), return_exceptions=True):
        if isinstance(result, Exception):
            log.warning("stopping: a subscriber did not stop cleanly: %s", type(result).__name__)
    return left


async def stop_runtime(runtime: Runtime) -> None:
    """Stop consuming (handlers in flight finish), publish what they committed, then close the producer and the
    database pool. Each step runs even when an earlier one failed."""
    t0 = time.monotonic()
    try:
        await stop_consuming(runtime.broker)
    except Exception as exc:
        log.warning("stopping: consumers did not stop cleanly: %s", type(exc).__name__)
    if runtime.relay is not None:
        try:
            sent = await asyncio.wait_for(runtime.relay.publish_pending(), OUTBOX_FLUSH_S)
            if sent:
                log.info("stopping: published %d outbox event(s)", sent)
        except Exception as exc:  # also a timeout: the rows stay in the outbox for the next start
            log.warning("stopping: outbox not flushed (%s); the next start publishes it", type(exc).__name__)
        await runtime.relay.stop()
    try:
        await runtime.broker.stop()
    finally:
        if runtime.pool is not None:
            await runtime.pool.close()
    log.info("%s: stopped in %.1fs", runtime.settings.service, time.monotonic() - t0)


PRUNE_INTERVAL_S = 3600.0


async def prune_periodically(pool: asyncpg.Pool, interval: float = PRUNE_INTERVAL_S) -> None:
    """Hourly (every replica; the deletes are idempotent): the outbox and inbox rows past their windows
    (shared.platform.db.prune). The first run waits a minute, out of the way of the start."""
    await asyncio.sleep(min(60.0, interval))
    while True:
        try:
            outbox, inbox = await prune(pool)
            if outbox or inbox:
                log.info("pruned %d published outbox and %d inbox row(s) past their windows", outbox, inbox)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database away: the next hour tries again
            log.warning("pruning failed, will retry: %s", type(exc).__name__)
        await asyncio.sleep(interval)


_JSON = {"content-type": "application/json"}


def outbox_publisher(broker: KafkaBroker) -> Publish:
    tracer = trace.get_tracer("backoffice.outbox")

    async def publish(topic: str, key: str, payload: str, traceparent: str | None) -> Awaitable:
        # Continue the trace of the transaction that wrote the row; the telemetry middleware puts it in headers.
        with tracer.start_as_current_span(f"{topic} publish", context=context_from_traceparent(traceparent),
                                          kind=trace.SpanKind.PRODUCER):
            return await broker.publish(payload.encode(), topic, key=key.encode(), headers=_JSON, no_confirm=True)

    return publish


def create_service_app(
    settings: Settings,
    *,
    description: str,
    migrations_dir: Path,
    configure: Callable[[FastAPI, Runtime], None],
    max_body_bytes: int,
    open_body_paths: frozenset[str] = frozenset(),
) -> FastAPI:
    """The service's ASGI app; `configure` (the service's bootstrap) registers its subscribers and routes.
    `max_body_bytes` bounds every request body, read or not; `open_body_paths` take a body without credentials (a
    login form); see shared.platform.begrenzing."""
    runtime = make_runtime(settings)
    app = FastAPI(title=settings.service, description=description, version="0.1.0",
                  lifespan=_lifespan(runtime, migrations_dir))
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes, open_paths=open_body_paths)
    app.add_middleware(OperatorsOnly, token_sha256=settings.operator_token_sha256)
    _operations_routes(app, runtime)
    _error_handlers(app)
    configure(app, runtime)
    return app


def _lifespan(runtime: Runtime, migrations_dir: Path) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager]:
    settings = runtime.settings

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime.pool, applied = await open_service_database(
            settings.database_url, settings.service, migrations_dir, migration_url=settings.migration_database_url,
            production=settings.omgeving == "production")
        if applied:
            log.info("%s: applied migrations %s", settings.service, ", ".join(applied))
        await ensure_topics(settings.kafka, topics=topics_of(settings.service))
        runtime.relay = OutboxRelay(runtime.pool, outbox_publisher(runtime.broker))
        await runtime.broker.start()
        runtime.relay.start()
        runtime.relay.kick()  # publish whatever a previous run committed but did not send
        pruner = asyncio.create_task(prune_periodically(runtime.pool), name="prune")
        log.info("%s: ready on http://%s:%s", settings.service, settings.host, settings.port)
        if settings.omgeving == "demo":
            log.warning("%s: demo mode (BACKOFFICE_ENV=demo): demo tokens and default secrets are allowed%s; "
                        "never expose this service", settings.service,
                        "" if settings.operator_token_sha256 else ", /metrics and /docs are open")
        try:
            yield
        finally:
            pruner.cancel()
            await stop_runtime(runtime)

    return lifespan


def _operations_routes(app: FastAPI, runtime: Runtime) -> None:
    @app.get("/health", tags=["operations"], summary="Broker and database reachable")
    async def health() -> JSONResponse:
        kafka_ok = await runtime.broker.ping(timeout=2.0)
        db_ok = False
        if runtime.pool is not None:
            with contextlib.suppress(Exception):
                async with runtime.pool.acquire(timeout=2.0) as conn:
                    db_ok = await conn.fetchval("SELECT 1") == 1
        ok = kafka_ok and db_ok
        extra: dict[str, Any] = {}
        for hook in runtime.health_hooks if db_ok else ():
            try:
                extra |= await hook()
            except Exception as exc:  # the facts are extra; health itself stands
                log.warning("health hook failed: %s", type(exc).__name__)
        return JSONResponse({"status": "ok" if ok else "degraded", "service": runtime.settings.service,
                             "kafka": kafka_ok, "database": db_ok, **extra}, status_code=200 if ok else 503)

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics")
    async def metrics() -> Response:
        for hook in runtime.scrape_hooks:
            try:
                await hook()
            except Exception as exc:  # stale gauges beat a failed scrape
                log.warning("metrics hook failed: %s", type(exc).__name__)
        return Response(generate_latest(runtime.registry), media_type=CONTENT_TYPE_LATEST)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    body = exc.detail if isinstance(exc.detail, dict) else {"error": str(exc.detail)}
    return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [{"path": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg")} for e in exc.errors()]
    return JSONResponse({"error": "invalid request", "problems": problems}, status_code=400)


async def _outage(request: Request, exc: Exception) -> JSONResponse:
    # The transaction died with the connection (or its commit's answer did): sending the same request again is
    # safe, an identical resubmission of a message returns the id it got.
    log.warning("%s %s: database or network unavailable (%s)", request.method, request.url.path, type(exc).__name__)
    return JSONResponse({"error": "temporarily unavailable (database or network); please retry shortly, "
                                  "sending the same message again is safe"}, status_code=503,
                        headers={"Retry-After": "2"})


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Never echo the exception: it may hold message content (and so a BSN).
    log.error("%s %s failed: %s", request.method, request.url.path, type(exc).__name__)
    return JSONResponse({"error": "internal error; the message was not processed, please retry"}, status_code=500)


def _error_handlers(app: FastAPI) -> None:
    """Errors as JSON with a status that says whose fault it is; never a traceback, never message content."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    for outage_error in OUTAGE_ERRORS:
        app.add_exception_handler(outage_error, _outage)
    app.add_exception_handler(Exception, _unexpected)


def serve(settings: Settings, app: FastAPI) -> None:
    import signal

    import uvicorn

    logging.basicConfig(level=logging.INFO,
                        format=f"%(asctime)s {settings.service} %(levelname)s %(name)s: %(message)s")
    logfilter.install()  # a Kafka outage would otherwise log ~100 identical lines a second
    server = uvicorn.Server(uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning",
                                          lifespan="on", timeout_graceful_shutdown=int(HTTP_DRAIN_S)))

    def on_sigterm(signum: int, frame: Any) -> None:
        # While uvicorn runs, its own handler takes SIGTERM and shuts down gracefully (above). Afterwards it raises
        # the signal again for the handler it found, this one: the shutdown is done, so return and exit 0 instead
        # of dying of the signal (exit 143). Before uvicorn took over there is nothing to finish: exit 0 at once.
        if not server.should_exit:
            raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_sigterm)
    server.run()


def main(service: str, default_port: int, create_app: Callable[[Settings], FastAPI]) -> None:
    """`python -m <service>`: configuration errors end with a one-line hint instead of a traceback."""
    import sys

    from shared.platform.config import ConfigError
    from shared.platform.regio import RegioFileError

    try:
        settings = Settings.from_env(service, default_port)
        app = create_app(settings)
    except (ConfigError, RegioFileError) as exc:
        text = str(exc)
        print(text if text.startswith(f"{service}:") else f"{service}: {text}", file=sys.stderr)
        raise SystemExit(2) from None
    serve(settings, app)
