# abuse-guard: `make report` and `make test` are the whole quickstart.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The oldest pulumi SDK the offline preview supports (offline/recorder/protocol.py MINIMUM_PULUMI): its wheel,
# for tests/offline to run a program under it.
OLDEST_PULUMI := $(VENV)/wheels/pulumi-3.50.0-py3-none-any.whl

.PHONY: setup test lint report bench docs dist clean

setup: $(STAMP) $(OLDEST_PULUMI)

# constraints.txt pins every package exactly (the library's own ranges are in pyproject.toml)
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev,stacks]'
	touch $(STAMP)

$(OLDEST_PULUMI): | $(STAMP)
	$(PY) -m pip download --quiet --no-deps --only-binary=:all: --dest $(VENV)/wheels pulumi==3.50.0

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: lint
	$(PY) -m pytest

# the demo's insecure stacks fail on purpose (their config says so); the flag lets them, and fails if they stop
report: setup
	$(PY) -m abuse_guard report --expected-failures

bench: setup
	$(PY) -m benchmarks

# the policy pages from the registry, then the site into site/ (strict: a broken link or anchor is an error)
docs: setup
	$(PY) -m abuse_guard policies --write-docs docs/policies
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site

# the sdist and the wheel (abuse_guard, its templates and schemas; no PulumiPolicy.yaml) into dist/
dist: setup
	rm -rf dist
	$(PY) -m build --outdir dist .

clean:
	rm -rf $(VENV) reports/out .mypy_cache .ruff_cache .pytest_cache
