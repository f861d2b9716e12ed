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

# The service tests, run again on a real `oxigraph serve` and a real Virtuoso started by the
# tests (issue 7).
SERVICE_TESTS := $(sort $(wildcard tests/integration/test_api_*.py)) \
	tests/integration/test_instruments.py tests/integration/test_named_query_answers.py \
	tests/integration/test_sparql_limits.py tests/integration/test_sparql_clients.py

## Install and run the whole test suite, then the service tests on every remote backend.
# Virtuoso comes from Debian (`apt-get install virtuoso-opensource`, which .ci/run does); where
# it is missing the pass is skipped with a notice, except under CI, where it must run.
test: $(STAMP)
	$(BIN)/pytest
	$(BIN)/pytest --backend oxigraph $(SERVICE_TESTS)
	@if command -v virtuoso-t >/dev/null || [ -n "$$CI" ]; then \
	  $(BIN)/pytest --backend virtuoso $(SERVICE_TESTS); \
	else \
	  echo "NOTE: Virtuoso is not installed; the service tests on Virtuoso were skipped" \
	       "(apt-get install virtuoso-opensource, or run .ci/run)."; \
	fi

## Lint, type-check and the layer contract.
check: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
