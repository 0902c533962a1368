# The two README commands and a few more. Everything installs into .venv; nothing is needed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,postgres]'
	touch $(STAMP)

## Build the demo workspace and serve it on http://127.0.0.1:8000
demo: $(STAMP)
	$(BIN)/omotenashi demo

## Set up everything (system packages the tests need, the venv), lint, then run the whole test suite
test: $(STAMP)
	bash scripts/test-setup.sh
	$(MAKE) --no-print-directory lint
	bash scripts/run-tests.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix src tests
	$(BIN)/ruff format src tests

bench: $(STAMP)
	$(BIN)/omotenashi bench intake

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
