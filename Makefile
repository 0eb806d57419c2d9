# PowerPulse. `make run` starts it locally; `make test` runs the whole test suite.
# Everything Python lives in a project virtualenv (.venv), so a stock Debian python3 works too.
SHELL := /bin/bash
VENV ?= $(CURDIR)/.venv
PYTHON := $(VENV)/bin/python
export PATH := $(VENV)/bin:$(PATH)
export POWERPULSE_DATA_DIR ?= $(CURDIR)/data
export POWERPULSE_RUN_DIR ?= $(CURDIR)/data/run

.PHONY: run install venv webui migrate test test-deps lint typecheck pytest demo bench migrations image clean

venv: $(PYTHON)
$(PYTHON):
	python3 -m venv "$(VENV)" || { echo "python3 -m venv failed: apt-get install python3-venv"; exit 1; }

install: venv
	$(PYTHON) -m pip install -q --disable-pip-version-check -e .
	@if [ -f webui/package.json ] && command -v npm >/dev/null; then $(MAKE) --no-print-directory webui; \
	 else echo "npm not found: the API runs, the web UI is not built (install Node.js 20 and run make webui)"; fi

webui:
	cd webui && (test -d node_modules || npm ci --no-audit --no-fund --loglevel=error) && npm run build

migrate: install
	powerpulse migrate

## Start PowerPulse locally: api + poller under supervisord, SQLite in ./data, on $PORT (8080).
run: install
	@mkdir -p "$(POWERPULSE_RUN_DIR)"
	powerpulse check-config
	powerpulse migrate
	@echo "PowerPulse on http://127.0.0.1:$${PORT:-8080} (Ctrl-C stops it)"
	exec supervisord -n -c supervisord.conf

## A demo without a UPS: a NUT simulator plus PowerPulse on ./data/demo (log in as demo / demo-password).
demo: install
	./scripts/demo.sh

## Everything the tests need (system packages included), then lint, type check and every test.
test: test-deps lint typecheck pytest

test-deps:
	VENV="$(VENV)" ./scripts/install-test-deps.sh
	@if [ -f webui/package.json ]; then $(MAKE) --no-print-directory webui; fi

lint:
	ruff check app tests bench
	ruff format --check app tests bench

typecheck:
	mypy

# PYTEST_WORKERS=3 runs the suite in 3 processes (pytest-xdist, units of work in
# tests/support/distribution.py): it mostly waits on real servers, so more workers than cores
# pay off. 0 (the default until two clean parallel runs in a row are recorded) is one process.
PYTEST_WORKERS ?= 0
pytest:
	$(PYTHON) -m pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)
	@if [ -f webui/package.json ]; then cd webui && npx vitest run; fi

## Write a new migration after changing app/powerpulse/db/models.py.
migrations:
	$(PYTHON) -m tortoise -c powerpulse.db.migration_config.TORTOISE_ORM makemigrations

## Build the container image (needs a Docker engine).
image:
	docker build -t powerpulse \
	  --build-arg VERSION=$$($(PYTHON) -c 'import importlib.metadata as m; print(m.version("powerpulse"))') \
	  --build-arg REVISION=$$(git rev-parse HEAD) .

bench:
	@echo "Benchmarks are run one by one; see bench/README.md"

clean:
	rm -rf webui/dist .pytest_cache .mypy_cache .ruff_cache
