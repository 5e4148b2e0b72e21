"""The README's run command, as a newcomer runs it: local Kafka and PostgreSQL, the three services, demo traffic."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration


def _env_without_infra() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL")}


def test_run_with_demo_answers_the_example_and_books_it_in_woerdens_ledger(tmp_path):
    result = subprocess.run([sys.executable, "-m", "tools.cli", "run", "--demo", "--exit-after-demo",
                             "--log-dir", str(tmp_path)],
                            env=_env_without_infra(), capture_output=True, text=True, timeout=400)
    out = result.stderr
    assert result.returncode == 0, out[-3000:]
    assert "325 ready: granted 1435.00 EUR (D) of 5950.00 EUR submitted; 1 line(s) rejected" in out
    assert "P20260504000002: TR418 (0611)" in out
    assert re.search(r"ledger Woerden jw crediteur:87654321\s+-2420\.00", out)
    assert re.search(r"ledger Woerden jw kosten:45\s+1970\.00", out)  # March 985 + April 1182 − 985 + 788
    month = re.search(r"all \d+ answered in [\d.]+s: (\d+) lines approved \([\d,.]+ EUR\), (\d+) rejected", out)
    assert month, out[-3000:]
    approved, rejected = map(int, month.groups())
    # Every line has its allocation (the 301s go first); only the deliberate ~4 % tariff errors are rejected.
    assert approved > 1000 and 0 < rejected < approved * 0.1
    assert "stopped; no processes left behind" in out
    # The terminal shows progress; the services' library lines go to the log files the command names.
    assert "demo mode:" in out and "aiokafka" not in out and "service logs:" in out
    [run_dir] = tmp_path.iterdir()
    assert "aiokafka" in (run_dir / "declaratie.log").read_text()
    for bsn in ("999990019", "999990044"):
        assert bsn not in out + result.stdout


def test_a_service_without_configuration_says_what_to_set():
    env = _env_without_infra()
    result = subprocess.run([sys.executable, "-m", "declaratie"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "set KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL" in result.stderr and "backoffice run" in result.stderr
    assert "Traceback" not in result.stderr and not result.stderr.startswith("declaratie: declaratie:")


def test_a_broken_region_file_is_reported_not_a_traceback(tmp_path):
    bad = tmp_path / "regio.yaml"
    bad.write_text("code: x\nnaam: [unclosed\n")
    env = {**_env_without_infra(), "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "DATABASE_URL": "postgresql://x@127.0.0.1:1/x",
           "REGIO_CONFIG": str(bad), "BACKOFFICE_ENV": "demo"}
    result = subprocess.run([sys.executable, "-m", "facturatie"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "not valid YAML" in result.stderr and "Traceback" not in result.stderr
