"""`backoffice`: the one command-line entry point.

  backoffice run [--demo]     local Kafka + PostgreSQL (unless URLs are given), the three services, demo traffic
  backoffice infra            only local Kafka + PostgreSQL; prints the environment to use
  backoffice check FILE...    validate message files offline: one JSON verdict per file, exit 1 if any fails
  backoffice token-hash TOKEN the SHA-256 to put in the region file
  backoffice archief controleren [--json]   recompute the archive's hash chains; exit 1 if any link is broken
  backoffice archief wissen   erase the content of messages past their retention (the chain keeps their hashes)
  backoffice deadletter list [--consumer X] [--limit N] [--json] [--show-body]
                              the dead letters: offset, consumer, schema, reason, error, origin (bodies only on request)
  backoffice deadletter replay --offset N [--offset M ...] | --all [--consumer X]
                              send dead letters back to their original topic, key and trace (safe twice: inboxes)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx

from shared.platform.kafka_acl import OPERATOR
from shared.platform.regio import RegioFileError, hash_token, load_regio
from tools import deadletter_cli
from tools.checkout import DEFAULT_REGIO
from tools.localinfra import Infra, InfraError, free_port, service_database_env, start_infra

SERVICES = (("berichtenverkeer", 8001), ("declaratie", 8002), ("facturatie", 8003))


def _say(msg: str) -> None:
    print(f"[backoffice] {msg}", file=sys.stderr, flush=True)


def _port(preferred: int) -> int:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            return free_port()


class ServiceSet:
    """Services as child processes, each in its own process group so that none outlives us. By default the
    three services; a name like "declaratie#2" starts another replica of declaratie (benchmarks). `kafka_env`
    gives each service the environment of its own Kafka principal (Infra.kafka_env), on top of `env`."""

    def __init__(self, env: dict[str, str], log_dir: Path | None = None,
                 services: tuple[tuple[str, int], ...] = SERVICES,
                 kafka_env: Callable[[str], Mapping[str, str]] | None = None):
        self.env = env
        self.kafka_env = kafka_env
        self.log_dir = log_dir
        self.services = services
        self.procs: dict[str, subprocess.Popen] = {}
        self.urls: dict[str, str] = {}
        # Per service its own DATABASE_URL (runtime role) and MIGRATION_DATABASE_URL (owner role), made from an
        # administrator's DATABASE_URL: no service runs as a superuser (ADR 0042).
        self.database_env: dict[str, dict[str, str]] = {}

    def start(self, fixed_ports: bool = True) -> None:
        if self.env.get("DATABASE_URL") and not self.env.get("MIGRATION_DATABASE_URL"):
            modules = sorted({name.split("#")[0] for name, _ in self.services})
            self.database_env = service_database_env(self.env["DATABASE_URL"], modules)
        ports = {name: _port(preferred) if fixed_ports else free_port() for name, preferred in self.services}
        self.urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        for name, _preferred in self.services:
            self._spawn(name)

    def _spawn(self, name: str) -> None:
        module, port = name.split("#")[0], self.urls[name].rsplit(":", 1)[1]
        # Every service learns where the others listen (the gateway forwards pre-checks to declaratie).
        urls = {f"{n.upper()}_URL": u for n, u in self.urls.items() if "#" not in n}
        # The local services are the demo unless the caller says otherwise (production refuses demo tokens).
        kafka = self.kafka_env(module) if self.kafka_env else {}
        env = {"BACKOFFICE_ENV": "demo", **self.env, **kafka, **self.database_env.get(module, {}), **urls,
               f"{module.upper()}_PORT": port}
        out = (open(self.log_dir / f"{name.replace('#', '-')}.log", "ab")  # noqa: SIM115 (the child process writes to it until it stops)
               if self.log_dir else None)
        self.procs[name] = subprocess.Popen([sys.executable, "-m", module], env=env, start_new_session=True,
                                            stdout=out, stderr=subprocess.STDOUT if out else None)

    def restart(self, *names: str, timeout: float = 120) -> None:
        """Start stopped (or killed) services again on their own ports and wait until they are healthy."""
        for name in names:
            running = self.procs.get(name)
            if running is not None and running.poll() is None:
                raise RuntimeError(f"{name} is still running; stop it before restarting it")
            self._spawn(name)
        self.wait_healthy(timeout=timeout, only=names)

    def wait_healthy(self, timeout: float = 90, only: tuple[str, ...] = ()) -> None:
        deadline = time.monotonic() + timeout
        pending = set(only or self.procs)
        while pending:
            for name in sorted(pending):
                proc = self.procs[name]
                if proc.poll() is not None:
                    where = f"{self.log_dir}/{name.replace('#', '-')}.log" if self.log_dir else "its output above"
                    raise RuntimeError(f"{name} exited with code {proc.returncode} during start-up; why: {where}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{self.urls[name]}/health", timeout=1).status_code == 200:
                        _say(f"{name} healthy at {self.urls[name]}")
                        pending.discard(name)
            if time.monotonic() > deadline:
                raise RuntimeError(f"not healthy within {timeout:.0f}s: {', '.join(sorted(pending))}")
            time.sleep(0.2)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _interrupt_on_signals() -> None:
    """Ctrl-C and SIGTERM both end in KeyboardInterrupt, so the `finally` clean-up always runs.
    Installed for SIGINT too: a shell that starts us in the background hands us SIGINT ignored."""

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


def cmd_run(args: argparse.Namespace) -> int:
    regio_path = Path(args.regio or os.environ.get("REGIO_CONFIG") or DEFAULT_REGIO)
    regio = load_regio(regio_path)
    _say(f"region {regio.naam}: {len(regio.gemeenten)} municipalities, {len(regio.aanbieders)} providers, "
         f"{len(regio.contracten)} contracts ({regio_path})")
    t0 = time.monotonic()
    # The services' own log lines (aiokafka, FastStream, uvicorn) go to files; the terminal shows progress.
    log_dir = Path(args.log_dir) / time.strftime("%Y%m%d-%H%M%S")
    log_dir.mkdir(parents=True, exist_ok=True)
    _say(f"service logs: {log_dir}/<service>.log")
    if os.environ.get("BACKOFFICE_ENV", "demo") == "demo":
        _say("demo mode: the region file's demo tokens and the default keys are allowed (never expose this)")
    infra = start_infra()
    services = ServiceSet({**os.environ, "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
                           "DATABASE_URL": infra.database_url, "REGIO_CONFIG": str(regio_path)}, log_dir=log_dir,
                          kafka_env=infra.kafka_env)
    _interrupt_on_signals()
    try:
        services.start()
        services.wait_healthy()
        _say(f"back office up in {time.monotonic() - t0:.1f}s")
        if args.demo:
            from tools.demo import run_demo

            asyncio.run(run_demo(services.urls["berichtenverkeer"], services.urls["facturatie"], regio))
        bv, fa = services.urls["berichtenverkeer"], services.urls["facturatie"]
        _say("where to look:")
        _say(f"  API docs (providers/municipalities): {bv}/docs")
        _say(f"  your messages:  curl -H 'Authorization: Bearer demo-aanbieder-87654321' {bv}/v1/berichten")
        _say(f"  Woerden ledger: curl -H 'Authorization: Bearer demo-gemeente-0632' {fa}/v1/gemeenten/0632/saldi")
        _say(f"  health/metrics: {bv}/health  {bv}/metrics")
        _say(f"  Kafka {infra.kafka_bootstrap_servers}   PostgreSQL {infra.database_url}")
        _say(f"  service logs:   {log_dir}/")
        if args.exit_after_demo:
            return 0
        _say("running; press Ctrl-C to stop everything")
        while True:
            for name, proc in services.procs.items():
                if proc.poll() is not None:
                    _say(f"{name} stopped unexpectedly (exit {proc.returncode}); shutting down. Why: "
                         f"{log_dir}/{name}.log")
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    finally:
        _say("stopping services, Kafka and PostgreSQL …")
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not leave orphans
        services.stop()
        infra.stop()
        _say("stopped; no processes left behind")


def _write_kafka_env_files(infra: Infra) -> Path:
    """One env file per service principal, readable by this user only, in the infrastructure's folder."""
    assert infra.workdir is not None
    for name, _default_port in SERVICES:
        path = infra.workdir / f"kafka-{name}.env"
        path.touch(mode=0o600)
        path.write_text("".join(f"{k}={shlex.quote(v)}\n" for k, v in infra.kafka_env(name).items()))
    return infra.workdir


