# loyalty-warehouse - every target bootstraps .venv from the pinned requirements first.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)
export DBT_PROFILES_DIR := $(CURDIR)/profiles
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export GX_ANALYTICS_ENABLED := false

.PHONY: help venv demo test test-fast test-spark test-spark-cluster lint docs metrics clean bench validate dashboard

help: ## Show the targets
	@echo "loyalty-warehouse - make TARGET"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@echo "setting up $(VENV) from requirements.txt (pinned)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP) ## Create or update .venv from the pinned requirements

demo: $(STAMP) ## Generate the demo data (50,000 members, 24 months) and build the DuckDB warehouse
	@$(BIN)/loyalty demo

test: $(STAMP) ## Run every test: lint, generator, contract, dbt build with all data and unit tests, end to end, bad inputs, PostgreSQL and Spark lanes
	@scripts/ensure_postgres.sh
	@scripts/ensure_java.sh
	@scripts/ensure_chromium.sh
	@$(BIN)/pytest

test-fast: $(STAMP) ## Quick local check (about a minute): Python lint, SQL-free unit tests, contract, CLI, architecture; no warehouse builds
	@$(BIN)/ruff check src tests/python scripts
	@$(BIN)/pytest -m "not e2e and not postgres and not spark" --deselect tests/python/test_lint.py

test-spark: $(STAMP) ## Only the Spark lane (SPARK_LANE_MEMBERS=300): every model and test on Spark, public tables equal DuckDB's
	@scripts/ensure_java.sh
	@$(BIN)/pytest -m spark

test-spark-cluster: $(STAMP) ## The Spark cluster lane (opt-in, not yet passing): master, two workers, Thrift server, build, BI reads
	@scripts/ensure_java.sh
	@LOYALTY_SPARK_CLUSTER_LANE=1 $(BIN)/pytest -m spark_cluster

validate: $(STAMP) ## Run the great-expectations gates on the raw data and the warehouse (Data Docs in warehouse/data_docs)
	@$(BIN)/loyalty validate

dashboard: $(STAMP) ## Serve the dashboard over the warehouse on http://127.0.0.1:8050/ (PORT=..., WAREHOUSE=...)
	@$(BIN)/loyalty dashboard --port $(or $(PORT),8050) $(if $(WAREHOUSE),--warehouse $(WAREHOUSE))

lint: $(STAMP) ## Lint the SQL with sqlfluff (dbt templater) and the Python with ruff
	@# a warehouse that is never built, so models render as on a clean checkout (not their incremental branch)
	@LOYALTY_DBT_PATH=$(CURDIR)/target/lint/never-built.duckdb $(BIN)/sqlfluff lint models tests/data analyses
	@$(BIN)/ruff check src tests/python scripts

bench: $(STAMP) ## Benchmark (MEMBERS=200000): full and incremental build, RFM vs engine floor and pandas; report in benchmarks/
	@$(BIN)/loyalty bench --members $(or $(MEMBERS),200000)

docs: $(STAMP) ## Generate the dbt docs site (catalog from the published build; WAREHOUSE=...) and print the page to open
	@$(BIN)/loyalty docs $(if $(WAREHOUSE),--warehouse $(WAREHOUSE))

# mf asks PyPI for a newer version on every start; a closed local port as proxy skips that.
MF := HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 $(BIN)/mf

# mf reads the published warehouse read-only (profile target `published`); dbt parse uses the same
# target so the relation names in the semantic manifest are the published file's.
metrics: $(STAMP) ## Validate the semantic layer against the published warehouse and list its metrics (mf)
	@LOYALTY_TARGET=published $(BIN)/dbt parse --quiet
	@LOYALTY_TARGET=published $(MF) validate-configs
	@LOYALTY_TARGET=published $(MF) list metrics

clean: ## Remove generated data, the warehouse and dbt output (keeps .venv)
	rm -rf data warehouse target logs
