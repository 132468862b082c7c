# The two commands of the README: `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format translations screenshots clean

$(VENV)/.installed-run: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

# The OpenID provider the tests log in at (tests/oidc/provider: panva's oidc-provider on
# Node.js), installed from its lock file.
OP_DIR := tests/oidc/provider

$(OP_DIR)/node_modules/.installed: $(OP_DIR)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: install Node.js 20 or later (with npm) for the OpenID provider of the tests."; exit 1; }
	npm ci --prefix $(OP_DIR) --no-audit --no-fund
	touch $@

run: $(VENV)/.installed-run
	$(BIN)/pivotal migrate
	$(BIN)/pivotal demo --if-empty
	HOST=$(HOST) PORT=$(PORT) $(BIN)/pivotal serve

# SQLite run (everything, browser tests included) on one pytest-xdist worker per core, each with
# its own demo server and Chromium for the browser tests; then the same suite on a throwaway
# PostgreSQL with the two-process tests, on two workers (each test's database is created on the
# server, which the second worker keeps busy). Without PostgreSQL installed that second run is skipped
# with a message, except under CI=true, where it is required.
test: $(VENV)/.installed-test $(OP_DIR)/node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app
	$(BIN)/pytest -m "not postgres" -n auto
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "== the suite again on PostgreSQL =="; \
	  scripts/with-postgres.sh $(BIN)/pytest -m "not browser" -p no:cacheprovider -n 2; \
	elif [ "$$CI" = "true" ]; then \
	  echo "PostgreSQL is not installed, and CI=true requires the PostgreSQL run (apt-get install postgresql)."; exit 1; \
	else \
	  echo "SKIPPED: the PostgreSQL run (apt-get install postgresql to include it)."; \
	fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy app

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Message ids are English; the extracted keywords include the service errors, whose first
# argument is translated by the error handler. tests/test_i18n.py extracts with these same -k.
translations: $(VENV)/.installed-test
	$(BIN)/pybabel extract -F babel.cfg --no-default-keywords -k _ -k gettext -k ngettext:1,2 \
		-k N_ -k Invalid -k Forbidden -k NotFound -k Conflict -k NotAuthenticated -k PivotalError \
		-k TooManyAttempts -k LoginLevelTooLow -k ProviderUnavailable \
		-o app/locale/messages.pot --no-location --omit-header .
	for lang in nb nn; do \
		$(BIN)/pybabel update -i app/locale/messages.pot -d app/locale -l $$lang --init-missing \
			--no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date || exit 1; \
	done

# The README's screenshots: every role's main pages at 1280 and 390 px, from a throwaway demo
# (the list of pages is at the top of scripts/screenshot.py).
screenshots: $(VENV)/.installed-test
	$(BIN)/python scripts/screenshot.py --out docs/screenshots

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache $(OP_DIR)/node_modules
