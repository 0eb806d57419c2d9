# PowerPulse. `make run` starts it locally; `make test` runs the whole test suite.
# Everything Python lives in a project virtualenv (.venv), so a stock Debian python3 works too.
SHELL := /bin/bash
VENV ?= $(CURDIR)/.venv
PYTHON := $(VENV)/bin/python
export PATH := $(VENV)/bin:$(PATH)
export POWERPULSE_DATA_DIR ?= $(CURDIR)/data
export POWERPULSE_RUN_DIR ?= $(CURDIR)/data/run

.PHONY: run install venv webui migrate test test-deps lint typecheck pytest demo bench migrations image image-local clean

venv: $(PYTHON)
$(PYTHON):
	python3 -m venv "$(VENV)" || { echo "python3 -m venv failed: apt-get install python3-venv"; exit 1; }

# Installs happen only when their inputs changed (stamp files), so that `make run` and `make demo`
# start without a package index once everything is installed.
INSTALLED := $(VENV)/.powerpulse-installed
NPM_INSTALLED := webui/node_modules/.powerpulse-installed
WEBUI_SOURCES := $(shell find webui/src webui/public -type f 2>/dev/null) webui/index.html \
	webui/vite.config.ts webui/tsconfig.json webui/package.json

install: $(INSTALLED)
	@if [ ! -f webui/package.json ]; then :; elif command -v npm >/dev/null; then $(MAKE) --no-print-directory webui; \
	 else echo "npm not found: the API runs, the web UI is not built (install Node.js 20 and run make webui)"; fi

$(INSTALLED): pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install -q --disable-pip-version-check -e .
	@touch $@

webui: webui/dist/index.html

$(NPM_INSTALLED): webui/package-lock.json
	cd webui && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

webui/dist/index.html: $(NPM_INSTALLED) $(WEBUI_SOURCES)
	cd webui && npm run build

migrate: install
	powerpulse migrate

## Start PowerPulse locally: api + poller under supervisord, SQLite in ./data, on $PORT (8080).
run: install
	./scripts/run.sh

## A demo without a UPS: a NUT simulator plus PowerPulse on ./data/demo (log in as demo / demo-password).
demo: install
	./scripts/demo.sh

## Everything the tests need (system packages included), then lint, type check and every test.
test: test-deps lint typecheck pytest

test-deps:
	VENV="$(VENV)" ./scripts/install-test-deps.sh
	@touch $(INSTALLED); if [ -d webui/node_modules ]; then touch $(NPM_INSTALLED); fi  # the script installed both
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

## The same image where no registry is reachable: podman + debootstrap (as root), Debian's mirror and PyPI.
image-local: venv
	$(PYTHON) scripts/build_local_image.py

bench:
	@echo "Benchmarks are run one by one; see bench/README.md"

clean:
	rm -rf webui/dist .pytest_cache .mypy_cache .ruff_cache
