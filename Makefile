# The README's two commands: `make run` and `make test`. Everything they need installs here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test check lint bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Serve the graph on http://$(HOST):$(PORT) over the embedded store in ./var/store.
run: $(STAMP)
	SRO_BASE_URI=$${SRO_BASE_URI:-http://$(HOST):$(PORT)} $(BIN)/sro-graph serve --host $(HOST) --port $(PORT)

## Install and run the whole test suite.
test: $(STAMP)
	$(BIN)/pytest

## Lint, type-check and the layer contract.
check: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
