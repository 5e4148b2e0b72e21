"""Throw-away real Kafka and PostgreSQL on this machine, for `backoffice run` and the test suite.

The ladder (see README): an URL from the environment wins; otherwise a local process is started here.
Kafka runs as a single KRaft node from Maven Central jars (deploy/kafka/pom.xml); PostgreSQL from
Debian's binaries under an unprivileged user, because initdb refuses to run as root.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import hmac
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from shared.platform.db_roles import ensure_service_roles, owner_role, runtime_role
from shared.platform.events import MAX_EVENT_BYTES
from shared.platform.kafka_acl import ADMIN, PRINCIPALS, bindings
from shared.platform.kafka_connection import DEFAULT_MECHANISM, KafkaConnection
from tools.checkout import PROJECT_ROOT

KAFKA_POM = PROJECT_ROOT / "deploy" / "kafka" / "pom.xml"
KAFKA_LOG4J = PROJECT_ROOT / "deploy" / "kafka" / "log4j2.yaml"
CACHE_DIR = Path(os.environ.get("BACKOFFICE_CACHE", Path.home() / ".cache" / "regionale-backoffice"))
KAFKA_LIBS = CACHE_DIR / "kafka-libs"


class InfraError(RuntimeError):
    """Local infrastructure could not be started; the message says what to do next."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float, proc: subprocess.Popen | None = None, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise InfraError(f"{what} exited with code {proc.returncode} before listening on port {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise InfraError(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f}s")


def _say(msg: str) -> None:
    print(f"[infra] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- Kafka


def ensure_kafka_jars() -> Path:
    """Collect the broker's runtime classpath once; Maven's cache makes later runs offline-fast."""
    marker = KAFKA_LIBS / ".complete"
    if marker.exists() and marker.read_text() == KAFKA_POM.read_text():
        return KAFKA_LIBS
    if shutil.which("mvn") is None:
        raise InfraError("Maven (mvn) is not installed: install it (apt-get install -y maven) "
                         "or set KAFKA_BOOTSTRAP_SERVERS")
    if shutil.which("java") is None:
        raise InfraError("Java 17+ is not installed: install it (apt-get install -y openjdk-17-jre-headless) "
                         "or set KAFKA_BOOTSTRAP_SERVERS")
    _say(f"fetching Apache Kafka jars with Maven into {KAFKA_LIBS} (first time only, ~20 s)")
    if KAFKA_LIBS.exists():
        shutil.rmtree(KAFKA_LIBS)
    KAFKA_LIBS.mkdir(parents=True)
    result = subprocess.run(
        ["mvn", "-q", "-B", "-f", str(KAFKA_POM), "dependency:copy-dependencies", f"-Dkafka.libs.dir={KAFKA_LIBS}"],
        check=False, capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise InfraError(f"mvn could not fetch the Kafka jars:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    marker.write_text(KAFKA_POM.read_text())
    return KAFKA_LIBS


def _scram_users(passwords: Mapping[str, str]) -> list[str]:
    """StorageTool's --add-scram arguments: the credentials are in the metadata log from the first start on."""
    return [arg for name, password in passwords.items()
            for arg in ("--add-scram", f"{DEFAULT_MECHANISM}=[name={name},password={password}]")]


def _masked(text: str, secrets_: Iterable[str]) -> str:
    for secret in secrets_:
        text = text.replace(secret, "***")
    return text


def _run_blocking(coroutine) -> int:
    # In a thread of its own: the caller may be inside an event loop (an async test restarting the broker).
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@dataclass
class LocalKafka:
    """A single KRaft node whose clients must authenticate with SASL/SCRAM-SHA-512 and may do only what the ACL
    table allows (shared/platform/kafka_acl.py; the StandardAuthorizer denies the rest). Every principal gets a
    random password per broker; `connection(principal)` connects as one of them. The controller listener is
    loopback-only and SASL/PLAIN with the admin alone (SCRAM cannot serve a KRaft controller)."""

    workdir: Path
    port: int = field(default_factory=free_port)
    controller_port: int = field(default_factory=free_port)
    passwords: dict[str, str] = field(default_factory=lambda: {p: secrets.token_hex(16) for p in PRINCIPALS},
                                      repr=False)
    proc: subprocess.Popen | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def connection(self, principal: str = ADMIN) -> KafkaConnection:
        return KafkaConnection(self.bootstrap_servers, principal, self.passwords[principal])

    def _server_properties(self, data: Path) -> str:
        admin_password = self.passwords[ADMIN]
        scram_login = ("org.apache.kafka.common.security.scram.ScramLoginModule required "
                       f'username="{ADMIN}" password="{admin_password}";')
        plain_login = ("org.apache.kafka.common.security.plain.PlainLoginModule required "
                       f'username="{ADMIN}" password="{admin_password}" user_{ADMIN}="{admin_password}";')
        return "\n".join([
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.voters=1@127.0.0.1:{self.controller_port}",
            f"listeners=SASL_PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            f"advertised.listeners=SASL_PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT",
            "inter.broker.listener.name=SASL_PLAINTEXT",
            f"sasl.enabled.mechanisms={DEFAULT_MECHANISM}",
            f"sasl.mechanism.inter.broker.protocol={DEFAULT_MECHANISM}",
            f"listener.name.sasl_plaintext.{DEFAULT_MECHANISM.lower()}.sasl.jaas.config={scram_login}",
            "sasl.mechanism.controller.protocol=PLAIN",
            "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
            f"listener.name.controller.plain.sasl.jaas.config={plain_login}",
            "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "allow.everyone.if.no.acl.found=false",
            f"super.users=User:{ADMIN}",
            f"log.dirs={data}",
            "num.partitions=6",
            "auto.create.topics.enable=false",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            # The 128 MiB default crashes a 512 MiB heap at start-up.
            "log.cleaner.dedupe.buffer.size=8388608",
            f"message.max.bytes={MAX_EVENT_BYTES}",
            "",
        ])

    def start(self, timeout: float = 90.0) -> LocalKafka:
        libs = ensure_kafka_jars()
        data = self.workdir / "kafka-data"
        data.mkdir(parents=True, exist_ok=True)
        props = self.workdir / "server.properties"
        props.write_text(self._server_properties(data))
        props.chmod(0o600)  # it holds the admin's password
        java = ["java", "-Xms512m", "-Xmx512m", "-XX:+UseG1GC", f"-Dlog4j2.configurationFile={KAFKA_LOG4J}",
                "-cp", f"{libs}/*"]
        fresh = not (data / "meta.properties").exists()  # a restart keeps its data, cluster id, users and ACLs
        if fresh:
            fmt = subprocess.run(
                [*java, "kafka.tools.StorageTool", "format", "-t", uuid.uuid4().hex[:22], "-c", str(props),
                 *_scram_users(self.passwords)],
                check=False, capture_output=True,
                text=True,
            )
            if fmt.returncode != 0:
                output = _masked(fmt.stdout[-2000:] + fmt.stderr[-2000:], self.passwords.values())
                raise InfraError(f"Kafka storage format failed:\n{output}")
        log = open(self.workdir / "kafka.log", "ab")  # noqa: SIM115 (Kafka writes to it until it stops)
        self.proc = subprocess.Popen([*java, "kafka.Kafka", str(props)], stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        wait_for_port(self.port, timeout, self.proc, "Kafka")
        if fresh:
            from tools.kafka_acls import create_acls

            _run_blocking(create_acls(self.connection(ADMIN), bindings()))
        return self

    def stop(self) -> None:
        _terminate(self.proc)
        self.proc = None

    def restart(self, *, hard: bool = False) -> None:
        """Stop the broker (kill -9 when `hard`: no controlled shutdown, logs recovered at start) and start it
        again on the same ports and data: the fault-injection tests use this."""
        _terminate(self.proc, sig=signal.SIGKILL if hard else signal.SIGTERM)
        self.start()


# --------------------------------------------------------------------------- PostgreSQL


def postgres_bindir() -> Path:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for c in candidates:
        if (c / "initdb").exists():
            return c
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise InfraError("PostgreSQL server binaries not found: run `apt-get install -y postgresql` or set DATABASE_URL")


@dataclass
class LocalPostgres:
    workdir: Path
    port: int = field(default_factory=free_port)
    user: str = "backoffice"
    password: str = "backoffice"
    database: str = "backoffice"
    # Off for speed (a throw-away cluster). A test that crashes the server needs it on: an asynchronous commit
    # still in PostgreSQL's WAL buffers is lost by an immediate shutdown, after the client was told it committed.
    synchronous_commit: bool = False
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{self.database}"

    def _as_owner(self) -> dict:
        # initdb refuses root; run as the 'postgres' system user when we are root.
        if os.geteuid() != 0:
            return {}
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise InfraError("running as root but no 'postgres' user exists: apt-get install -y postgresql") from exc
        return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}

    def start(self, timeout: float = 60.0) -> LocalPostgres:
        bindir = postgres_bindir()
        owner = self._as_owner()
        data = self.workdir / "pgdata"
        data.mkdir(parents=True, exist_ok=True)
        pwfile = self.workdir / "pgpass"
        pwfile.write_text(self.password + "\n")
        if owner:
            for p in (self.workdir, data, pwfile):
                os.chown(p, owner["user"], owner["group"])
        os.chmod(data, 0o700)
        if not (data / "PG_VERSION").exists():
            self._initdb(bindir, data, pwfile, owner)
        self._run(bindir, data, owner, timeout)
        # The port opens before the server accepts logins; createdb retries until it does.
        deadline = time.monotonic() + timeout
        env = {**os.environ, "PGPASSWORD": self.password}
        while True:
            r = subprocess.run([str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user,
                                self.database], check=False, capture_output=True, text=True, env=env)
            if r.returncode == 0 or "already exists" in r.stderr:
                return self
            if time.monotonic() > deadline:
                raise InfraError(f"createdb failed: {r.stderr.strip()}")
            time.sleep(0.2)

    def _initdb(self, bindir: Path, data: Path, pwfile: Path, owner: dict) -> None:
        init = subprocess.run(
            [str(bindir / "initdb"), "-D", str(data), "-U", self.user, f"--pwfile={pwfile}", "-A", "scram-sha-256",
             "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            check=False, capture_output=True, text=True, **owner,
        )
        if init.returncode != 0:
            raise InfraError(f"initdb failed:\n{init.stdout[-2000:]}{init.stderr[-2000:]}")

    def _run(self, bindir: Path, data: Path, owner: dict, timeout: float) -> None:
        log = open(self.workdir / "postgres.log", "ab")  # noqa: SIM115 (PostgreSQL writes to it until it stops)
        self.proc = subprocess.Popen(
            [str(bindir / "postgres"), "-D", str(data), "-p", str(self.port), "-h", "127.0.0.1",
             "-k", str(data), "-c", "fsync=off",
             "-c", f"synchronous_commit={'on' if self.synchronous_commit else 'off'}",
             "-c", "full_page_writes=off",
             "-c", "max_connections=200", "-c", "shared_buffers=256MB",
             # Statement statistics for benchmarks and diagnosis (CREATE EXTENSION pg_stat_statements to read).
             "-c", "shared_preload_libraries=pg_stat_statements"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **owner,
        )
        wait_for_port(self.port, timeout, self.proc, "PostgreSQL")

    def stop(self) -> None:
        # SIGINT = PostgreSQL's "fast shutdown".
        _terminate(self.proc, sig=signal.SIGINT)
        self.proc = None

    def restart(self, *, hard: bool = False) -> None:
        """Stop the server and start it again on the same port and data. `hard` is SIGQUIT, PostgreSQL's
        "immediate shutdown": every backend dies at once without a checkpoint and the restart runs crash recovery,
        as after a crash of the server (not of the machine: fsync is off here)."""
        _terminate(self.proc, sig=signal.SIGQUIT if hard else signal.SIGINT)
        self.start()


def _terminate(proc: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 30.0) -> None:
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def local_role_password(admin_url: str, role: str) -> str:
    """A role's password on a local cluster: derived from the administrator's, so every ServiceSet on the cluster
    (roles are per cluster) agrees on it without storing it, and it is no constant from this repository."""
    secret = (urlsplit(admin_url).password or urlsplit(admin_url).netloc).encode()  # the same for every database
    return hmac.new(secret, role.encode(), hashlib.sha256).hexdigest()[:32]


async def _service_database_env(admin_url: str, services: list[str]) -> dict[str, dict[str, str]]:
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        if not await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"):
            return {}
    finally:
        await conn.close()
    env = {}
    for service in services:
        urls = await ensure_service_roles(admin_url, service,
                                          owner_password=local_role_password(admin_url, owner_role(service)),
                                          runtime_password=local_role_password(admin_url, runtime_role(service)))
        env[service] = {"DATABASE_URL": urls.runtime_url, "MIGRATION_DATABASE_URL": urls.owner_url}
    return env


def service_database_env(admin_url: str, services: list[str]) -> dict[str, dict[str, str]]:
    """Per service, DATABASE_URL as its runtime role (DML only) and MIGRATION_DATABASE_URL as its schema's owner in
    the administrator URL's database (ADR 0042), the roles made or brought up to date. Empty when that URL is no
    superuser: then whoever gave it made the roles and gives each service its URLs."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # asyncio.run also from within a running event loop
        return pool.submit(asyncio.run, _service_database_env(admin_url, services)).result()


# --------------------------------------------------------------------------- both


@dataclass
class Infra:
    """Kafka and PostgreSQL endpoints, started here unless the environment names them."""

    kafka_bootstrap_servers: str
    database_url: str
    started: list = field(default_factory=list)
    workdir: Path | None = None
    # The local broker's principals and passwords (shared/platform/kafka_acl.py); empty for a broker named by the
    # environment, which is reached as `kafka_given` (KAFKA_SASL_* from the environment, or unauthenticated).
    kafka_passwords: dict[str, str] = field(default_factory=dict, repr=False)
    kafka_given: KafkaConnection | None = None

    def kafka_connection(self, principal: str = ADMIN) -> KafkaConnection:
        """How `principal` (a service, the operator, the admin) connects: as itself on the local broker."""
        if principal in self.kafka_passwords:
            return KafkaConnection(self.kafka_bootstrap_servers, principal, self.kafka_passwords[principal])
        return self.kafka_given or KafkaConnection(self.kafka_bootstrap_servers)

    def kafka_env(self, principal: str) -> dict[str, str]:
        """The environment that connects a child process as `principal` (tools.cli.ServiceSet)."""
        return self.kafka_connection(principal).env()

    def stop(self) -> None:
        for part in reversed(self.started):
            part.stop()
        self.started.clear()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None


def start_infra(env: Mapping[str, str] | None = None, announce=_say) -> Infra:
    env = os.environ if env is None else env
    workdir = Path(tempfile.mkdtemp(prefix="backoffice-infra-"))
    os.chmod(workdir, 0o755)
    infra = Infra(kafka_bootstrap_servers=env.get("KAFKA_BOOTSTRAP_SERVERS", ""),
                  database_url=env.get("DATABASE_URL", ""), workdir=workdir,
                  kafka_given=KafkaConnection.from_env(env) if env.get("KAFKA_BOOTSTRAP_SERVERS") else None)
    try:
        if not infra.database_url:
            t0 = time.monotonic()
            announce("starting PostgreSQL (throw-away cluster)")
            pg = LocalPostgres(workdir / "pg").start()
            infra.started.append(pg)
            infra.database_url = pg.url
            announce(f"PostgreSQL ready on port {pg.port} in {time.monotonic() - t0:.1f}s")
        if not infra.kafka_bootstrap_servers:
            t0 = time.monotonic()
            announce("starting Apache Kafka (single KRaft node)")
            kafka = LocalKafka(workdir / "kafka").start()
            infra.started.append(kafka)
            infra.kafka_bootstrap_servers = kafka.bootstrap_servers
            infra.kafka_passwords = kafka.passwords
            announce(f"Kafka ready on {kafka.bootstrap_servers} in {time.monotonic() - t0:.1f}s")
    except BaseException:
        infra.stop()
        raise
    return infra
