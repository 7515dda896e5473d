# ecs-templates: every target installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# checkov in its own environment: its pinned dependencies conflict with the project's.
CHECKOV_VENV := .venv-checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-stamp
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help templates lint security test bench clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  make %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): setup.cfg pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

$(CHECKOV_STAMP): constraints-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -c constraints-checkov.txt checkov
	touch $@

templates: $(STAMP) ## build every stack into templates/v<version>/, validated with cfn-lint
	$(BIN)/ecs-templates build

lint: $(STAMP) ## cfn-lint the newest templates/v<version>/ (informational rules included)
	$(BIN)/ecs-templates lint

security: $(STAMP) $(CHECKOV_STAMP) ## security gate: checkov + own rules over the newest templates/v<version>/
	CHECKOV=$(CHECKOV) $(BIN)/ecs-templates scan

test: $(STAMP) $(CHECKOV_STAMP) ## run the whole test suite (the security gate included)
	CHECKOV=$(abspath $(CHECKOV)) $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP) ## measure generation and validation speed
	$(BIN)/python bench/bench.py

clean: ## remove the virtual environment and caches (keeps templates/)
	rm -rf $(VENV) $(CHECKOV_VENV) build dist *.egg-info .pytest_cache .bench
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
