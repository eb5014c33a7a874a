# The commands the README names. Each installs what it needs first (nothing is installed by hand).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
API_PORT ?= 8700
ISSUER_PORT ?= 8701
export PYTHONPATH := $(CURDIR)/layers/core/python:$(CURDIR)
export AWS_XRAY_SDK_ENABLED := false
export POWERTOOLS_TRACE_DISABLED := true

.PHONY: install run test lint typecheck template-check build demo bench clean

$(STAMP): pyproject.toml layers/core/python/requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --python $(BIN)/python -q -r pyproject.toml --extra dev
	printf '#!/usr/bin/env bash\nPYTHONPATH="%s:%s/layers/core/python" exec "%s/$(BIN)/python" -m infra.cli "$$@"\n' "$(CURDIR)" "$(CURDIR)" "$(CURDIR)" > $(BIN)/motcua
	chmod +x $(BIN)/motcua
	touch $(STAMP)

install: $(STAMP)

## run: the local cloud with demo data (no Docker, no AWS account); Ctrl-C to stop
run: install
	$(BIN)/python -m infra.local --port $(API_PORT) --issuer-port $(ISSUER_PORT)

## test: lint, types, template checks and every test suite (what CI runs)
test: install lint typecheck template-check
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy layers/core/python functions infra

template-check: install
	$(BIN)/cfn-lint template.yaml
	bash scripts/sam.sh validate --lint --template template.yaml

## build: sam build (SAM CLI in its own environment under .tools/sam)
build:
	bash scripts/sam.sh build --template template.yaml --build-dir .aws-sam/build

## demo: with `make run` going, walk a demo dossier through the system over HTTP
demo: install
	$(BIN)/python -m infra.local.demo

## bench: cold-start import ratios and other measurements (never part of `make test`)
bench: install
	$(BIN)/python -m tests.perf.bench

clean:
	rm -rf $(VENV) .tools .aws-sam .local-cloud .pytest_cache .mypy_cache .ruff_cache
