# Two commands on a fresh machine: `make serve` and `make test`. Both create .venv and install
# the project first; nothing is installed by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.package-lock.json
STORE  ?= .kg/store

.PHONY: install ui browser virtuoso haproxy build validate serve test lint format clean bench

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

# Virtuoso for the remote-store tests (tests/remote/): Debian's packages unpacked into .virtuoso/,
# never installed (apt-get install would set up a system service). The tests start it privately.
VIRTUOSO      := .virtuoso
VIRTUOSO_DEBS := virtuoso-opensource-7-bin virtuoso-opensource-7-common libwbxml2-1 libminizip1 libpcre3

$(VIRTUOSO)/root/usr/bin/virtuoso-t:
	rm -rf $(VIRTUOSO) && mkdir -p $(VIRTUOSO)/debs
	cd $(VIRTUOSO)/debs && { apt-get download $(VIRTUOSO_DEBS) || \
		{ apt-get update && apt-get download $(VIRTUOSO_DEBS); }; }
	for deb in $(VIRTUOSO)/debs/*.deb; do dpkg-deb -x "$$deb" $(VIRTUOSO)/root; done

virtuoso: $(VIRTUOSO)/root/usr/bin/virtuoso-t

# HAProxy for the read-replica tests (tests/remote/test_replicas.py): Debian's package and the
# libraries it needs that are not already on the system, unpacked into .haproxy/, never
# installed (no system service). The tests run it from a private config on 127.0.0.1.
HAPROXY      := .haproxy
HAPROXY_DEBS := haproxy liblua5.3-0 libopentracing-c-wrapper0 libopentracing1

$(HAPROXY)/root/usr/sbin/haproxy:
	rm -rf $(HAPROXY) && mkdir -p $(HAPROXY)/debs
	cd $(HAPROXY)/debs && { apt-get download $(HAPROXY_DEBS) || \
		{ apt-get update && apt-get download $(HAPROXY_DEBS); }; }
	for deb in $(HAPROXY)/debs/*.deb; do dpkg-deb -x "$$deb" $(HAPROXY)/root; done

haproxy: $(HAPROXY)/root/usr/sbin/haproxy

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

# Both cores: the suite's tests are independent (servers on free ports, stores in tmp dirs).
test: lint browser virtuoso haproxy
	$(BIN)/pytest -n auto

clean:
	rm -rf .kg .pytest_cache .ruff_cache .mypy_cache

BENCH_VENV  := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed-stamp
BENCH_ARGS  ?= --sizes 10k,100k,1m --duration 15s --connections 8

$(BENCH_STAMP): pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e '.[bench]'
	touch $(BENCH_STAMP)

# Not a test: our endpoint against Oxigraph's server and rdflib-endpoint, at 10k, 100k and 1M
# triples; writes bench/RESULTS.md. Takes 10-20 minutes. See bench/README.md.
bench: install $(BENCH_STAMP)
	@command -v wrk >/dev/null || { apt-get update && apt-get install -y wrk; }
	$(BENCH_VENV)/bin/python bench/run.py $(BENCH_ARGS)
