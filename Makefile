# The two commands a newcomer needs:  make run   and   make test
# Both install what is missing first (Python venv + packages, PostgreSQL, Java/Maven, the Kafka jars).
# make bench: the system benchmark (a region month end to end, ~7 min; BENCH_ARGS=--smoke for ~2 min).
# make faults: the long fault-injection run (~16 min; the short one is part of make test).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)
BENCH_STAMP := $(VENV)/.bench-installed-$(shell sha256sum pyproject.toml | cut -c1-12)
BENCH_ARGS ?=

.PHONY: run test lint setup system-packages kafka-jars unit bench faults clean

run: setup  ## the back office with demo traffic; Ctrl-C stops everything
	$(VENV)/bin/backoffice run --demo

test: setup  ## every test, against real Kafka and PostgreSQL started by the test run
	$(PY) -m pytest -ra

lint: setup  ## the style rules, enforced: ruff (style, complexity), mypy (types), import-linter (layers, no cross-service imports)
	$(VENV)/bin/ruff check services shared tools tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) -m tools.function_lengths

unit: setup  ## only the fast tests without infrastructure
	$(PY) -m pytest -ra -m "not integration"

bench: setup $(BENCH_STAMP)  ## system benchmark on real Kafka + PostgreSQL: figures vs targets, JSON + PNG in test-artifacts/bench/
	$(PY) bench/system_bench.py $(BENCH_ARGS)

faults: setup  ## long fault injection: 10 minutes of faults on ~10,000 October lines; report in test-artifacts/faults/
	FAULT_SECONDS=$${FAULT_SECONDS:-600} FAULT_CLIENTS=$${FAULT_CLIENTS:-3000} $(PY) -m pytest -s tests/system/test_faults.py

setup: system-packages $(STAMP) kafka-jars

system-packages:
	@bash deploy/local/install-system-packages.sh

$(STAMP): pyproject.toml
	@echo "[setup] creating $(VENV) and installing Python packages (first time ~1 min)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -e '.[test,lint]'
	@rm -f $(VENV)/.installed-* && touch $@

$(BENCH_STAMP): $(STAMP)
	@echo "[setup] installing the benchmark's packages (extra 'bench': matplotlib)"
	@$(PY) -m pip install -q -e '.[test,lint,bench]'
	@rm -f $(VENV)/.bench-installed-* && touch $@

kafka-jars: $(STAMP)
	@$(PY) -c "from tools.localinfra import ensure_kafka_jars; ensure_kafka_jars()"

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
