# Two commands set everything up: `make run` (the demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test venv lint migrate clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

venv: $(STAMP)

# Rewritten whenever this Makefile changes, so new development settings reach existing checkouts.
SIMULATOR_URL := http://127.0.0.1:8100
var/dev.env: Makefile
	mkdir -p var
	printf 'DEBUG=true\n' > var/dev.env
	printf 'AMAZON_SP_API_ENDPOINT=$(SIMULATOR_URL)\n' >> var/dev.env
	printf 'AMAZON_LWA_TOKEN_URL=$(SIMULATOR_URL)/auth/o2/token\n' >> var/dev.env
	printf 'AMAZON_SELLER_CENTRAL_URL=$(SIMULATOR_URL)\n' >> var/dev.env

run: $(STAMP) var/dev.env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_seller
	$(PY) manage.py demo_supplier
	@echo "Open http://127.0.0.1:8000/ (Ctrl-C stops everything)"
	$(VENV)/bin/honcho start -f Procfile

test: $(STAMP)
	$(VENV)/bin/pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf var staticfiles .pytest_cache
