# One command each: `make demo` runs the local demo, `make test` runs lint, types and every test.
# Everything installs into .venv (project) and .venv-sam (SAM CLI pins its own boto3).
SHELL := /bin/bash
PYTHON ?= $(shell PYENV_VERSION=3.13.0 pyenv which python 2>/dev/null || command -v python3.13 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv lint types unit test demo dashboard-png bench clean

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

# One worker per CPU (pytest-xdist): every test builds its own moto state, none shares a file or a port.
unit: venv
	$(BIN)/pytest -n auto

test: lint types unit deploy-checks

clean:
	rm -rf $(VENV) .aws-sam .mypy_cache .ruff_cache .pytest_cache

# --- Deployment: template generation, cfn-lint, sam validate / build, the package's size and import ---
# SAM CLI lives in its own virtualenv (it pins its own boto3); sam runs offline with fake credentials,
# a fixed Region, python3.13 on PATH and no telemetry.
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
SAM_STAMP := $(SAM_VENV)/.installed
SAM_CLI_VERSION := 1.170.0
SAM_ENV := AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1 SAM_CLI_TELEMETRY=0 \
	PYENV_VERSION=3.13.0 PATH="$(dir $(PYTHON)):$$PATH"
# Regions with and without AWS::SecurityHub::ActionTarget in cfn-lint's specs (the stack must deploy in all).
CFN_REGIONS := us-east-1 us-west-2 eu-central-1 eu-west-1 us-east-2 ap-northeast-1
TEMPLATES := template.yaml deploy/member-role.yaml deploy/member-config-events.yaml deploy/member-baseline.yaml
# Packages the function: the project's Python (the versions the tests ran), else the interpreter above.
PACKAGER = $(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON))

.PHONY: template sam-venv cfn sam-validate sam-build package-size deploy-types deploy-checks

template: venv
	$(BIN)/python -m deploy.template_gen

$(SAM_STAMP):
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install -q "aws-sam-cli==$(SAM_CLI_VERSION)"
	touch $(SAM_STAMP)

sam-venv: $(SAM_STAMP)

cfn: venv
	$(BIN)/python -m deploy.template_gen --check
	$(BIN)/cfn-lint --regions $(CFN_REGIONS) -- $(TEMPLATES)

sam-validate: sam-venv
	$(SAM_ENV) $(SAM) validate --lint --template template.yaml

sam-build: sam-venv venv
	rm -rf .aws-sam/build
	$(SAM_ENV) $(SAM) build --template template.yaml

package-size: sam-build
	$(BIN)/python -m deploy.package check .aws-sam/build/*RemediationFunction

# `sam build` runs this in the repository root for each function (BuildMethod: makefile); the function
# ships its family alone: S3RemediationFunction → s3 (deploy/functions.py names functions from families).
build-%RemediationFunction:
	$(PACKAGER) -m deploy.package build "$(ARTIFACTS_DIR)" --family "$(shell echo $* | tr "[:upper:]" "[:lower:]")"

deploy-types: venv
	$(BIN)/mypy -p deploy

deploy-checks: deploy-types cfn sam-validate package-size

# --- JSON Schemas compiled ahead of time, so a cold start does not compile them (model/schema.py) ---
.PHONY: schemas generate
schemas: venv
	$(BIN)/python -m tools.compile_schemas

# Everything generated from the registry and the remediations: run it after adding a remediation.
generate: schemas template

# --- The local demo and the benchmarks ---
# `make demo` needs nothing but the project's venv: moto runs in-process on a free loopback port.
# `make bench` prints figures and writes bench/results/latest.json; it never fails on a missed target.
# Cloud Custodian, the benchmarks' point of comparison, gets a venv of its own (it pins its own boto3).
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed
C7N_VERSION := 0.9.53

demo: venv
	$(BIN)/python -m demo

# README's dashboard.png: the stack's dashboard drawn from the demo's metrics (tools/dashboard_png.py).
dashboard-png: venv
	$(BIN)/python -m tools.dashboard_png

$(BENCH_STAMP):
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q "c7n==$(C7N_VERSION)"
	touch $(BENCH_STAMP)

bench: venv $(BENCH_STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.reliability
