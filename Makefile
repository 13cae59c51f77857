# Gongkai — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup fonts browser run test bench lint format openapi lock clean

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Gongkai needs Python 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) fonts

## The Chinese fonts the PDF notices embed (WeasyPrint): Debian's fonts-noto-cjk, with Pango to lay
## the text out and libharfbuzz-subset0 to subset the fonts fast. Installed when `python -m shared.pdf
## --check` fails and we are root; elsewhere PDF downloads answer 503 pdf_unavailable (the printable
## HTML notices still work) and the build says so loudly (CI=true: fails).
PDF_PACKAGES := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
fonts: $(STAMP)
	@$(BIN)/python -m shared.pdf --check >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(PDF_PACKAGES) \
	     && $(BIN)/python -m shared.pdf --check); \
	  else false; fi \
	  || { echo "*** $(PDF_PACKAGES) could not be installed: PDF notices will answer 503 ***"; \
	       [ "$$CI" != true ]; }; }

## Start gateway and the three services on embedded defaults (SQLite, demo data); Ctrl-C stops all.
run: setup
	$(BIN)/python -m shared.devrun

## Headless Chromium for the search widget's browser test: Debian's package, never a downloaded
## build. Installed when missing and we are root; elsewhere the test skips loudly (CI=true: fails).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium); \
	  else false; fi \
	  || { echo "*** chromium could not be installed: the widget's browser test will not run ***"; \
	       [ "$$CI" != true ]; }; }

## Run the whole test suite (with CI=true also against PostgreSQL on 127.0.0.1:5432), in parallel:
## each pytest-xdist worker has its own databases and its own cluster of processes on free ports.
## Much of the suite waits on databases and subprocesses, so twice the cores keeps them busy.
TEST_WORKERS ?= $(shell $(BIN)/python -c 'import os; print(max(2, 2 * len(os.sched_getaffinity(0))))')
test: setup browser
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

## Benchmarks: medians and ratios against a baseline measured in the same run. The requests and
## feedback benches run on PostgreSQL when it answers on 127.0.0.1:5432 (their targets are stated
## for it), else on SQLite.
PG_BENCH = $(shell $(BIN)/python -c 'import socket; s = socket.socket(); s.settimeout(1); print("--postgres" if s.connect_ex(("127.0.0.1", 5432)) == 0 else "")')
bench: setup
	$(BIN)/python bench/gateway.py
	$(BIN)/python bench/relevance.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/requests.py $(PG_BENCH)
	$(BIN)/python bench/feedback.py $(PG_BENCH)

## ruff, then mypy as configured in pyproject.toml (strict on shared/ and the domain modules).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

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
