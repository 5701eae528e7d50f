# One command per chore. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck pytest bench bench-setup install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: install, migrate the SQLite database, load demo data, serve on :8000
run: install
	$(BIN)/complydesk db upgrade
	$(BIN)/complydesk db demo
	$(BIN)/complydesk serve --host $(HOST) --port $(PORT)

## test: ruff, mypy on src/, then pytest (SQLite and PostgreSQL)
test: lint typecheck pytest

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install-dev
	$(BIN)/mypy src

pytest: install-dev
	$(BIN)/pytest

## bench: audit chain benchmark; PII accuracy and speed against peers (needs bench-setup)
bench: install-dev bench-setup
	$(BIN)/python bench/audit_verify.py
	.venv-bench/bin/python bench/pii_eval.py --peers all --record
	.venv-bench/bin/python bench/pii_speed.py --peers all --record

## bench-setup: a separate venv with the peers (Presidio, JioNLP, helan, jieba, Faker)
bench-setup: .venv-bench/.installed

.venv-bench/.installed: pyproject.toml
	$(PYTHON) -m venv .venv-bench
	.venv-bench/bin/pip install --quiet -e '.[bench]'
	touch $@

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
