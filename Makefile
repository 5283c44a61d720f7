# Agent Academy — `make run` starts the app, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PORT ?= 8501
# Loopback only: the demo accounts share a published password (README, "Run it").
ADDRESS ?= 127.0.0.1

.PHONY: run test test-fast install db seed bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

db: install
	$(BIN)/portal db upgrade

seed: install
	$(BIN)/portal seed demo --if-empty

run: seed
	$(BIN)/streamlit run portal/ui/web.py --server.address $(ADDRESS) --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

test: install
	@bash scripts/test.sh

test-fast: install
	$(BIN)/python -m pytest -q -m "not e2e" -k "sqlite or not postgresql"

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache
