# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
RUN_STAMP := $(VENV)/.installed-run
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install smoke lint typecheck contracts checks bench-harvest bench-metrics bench-api bench-pages bench-processes lock lock-upgrade clean

# Re-install only when the dependency list changes. `make run` needs only the runtime dependencies;
# the tests and checks add the development tools.
$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Dependencies come from the hash-pinned lockfiles (requirements/*.txt, pip-tools); the project itself
# is then installed without dependencies. `make lock` refreshes the locks after a pyproject change,
# `make lock-upgrade` moves every pin to the newest allowed release.
$(RUN_STAMP): pyproject.toml requirements/run.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/run.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(RUN_STAMP)

$(STAMP): pyproject.toml requirements/dev.txt frontend/package-lock.json | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@if command -v npm >/dev/null; then cd frontend && npm ci --no-audit --no-fund --silent; \
	 else echo "npm not found: the accessibility checks will be skipped (REQUIRE_SERVICES=1 fails them)"; fi
	@touch $(STAMP) $(RUN_STAMP)

install: $(STAMP)

## Start web, worker and beat on the embedded default (SQLite + filesystem broker). Ctrl-C stops all.
run: $(RUN_STAMP)
	$(BIN)/python -m config.launcher --host $(HOST) --port $(PORT) $(if $(filter 1 yes true,$(OFFLINE)),--offline,)

## The whole test suite (SQLite + embedded broker unless DATABASE_URL / CELERY_BROKER_URL say otherwise).
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Only the embedded-default end-to-end tests.
smoke: $(STAMP)
	env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL $(BIN)/python -m pytest -m smoke $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy curation workers api frontend research config

contracts: $(STAMP)
	$(BIN)/lint-imports

## Static checks CI runs besides the tests.
checks: lint typecheck contracts
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=$$($(BIN)/python -c 'import secrets;print(secrets.token_urlsafe(64))') \
	  ALLOWED_HOSTS=curator.example.org DATABASE_URL=sqlite:///:memory: \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

bench-harvest: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/harvest.py $(BENCH_ARGS)

## Needs PostgreSQL (BENCH_PG=postgres://user@host:port); creates and drops its own database.
bench-metrics: $(STAMP)
	$(BIN)/python bench/metrics.py $(BENCH_ARGS)

## API latency and throughput at 100,000 resources (PostgreSQL: BENCH_PG=postgres://user@host:port).
bench-api: $(STAMP)
	$(BIN)/python bench/api.py $(BENCH_ARGS)

## Web page server time at 100,000 resources (PostgreSQL).
bench-pages: $(STAMP)
	$(BIN)/python bench/pages.py $(BENCH_ARGS)

## Web worker memory and manage.py start-up time (SQLite, gunicorn on loopback).
bench-processes: $(STAMP)
	$(BIN)/python bench/processes.py $(BENCH_ARGS)

## Re-resolve the hash-pinned lockfiles from pyproject.toml (keeps current pins where still allowed).
PIP_COMPILE = $(BIN)/python -m piptools compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock: $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(PIP_COMPILE) --extra research -o requirements/run.txt pyproject.toml
	$(PIP_COMPILE) --extra research --extra dev -c requirements/run.txt -o requirements/dev.txt pyproject.toml

## Move every pin to the newest release pyproject.toml allows, then review and run `make test`.
lock-upgrade:
	$(MAKE) lock LOCK_ARGS=--upgrade

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
