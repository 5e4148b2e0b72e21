"""What every service has in common: a FastStream Kafka broker and a FastAPI app in one ASGI process,
with `GET /health` (broker and database) and `GET /metrics` (Prometheus), the database pool and
migrations, topic creation, the outbox relay, and clean start/stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from opentelemetry import trace
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from .config import Settings
from .db import OutboxRelay, Publish, create_pool, migrate
from .events import ALL_TOPICS, PARTITIONS
from .regio import Regio, load_regio
from .telemetry import context_from_traceparent, setup_tracing

log = logging.getLogger(__name__)


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

    def db(self) -> asyncpg.Pool:
        if self.pool is None:
            raise RuntimeError("database pool not started")
        return self.pool


def make_runtime(settings: Settings) -> Runtime:
    tracer_provider = setup_tracing(settings.service)
    registry = CollectorRegistry()
    broker = KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=settings.service,
        # Per-message "Received/Processed" lines at DEBUG: at thousands of lines/s they drown everything else.
        log_level=logging.DEBUG,
        middlewares=[
            KafkaTelemetryMiddleware(tracer_provider=tracer_provider),
            KafkaPrometheusMiddleware(registry=registry, app_name=settings.service),
        ],
        # Larger batches than the 16 KiB default: a 500-line declaration event is bigger than that.
        max_batch_size=1024 * 1024,
        max_request_size=8 * 1024 * 1024,
    )
    return Runtime(settings=settings, regio=load_regio(settings.regio_config), broker=broker, registry=registry)


async def ensure_topics(bootstrap: str, topics=ALL_TOPICS, partitions: int = PARTITIONS, timeout: float = 60) -> None:
    """Create the topics (idempotent). Retries while a just-started broker is not ready yet."""
    deadline = time.monotonic() + timeout
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
        try:
            await admin.start()
            existing = set(await admin.list_topics())
            missing = [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in topics if t not in existing]
            if missing:
                with contextlib.suppress(TopicAlreadyExistsError):
                    await admin.create_topics(missing)
            return
        except (KafkaConnectionError, OSError, asyncio.TimeoutError) as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kafka at {bootstrap} not reachable: {exc}; check KAFKA_BOOTSTRAP_SERVERS") from exc
            await asyncio.sleep(0.5)
        finally:
            with contextlib.suppress(Exception):
                await admin.close()


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
) -> FastAPI:
    """The service's ASGI app; `configure` registers its subscribers and routes on the runtime."""
    runtime = make_runtime(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime.pool = await create_pool(settings.database_url, settings.service)
        applied = await migrate(runtime.pool, settings.service, migrations_dir)
        if applied:
            log.info("%s: applied migrations %s", settings.service, ", ".join(applied))
        await ensure_topics(settings.kafka_bootstrap_servers)
        runtime.relay = OutboxRelay(runtime.pool, outbox_publisher(runtime.broker))
        await runtime.broker.start()
        runtime.relay.start()
        runtime.relay.kick()  # publish whatever a previous run committed but did not send
        log.info("%s: ready on http://%s:%s", settings.service, settings.host, settings.port)
        try:
            yield
        finally:
            await runtime.relay.stop()
            await runtime.broker.stop()
            await runtime.pool.close()

    app = FastAPI(title=settings.service, description=description, version="0.1.0", lifespan=lifespan)

    @app.get("/health", tags=["operations"], summary="Broker and database reachable")
    async def health() -> JSONResponse:
        kafka_ok = await runtime.broker.ping(timeout=2.0)
        db_ok = False
        if runtime.pool is not None:
            with contextlib.suppress(Exception):
                async with runtime.pool.acquire(timeout=2.0) as conn:
                    db_ok = await conn.fetchval("SELECT 1") == 1
        ok = kafka_ok and db_ok
        return JSONResponse({"status": "ok" if ok else "degraded", "service": settings.service,
                             "kafka": kafka_ok, "database": db_ok}, status_code=200 if ok else 503)

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics")
    async def metrics() -> Response:
        for hook in runtime.scrape_hooks:
            try:
                await hook()
            except Exception as exc:  # stale gauges beat a failed scrape
                log.warning("metrics hook failed: %s", type(exc).__name__)
        return Response(generate_latest(runtime.registry), media_type=CONTENT_TYPE_LATEST)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        body = exc.detail if isinstance(exc.detail, dict) else {"error": str(exc.detail)}
        return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"path": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg")} for e in exc.errors()]
        return JSONResponse({"error": "invalid request", "problems": problems}, status_code=400)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Never echo the exception: it may hold message content (and so a BSN).
        log.error("%s %s failed: %s", request.method, request.url.path, type(exc).__name__)
        return JSONResponse({"error": "internal error; the message was not processed, please retry"}, status_code=500)

    configure(app, runtime)
    return app


def serve(settings: Settings, app: FastAPI) -> None:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {settings.service} %(levelname)s %(name)s: %(message)s")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", lifespan="on",
                timeout_graceful_shutdown=10)


def main(service: str, default_port: int, create_app: Callable[[Settings], FastAPI]) -> None:
    """`python -m <service>`: configuration errors end with a one-line hint instead of a traceback."""
    import sys

    from .config import ConfigError
    from .regio import RegioFileError

    try:
        settings = Settings.from_env(service, default_port)
        app = create_app(settings)
    except (ConfigError, RegioFileError) as exc:
        print(f"{service}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    serve(settings, app)
