# The README's two commands: `make run` and `make test`. Everything they need installs here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run demo test check lint bench install clean system-packages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Serve the graph on http://$(HOST):$(PORT) over the embedded store in ./var/store.
run: $(STAMP)
	SRO_BASE_URI=$${SRO_BASE_URI:-http://$(HOST):$(PORT)} $(BIN)/sro-graph serve --host $(HOST) --port $(PORT)

## Serve with the illustrative example initiatives of data/voorbeelden/ (every answer says so:
## X-SRO-Examples header, a banner on pages; never in the catalogue), in its own store.
demo: $(STAMP)
	SRO_LOAD_EXAMPLES=true SRO_STORE=$${SRO_STORE:-./var/demo-store} \
	SRO_BASE_URI=$${SRO_BASE_URI:-http://$(HOST):$(PORT)} $(BIN)/sro-graph serve --host $(HOST) --port $(PORT)

# The service tests, run again on a real `oxigraph serve` and a real Virtuoso started by the
# tests (issue 7).
SERVICE_TESTS := $(sort $(wildcard tests/integration/test_api_*.py)) \
	tests/integration/test_instruments.py tests/integration/test_named_query_answers.py \
	tests/integration/test_founding_text.py tests/integration/test_examples.py \
	tests/integration/test_sparql_limits.py tests/integration/test_sparql_clients.py \
	tests/integration/test_catalog_incremental.py \
	tests/integration/test_w3c_sparql_protocol.py tests/integration/test_w3c_sparql_query.py

# The reference LDES client (npm), which replays the change stream in the tests (issue 15.4).
LDES_CLIENT := tools/ldes-client/node_modules/.bin/ldes-client

$(LDES_CLIENT): tools/ldes-client/package.json tools/ldes-client/package-lock.json
	npm ci --prefix tools/ldes-client --no-audit --no-fund --loglevel=error
	touch $(LDES_CLIENT)

## Install and run the whole test suite, then the service tests on every remote backend.
test: $(STAMP) system-packages $(LDES_CLIENT)
	$(BIN)/pytest
	$(BIN)/pytest --backend oxigraph $(SERVICE_TESTS)
	$(BIN)/pytest --backend virtuoso $(SERVICE_TESTS)

# Debian packages the tests drive: Chromium (the browser tests; no browser is downloaded) and
# Virtuoso (the service tests on a real Virtuoso), and libseccomp2 (the query workers' network
# sandbox, docs/sparql-security.md). Installed here when missing, so that `make
# test` alone sets up a fresh machine; as root directly, otherwise through sudo without a
# password. Where neither is possible, make stops and says what to install.
SYSTEM_COMMANDS := chromium:chromium virtuoso-t:virtuoso-opensource npm:npm

system-packages:
	@missing=""; \
	for pair in $(SYSTEM_COMMANDS); do \
	  command -v "$${pair%%:*}" >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; \
	done; \
	{ /sbin/ldconfig -p 2>/dev/null || ldconfig -p 2>/dev/null; } | grep -q 'libseccomp\.so\.2' \
	  || missing="$$missing libseccomp2"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	  else echo "make test needs these Debian packages:$$missing (apt-get install$$missing," \
	            "as root)" >&2; exit 1; fi; \
	  echo "Installing Debian packages:$$missing"; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

## Lint, type-check and the layer contract.
check: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache tools/ldes-client/node_modules
