# One command each: `make demo` runs the local demo, `make test` runs lint, types and every test.
# Everything installs into .venv (project) and .venv-sam (SAM CLI pins its own boto3).
SHELL := /bin/bash
PYTHON ?= $(shell PYENV_VERSION=3.13.0 pyenv which python 2>/dev/null || command -v python3.13 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv lint types unit test demo bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: venv
	$(BIN)/mypy

unit: venv
	$(BIN)/pytest

test: lint types unit

clean:
	rm -rf $(VENV) .aws-sam .mypy_cache .ruff_cache .pytest_cache

# --- The local demo and the benchmarks ---
# `make demo` needs nothing but the project's venv: moto runs in-process on a free loopback port.
# `make bench` prints figures and writes bench/results/latest.json; it never fails on a missed target.
# Cloud Custodian, the benchmarks' point of comparison, gets a venv of its own (it pins its own boto3).
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed
C7N_VERSION := 0.9.53

demo: venv
	$(BIN)/python -m demo

$(BENCH_STAMP):
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q "c7n==$(C7N_VERSION)"
	touch $(BENCH_STAMP)

bench: venv $(BENCH_STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.reliability
