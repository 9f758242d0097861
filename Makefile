# abuse-guard: `make report` and `make test` are the whole quickstart.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup test lint report bench docs clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: lint
	$(PY) -m pytest

report: setup
	$(PY) -m abuse_guard report

bench: setup
	$(PY) -m benchmarks

docs: setup
	$(PY) -m abuse_guard policies --write README.md

clean:
	rm -rf $(VENV) reports/out .mypy_cache .ruff_cache .pytest_cache
