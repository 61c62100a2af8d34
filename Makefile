# Every target installs what it needs first: on a fresh clone `make contract` and `make test` are enough.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CONTRACTS := $(VENV)/bin/contracts
STAMP := $(VENV)/.installed
REPORT ?= reports
MOCK_BUDGET ?= --max-examples 5 --workers 2
MOCK_MIN_COVERAGE ?= statuses=95,error-codes=95

.DEFAULT_GOAL := help
.PHONY: help install generate check-generated lint lint-spec test contract mock bench clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(COMPILE)
	touch $(STAMP)

# Byte-compiled once here: with PYTHONDONTWRITEBYTECODE set, an editable package would otherwise be
# compiled again by every process (~40% of a lint). Python still reads .pyc files it may not write,
# and a source edited later is seen by its mtime (compiled in memory until the next `make install`).
COMPILE = $(PY) -m compileall -q contracts generated

install: $(STAMP) ## Create .venv with the toolkit (editable) and the dev tools
	@$(COMPILE)

generate: $(STAMP) ## Regenerate the pydantic models in generated/ from spec/v3.json
	$(PY) -m contracts.codegen

check-generated: $(STAMP) ## Fail when generated/ does not match spec/v3.json
	$(PY) -m contracts.codegen --check

lint: $(STAMP) ## ruff and mypy --strict on the toolkit, its tests and benchmarks
	$(VENV)/bin/ruff check contracts tests bench
	$(VENV)/bin/ruff format --check contracts tests bench
	$(VENV)/bin/mypy

lint-spec: $(STAMP) ## House rules and structural validity of spec/v3.json
	$(CONTRACTS) lint spec/v3.json

test: lint check-generated lint-spec ## Everything CI runs: lint, drift check, spec lint, pytest
	$(PY) -m pytest

contract: $(STAMP) ## Contract run: against BASE_URL if set (read-only unless ALLOW_WRITES=1), else the embedded mock
	$(CONTRACTS) run $(if $(filter undefined,$(origin BASE_URL)),--allow-writes $(MOCK_BUDGET) --min-coverage "$(or $(MIN_COVERAGE),$(MOCK_MIN_COVERAGE))",--base-url "$(BASE_URL)" $(if $(ALLOW_WRITES),--allow-writes) $(if $(MIN_COVERAGE),--min-coverage "$(MIN_COVERAGE)")) --report $(REPORT)
# Against the mock every phase runs, fuzzing and stateful on a budget (the targeted phase carries the
# coverage), gated on coverage.json's totals by MOCK_MIN_COVERAGE (a run below a bar is exit 1, one line
# per bar); against BASE_URL no bar unless MIN_COVERAGE=statuses=95,error-codes=95 asks for one.
# BASE_URL unset: the embedded mock. Set but empty (`BASE_URL=`, an empty CI variable): passed on, and
# `contracts run` refuses it with exit 2 instead of silently testing the mock.

mock: $(STAMP) ## Serve the stateful mock on 127.0.0.1:4010
	$(CONTRACTS) mock

# Byte-compiled first: a source changed since the install would be compiled again by every process timed.
bench: $(STAMP) ## Benchmarks: mock throughput, validation speed, lint time, beside their peers
	@$(COMPILE)
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean: ## Remove the virtualenv, caches and reports
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(REPORT)
