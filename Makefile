# Toki: `make run` serves the Sado demo, `make test` runs every test. Both set themselves up.
SHELL := /bin/bash
PYTHON := $(shell bin/find-python)
VENV := .venv
PY := $(VENV)/bin/python
TEST_PY = $(PY)
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | md5sum | cut -c1-12)

.PHONY: run setup test lint contracts typecheck coverage test-coverage coverage-floor bench bench-tools browser-test messages clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "No Python >= 3.12 found; see docs/adr/0001-python-version.md"; exit 1; }
	@test -x $(PY) || bin/make-venv $(PYTHON) $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP)
	$(PY) manage.py compile_translations
	$(PY) manage.py collectstatic --no-input -v0
	$(PY) manage.py migrate --no-input
	$(PY) manage.py rides_prepare_solver -v0
	$(PY) manage.py seed_demo --if-empty

run: setup
	$(PY) -m toki.demo.supervise

test: $(STAMP)
	$(PY) manage.py compile_translations
	$(PY) manage.py collectstatic --no-input -v0
	LOG_LEVEL=$${LOG_LEVEL:-ERROR} $(TEST_PY) manage.py test --no-input --parallel 2 $(TESTS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# The design's arrows: import contracts in pyproject.toml [tool.importlinter] (docs/ci.md).
contracts: $(STAMP)
	$(VENV)/bin/lint-imports --no-cache

# mypy with django-stubs over the whole tree, held to .ci/baselines/mypy.txt (may only shrink).
typecheck: $(STAMP)
	$(PY) bin/typecheck.py

# The suite under coverage.py, then the floor in .ci/baselines/coverage.txt (may only rise). CI runs the halves
# as two steps.
coverage: test-coverage coverage-floor

test-coverage: $(STAMP)
	rm -rf var/coverage && mkdir -p var/coverage
	$(MAKE) --no-print-directory test TEST_PY="$(PY) -m coverage run"

coverage-floor: $(STAMP)
	$(PY) bin/coverage_floor.py

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

# Two shards at once, each on a site of its own (tests_browser/run.py SHARDS); BROWSER_JOBS=1 for one after the other.
BROWSER_JOBS ?= 2
browser-test: $(STAMP) node_modules/.installed
	$(PY) -m tests_browser.run --jobs $(BROWSER_JOBS)

# nginx and wrk for the benchmarks: installed with apt-get when missing and run as root (a CI machine, a fresh
# container); otherwise the command to run is printed. Debian 13 has no nginx-light any more: plain nginx then.
bench-tools:
	@missing=""; for tool in nginx wrk; do command -v $$tool >/dev/null || test -x /usr/sbin/$$tool || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing$$missing for the benchmarks (apt-get)"; \
	    apt-get update -q && { apt-get install -y -q --no-install-recommends nginx-light wrk || \
	                           apt-get install -y -q --no-install-recommends nginx wrk; }; \
	  else echo "make bench needs$$missing: sudo apt-get install --no-install-recommends nginx-light wrk"; exit 1; fi; \
	fi

bench: setup bench-tools
	$(PY) bench/run_all.py

messages: $(STAMP)
	$(PY) manage.py makemessages -l ja -l ja_Easy -l zh_Hans -l ko --no-location --ignore ".venv/*" --ignore "static/vendor/*" --ignore "bench/*" --ignore "node_modules/*"

clean:
	rm -rf $(VENV) var staticfiles test-artifacts
