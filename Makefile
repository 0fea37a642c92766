# GridGov — two commands: `make run` (demo platform on SQLite) and `make test` (the whole suite).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEPS := $(VENV)/.deps-installed
STATIC := node_modules/.installed

.PHONY: run test install chromium lint bench clean

install: $(DEPS) $(STATIC)

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(DEPS): requirements.txt requirements-test.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-test.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(STATIC): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## Start the platform on demo data (embedded SQLite): web on 127.0.0.1:8000 plus the worker.
run: install
	GRIDGOV_DEMO=1 $(BIN)/gridgov up

## Install what the tests need (Chromium from Debian when run as root) and run the whole suite.
## GRIDGOV_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/gridgov make test  runs it on PostgreSQL.
test: install chromium
	$(BIN)/python -m pytest

chromium:
	@sh scripts/ensure-chromium

lint: install
	$(BIN)/ruff check .

bench: install
	GRIDGOV_DEMO=1 $(BIN)/gridgov bench --quick

clean:
	rm -rf $(VENV) node_modules var
