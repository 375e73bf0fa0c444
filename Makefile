# Two commands on a fresh machine: `make serve` and `make test`. Both create .venv and install
# the project first; nothing is installed by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.package-lock.json
STORE  ?= .kg/store

.PHONY: install ui browser build validate serve test lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The query page's JavaScript (YASGUI), exactly as package-lock.json pins it; served by our own
# server from node_modules/, never from a CDN. No package needs its install script.
$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $(NODE_STAMP)

ui: $(NODE_STAMP)

install: $(STAMP) ui

# Debian's Chromium for the browser tests, driven by Playwright (which never downloads one).
browser:
	@test -x /usr/bin/chromium || { apt-get update && apt-get install -y chromium; }

# Parse, materialise, validate, then swap the new store in (a failed build keeps the old one).
build: install
	$(BIN)/kg build --store $(STORE)

validate: install
	$(BIN)/kg validate

# The SPARQL endpoint on http://127.0.0.1:8000/sparql (query UI at /); KG_* variables configure it.
serve: build
	$(BIN)/kg serve --store $(STORE)

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

format: install
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

test: lint browser
	$(BIN)/pytest

clean:
	rm -rf .kg .pytest_cache .ruff_cache .mypy_cache