def cmd_infra(args: argparse.Namespace) -> int:
    _interrupt_on_signals()
    infra = start_infra()
    for name, value in infra.kafka_env(OPERATOR).items():  # the operators' principal: `backoffice deadletter`
        print(f"export {name}={shlex.quote(value)}")
    if infra.kafka_passwords:
        _say("each service connects to Kafka as its own principal; its variables: "
             f"{_write_kafka_env_files(infra)}/kafka-<service>.env")
    print(f"export DATABASE_URL={infra.database_url}", flush=True)
    _say("running; press Ctrl-C to stop")
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        return 0
    finally:
        infra.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="backoffice", description="Regional back office for iJw/iWmo 3.2")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the back office (local Kafka and PostgreSQL unless URLs are given)")
    run.add_argument("--demo", action="store_true", help="feed the example declaration and a month of demo traffic")
    run.add_argument("--regio", help="region file (default: REGIO_CONFIG or deploy/regio/utrecht-west.yaml)")
    run.add_argument("--exit-after-demo", action="store_true", help="stop after the demo instead of waiting")
    run.add_argument("--log-dir", default="logs",
                     help="where the services write their logs (default: logs/, a folder per run)")
    run.set_defaults(func=cmd_run)
    infra = sub.add_parser("infra", help="start only local Kafka and PostgreSQL")
    infra.set_defaults(func=cmd_infra)
    check = sub.add_parser("check", help="validate message files offline (levels 1 and 2); one JSON verdict per file")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.set_defaults(func=lambda a: __import__("tools.check", fromlist=["main"]).main(a.files))
    th = sub.add_parser("token-hash", help="print the SHA-256 of a token for the region file")
    th.add_argument("token")
    th.set_defaults(func=lambda a: print(hash_token(a.token)) or 0)
    archief = sub.add_parser("archief", help="check the archive's hash chains, erase content past retention "
                                               "(needs DATABASE_URL)")
    from berichtenverkeer.entrypoints import archief_cli  # the gateway owns the archive

    archief_cli.add_commands(archief.add_subparsers(dest="archief_command", required=True))
    dl = sub.add_parser("deadletter", help="list and replay the dead-letter topic (needs KAFKA_BOOTSTRAP_SERVERS)")
    deadletter_cli.add_commands(dl.add_subparsers(dest="deadletter_command", required=True))
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (InfraError, RegioFileError, RuntimeError) as exc:
        _say(f"error: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
