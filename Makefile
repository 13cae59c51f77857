# Gongkai — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test bench lint format openapi lock clean

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Gongkai needs Python 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

## Start gateway and the three services on embedded defaults (SQLite, demo data); Ctrl-C stops all.
run: setup
	$(BIN)/python -m shared.devrun

## Run the whole test suite (with CI=true also against PostgreSQL on 127.0.0.1:5432).
test: setup
	$(BIN)/python -m pytest

## Benchmarks: medians and ratios against a baseline measured in the same run.
bench: setup
	$(BIN)/python bench/gateway.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Regenerate the committed contract from the code.
openapi: setup
	$(BIN)/python -m gateway.openapi > openapi.json

## Re-pin every installed package after changing pyproject.toml.
lock: setup
	$(BIN)/pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf $(VENV) var .pytest_cache
