# The two set-up commands: `make run` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
N ?= 100000
BENCH_ARGS ?=

.PHONY: run test lint bench load clean bytecode config-docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

# axe-core for the browser tests (tests/test_browser.py), pinned by tests/package-lock.json.
AXE := tests/node_modules/axe-core/axe.min.js
$(AXE): tests/package.json tests/package-lock.json
	npm ci --prefix tests --no-audit --no-fund --loglevel=error
	touch $@

# Our own modules compiled ahead of use: an editable install leaves that to the first
# import, and where writing bytecode is off (PYTHONDONTWRITEBYTECODE) every `aggregator`
# command would compile them again (about 50 ms of each run).
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q aggregator

# Install, then serve the bundled seeds/ at http://127.0.0.1:8080, rebuilding every
# schedule.interval_seconds (config/aggregator.yaml). Ctrl-C stops it.
run: $(STAMP) bytecode
	$(BIN)/aggregator serve --content seeds --output feeds

# Install with the test dependencies, lint, then run the whole suite. The browser tests
# drive Debian's Chromium (/usr/bin/chromium) and need npm for axe-core.
test: $(TEST_STAMP) $(AXE)
	$(BIN)/ruff check aggregator tests bench
	$(BIN)/python -m pytest -q

lint: $(TEST_STAMP)
	$(BIN)/ruff check aggregator tests bench
	$(BIN)/ruff format --check aggregator tests bench

# A bounded load run (bench/load.py): `aggregator serve` under 64 keep-alive clients while it
# rebuilds, then nginx on the same files if installed. Not part of `make test`.
LOAD_SECONDS ?= 60
load: $(STAMP)
	$(BIN)/python bench/load.py --seconds $(LOAD_SECONDS)

# Time cold, no-change and one-file builds on a synthetic corpus of N articles against
# their floors; `make bench N=20000`, extra options in BENCH_ARGS (see bench/README.md).
bench: $(TEST_STAMP) bytecode
	$(BIN)/python bench/run.py --n $(N) $(BENCH_ARGS)

# config/aggregator.yaml and the README's configuration reference, written from the
# table of keys in aggregator/configschema.py (tests/test_config.py checks they agree).
config-docs: $(STAMP)
	$(BIN)/python -m aggregator.config --write-default --write-readme

clean:
	rm -rf $(VENV) .state build *.egg-info bench/out tests/node_modules
	find feeds -mindepth 1 ! -name .gitkeep -delete
