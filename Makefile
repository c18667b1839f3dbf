# detente: two commands for a newcomer.
#   make run   creates .venv and assesses the bundled default scenario
#   make test  creates .venv, installs the browser, and runs lint and every test not marked
#              slow (about 2 minutes on two cores); make test-slow runs the slow ones (real
#              browser, server, subprocesses, Dask clusters); CI (.ci/run) runs both
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := python3 -m uv
endif
VENV := .venv
PY := $(VENV)/bin/python
CHROMIUM ?= /usr/bin/chromium
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))

.PHONY: run test test-slow test-all test-quick test-thorough env browser lint format bench docs clean

# --compile-bytecode writes the packages' bytecode once, here, so that no process (the CLI, a
# test worker, a server, a Dask worker) compiles them again at start-up, even where
# PYTHONDONTWRITEBYTECODE is set (about 1 s of CPU a process on this machine). The sync runs
# again only when the lock file or pyproject.toml changed since the last one (the stamp), so
# `make test` does not pay it each time (about 7 s with bytecode).
env: $(VENV)/.synced

$(VENV)/.synced: uv.lock pyproject.toml
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen --all-groups --quiet --compile-bytecode
	@touch $@

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

browser: $(CHROMIUM)

run: env
	$(VENV)/bin/detente run

lint: env
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

format: env
	$(VENV)/bin/ruff format src tests benchmarks
	$(VENV)/bin/ruff check --fix src tests benchmarks

# Bytecode of the project and pytest's rewritten test modules is kept between runs (in the
# ignored __pycache__ folders) even where PYTHONDONTWRITEBYTECODE is set. Property tests run
# the Hypothesis profile HYPOTHESIS_PROFILE (default, for make test-quick: a third of their
# stated examples; `ci`, for make test and make test-slow: as stated; `thorough`: five times;
# tests/conftest.py). --dist worksteal: an idle worker takes queued tests from the busy one.
PYTEST := PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n 2 --dist worksteal --timeout 600
# Slow tests: those marked slow, and (tests/conftest.py) every browser test, every e2e test
# (the console script in a subprocess) and every test of the live server.
# make test and make test-slow together are the full check that CI runs (.ci/run): every
# test, with every property test's stated examples (the `ci` profile).
test: env browser lint
	HYPOTHESIS_PROFILE=ci $(PYTEST) -m "not slow" --durations=10

test-slow: env browser
	HYPOTHESIS_PROFILE=ci $(PYTEST) -m slow --durations=10

# Both, one after the other (what CI runs).
test-all: test test-slow

test-thorough: env browser lint
	HYPOTHESIS_PROFILE=thorough $(PYTEST) --durations=10

# The inner loop: make test with a third of the property tests' examples and no lint.
test-quick: env
	$(PYTEST) -m "not slow"

docs: env
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --quiet
	@echo "Documentation site: site/index.html"

bench: env
	$(PY) benchmarks/fsi_throughput.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist site
