# jixiao: `make run` publishes the sample filings, `make test` runs every test, `make ui` opens Dagster.
# Each target sets up .venv from requirements.lock first (once, and again when the lock changes).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test ui docs setup clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "jixiao needs Python 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

run: $(STAMP)
	$(BIN)/jixiao run

test: $(STAMP)
	$(BIN)/pytest

ui: $(STAMP)
	$(BIN)/jixiao ui

docs: $(STAMP)
	$(BIN)/python -m filings.schemas > docs/tables.md
	$(BIN)/python -m checks.catalogue > docs/rules.md

clean:
	rm -rf warehouse .dagster_home test-artifacts
