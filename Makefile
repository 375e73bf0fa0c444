# Two commands on a fresh machine: `make serve` and `make test`. Both create .venv and install
# the project first; nothing is installed by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
STORE  ?= .kg/store

.PHONY: install build validate serve test lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Parse, materialise, validate, then swap the new store in (a failed build keeps the old one).
build: install
	$(BIN)/kg build --store $(STORE)

validate: install
	$(BIN)/kg validate

serve: build
	@echo "Built and validated the graph into $(STORE)."
	@echo "The SPARQL endpoint is not there yet; query from the shell meanwhile:"
	@echo "  $(BIN)/kg query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'"

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

format: install
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

test: lint
	$(BIN)/pytest

clean:
	rm -rf .kg .pytest_cache .ruff_cache .mypy_cache
