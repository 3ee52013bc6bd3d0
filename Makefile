# Everyday commands. Every target installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Run with the venv first on PATH so that generator hooks find the pinned ruff.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: install system-deps generate check-generated filters check-filters lint format types test demo cassettes bench sandbox

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Chromium and Leaflet for the tests that look at rendered results (apt-get, sudo if not root).
system-deps:
	bash scripts/system_deps.sh

generate: install
	$(BIN)/python scripts/generate.py generated/capella_api

check-generated: install
	bash scripts/check_generated.sh

filters: install
	$(BIN)/python scripts/gen_filters.py > capella/filters.py

check-filters: install
	$(BIN)/python scripts/gen_filters.py | diff -u capella/filters.py - \
		|| (echo "capella/filters.py is stale: run 'make filters'" >&2; exit 1)

lint: install
	$(BIN)/ruff check capella tests scripts benchmarks
	$(BIN)/ruff format --check capella tests scripts benchmarks

format: install
	$(BIN)/ruff check --fix capella tests scripts benchmarks
	$(BIN)/ruff format capella tests scripts benchmarks

types: install
	$(BIN)/mypy capella

test: install system-deps
	$(BIN)/python -m pytest --record-mode=none --block-network --allowed-hosts='127\.0\.0\.1' -q

demo: install
	$(BIN)/python -m capella.demo

sandbox: install
	$(BIN)/capella sandbox

cassettes: install
	$(BIN)/python scripts/record_cassettes.py

bench: install
	$(BIN)/python benchmarks/search_bench.py
	$(BIN)/python benchmarks/download_bench.py
