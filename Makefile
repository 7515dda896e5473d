# ecs-templates: every target installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# checkov in its own environment: its pinned dependencies conflict with the project's.
CHECKOV_VENV := .venv-checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-stamp
# ECS Compose-X, the peer that `make bench` measures beside this project; used by nothing else.
PEER_VENV := .venv-peer
PEER_STAMP := $(PEER_VENV)/.installed-stamp
# Mermaid's own parser (Node), which the tests run over every generated diagram.
NODE_STAMP := node_modules/.installed-stamp
PYTEST_ARGS ?=
# Variables of the deploy targets (scripts/); `make help` lists the lines starting with "#>".
#> REGION=us-east-1     AWS region (default: the AWS CLI's: AWS_REGION, the profile's)
#> PROFILE=name         AWS CLI profile (default: AWS_PROFILE or the default profile)
#> PREFIX=wordpress     stack names are PREFIX-<stack> (default: wordpress)
#> PARAMS="K=V K2=V2"   template parameters (e.g. KeyName=vockey); PARAMS_FILE=file: K=V lines
#> TEMPLATE_VERSION=0.1.0 template version under templates/ (default: the newest)
#> STACK=ecs-ec2        the stack of `make url` (default ecs-ec2) and `make destroy` (default: all)
#> YES=1                do not ask before deleting or replacing stateful resources
REGION ?=
PROFILE ?=
PREFIX ?= wordpress
PARAMS ?=
PARAMS_FILE ?=
TEMPLATE_VERSION ?=
STACK ?=
YES ?=
AWS_FLAGS = $(if $(REGION),--region $(REGION)) $(if $(PROFILE),--profile $(PROFILE)) --prefix $(PREFIX) $(if $(TEMPLATE_VERSION),--version $(TEMPLATE_VERSION))
DEPLOY_FLAGS = $(AWS_FLAGS) $(foreach p,$(PARAMS),--param $(p)) $(if $(PARAMS_FILE),--params-file $(PARAMS_FILE)) $(if $(YES),--yes)
# The aws CLI from PATH, else the one `make test` installs into .venv.
SCRIPT_ENV = PATH="$$PATH:$(abspath $(BIN))"

.DEFAULT_GOAL := help
.PHONY: help templates lint security test test-fast bench bench-peer clean deploy-ecr push-images deploy-ec2 deploy-fargate deploy-services deploy-services-rds url destroy

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  make %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo "Variables of the deploy targets:"
	@awk '/^#> / {print "  " substr($$0, 4)}' $(MAKEFILE_LIST)

$(STAMP): setup.cfg pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

$(CHECKOV_STAMP): constraints-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -c constraints-checkov.txt checkov
	touch $@

$(PEER_STAMP): constraints-peer.txt
	$(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -c constraints-peer.txt ecs-composex
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

templates: $(STAMP) ## build every stack into templates/v<version>/, validated with cfn-lint
	$(BIN)/ecs-templates build

lint: $(STAMP) ## cfn-lint the newest templates/v<version>/ (informational rules included)
	$(BIN)/ecs-templates lint

security: $(STAMP) $(CHECKOV_STAMP) ## security gate: checkov + own rules over the newest templates/v<version>/
	CHECKOV=$(CHECKOV) $(BIN)/ecs-templates scan

test: $(STAMP) $(CHECKOV_STAMP) $(NODE_STAMP) ## run the whole test suite (the security gate included)
	CHECKOV=$(abspath $(CHECKOV)) $(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP) $(NODE_STAMP) ## the edit loop: the suite without the emulator and checkov tests
	$(BIN)/python -m pytest -m "not emulator and not checkov" $(PYTEST_ARGS)

bench: $(STAMP) bench-peer ## measure generation and validation speed, and beside ECS Compose-X
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/services.py

bench-peer: $(STAMP) $(PEER_STAMP) ## ours vs ECS Compose-X on awesome-compose (AWESOME_COMPOSE=clone)
	$(BIN)/python bench/peer.py --peer $(PEER_VENV)/bin/ecs-compose-x

deploy-ecr: ## deploy the ecr stack (REGION, PROFILE, PREFIX, PARAMS, YES)
	$(SCRIPT_ENV) scripts/deploy.sh ecr $(DEPLOY_FLAGS)

push-images: ## push wordpress and mariadb into the ecr stack's repositories (needs docker)
	$(SCRIPT_ENV) scripts/push-images.sh $(AWS_FLAGS)

deploy-ec2: ## deploy the ecs-ec2 stack (default VPC unless PARAMS name one)
	$(SCRIPT_ENV) scripts/deploy.sh ecs-ec2 $(DEPLOY_FLAGS)

deploy-fargate: ## deploy the ecs-fargate stack (default VPC unless PARAMS name one)
	$(SCRIPT_ENV) scripts/deploy.sh ecs-fargate $(DEPLOY_FLAGS)

deploy-services: ## deploy the ecs-services stack: one ECS service per application service (default VPC unless PARAMS name one)
	$(SCRIPT_ENV) scripts/deploy.sh ecs-services $(DEPLOY_FLAGS)

deploy-services-rds: ## deploy the ecs-services-rds stack: the services stack with its database on Amazon RDS
	$(SCRIPT_ENV) scripts/deploy.sh ecs-services-rds $(DEPLOY_FLAGS)

url: ## print where the application answers, one URL per public service (STACK=ecs-ec2 by default)
	$(SCRIPT_ENV) scripts/url.sh $(or $(STACK),ecs-ec2) $(AWS_FLAGS)

destroy: ## delete STACK (default: every deployed stack, ecr last) after draining it
	$(SCRIPT_ENV) scripts/delete.sh $(or $(STACK),--all) $(AWS_FLAGS) $(if $(YES),--yes)

clean: ## remove the virtual environment and caches (keeps templates/)
	rm -rf $(VENV) $(CHECKOV_VENV) $(PEER_VENV) node_modules build dist *.egg-info .pytest_cache .bench
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
