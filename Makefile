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

# The service tests, run again on a real `oxigraph serve` started by the tests (issue 7).
SERVICE_TESTS := $(sort $(wildcard tests/integration/test_api_*.py)) \
	tests/integration/test_instruments.py tests/integration/test_named_query_answers.py \
	tests/integration/test_sparql_limits.py tests/integration/test_sparql_clients.py

## Install and run the whole test suite, then the service tests on every remote backend.
test: $(STAMP)
	$(BIN)/pytest
	$(BIN)/pytest --backend oxigraph $(SERVICE_TESTS)

## Lint, type-check and the layer contract.
check: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
