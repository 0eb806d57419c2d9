# PowerPulse. `make run` starts it locally; `make test` runs the whole test suite.
SHELL := /bin/bash
PYTHON ?= python3
export POWERPULSE_DATA_DIR ?= $(CURDIR)/data
export POWERPULSE_RUN_DIR ?= $(CURDIR)/data/run

.PHONY: run install webui migrate test test-deps lint typecheck pytest demo bench migrations clean

install:
	$(PYTHON) -m pip install -q --disable-pip-version-check -e .
	@if [ -f webui/package.json ] && command -v npm >/dev/null; then $(MAKE) webui; fi

webui:
	cd webui && (test -d node_modules || npm ci --no-audit --no-fund --loglevel=error) && npm run build

migrate:
	powerpulse migrate

## Start PowerPulse locally: api + poller under supervisord, SQLite in ./data, on $PORT (8080).
run: install
	@mkdir -p "$(POWERPULSE_RUN_DIR)"
	powerpulse check-config
	powerpulse migrate
	exec supervisord -n -c supervisord.conf

## Everything the tests need (system packages included), then lint, type check and every test.
test: test-deps lint typecheck pytest

test-deps:
	./scripts/install-test-deps.sh
	@if [ -f webui/package.json ]; then $(MAKE) webui; fi

lint:
	ruff check app tests bench
	ruff format --check app tests bench

typecheck:
	mypy

pytest:
	$(PYTHON) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)
	@if [ -f webui/package.json ]; then cd webui && npx vitest run; fi

## Write a new migration after changing app/powerpulse/db/models.py.
migrations:
	$(PYTHON) -m tortoise -c powerpulse.db.migration_config.TORTOISE_ORM makemigrations

## A demo without a UPS: a NUT simulator plus PowerPulse on ./data/demo (log in as demo / demo-password).
demo: install
	./scripts/demo.sh

bench:
	$(PYTHON) bench/run_all.py

clean:
	rm -rf webui/dist .pytest_cache .mypy_cache .ruff_cache
