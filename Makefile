# fabula — set-up, demo and checks. Everything runs inside .venv (created on first use).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint typecheck unit bench eval clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## Analyse the bundled sample stories in examples/ and write JSON, TSV and HTML to out/.
demo: $(STAMP)
	$(BIN)/fabula analyze examples/*.txt examples/*.md --format all --output out/
	@echo "open out/*.html in a browser; JSON in out/*.json"

## Unit and property tests, lint and type checks.
test: $(STAMP) unit lint typecheck

unit: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

eval: $(STAMP)
	$(BIN)/fabula eval quotes pdnc ../shared/data/pdnc-dev
	$(BIN)/fabula eval pdnc ../shared/data/pdnc-dev

clean:
	rm -rf $(VENV) out fabula_out .pytest_cache .mypy_cache .ruff_cache
