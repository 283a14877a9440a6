# sanctrace — set-up and everyday commands. Everything runs inside .venv, created on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
RUN_DIR ?= run
SHARED ?= ../shared/data

.PHONY: install system-deps run test test-fast bench lint clean

install: $(VENV)/.installed

# Re-install when the project's dependencies change.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip setuptools wheel
	$(PY) -m pip install -q -e '.[dev]'
	if [ -f src/sanctrace/web/package.json ]; then cd src/sanctrace/web && npm ci --no-audit --no-fund --silent; fi
	touch $@

# Debian packages the tests need (Chromium for the browser tests, ICU headers for PyICU). Root only.
system-deps:
	./scripts/system-deps.sh

run: install
	@test -f $(RUN_DIR)/world/world.json || $(BIN)/sanctrace demo generate --seed 7 --size small --out $(RUN_DIR)/world
	$(BIN)/sanctrace --db $(RUN_DIR)/sanctrace.duckdb run --data $(RUN_DIR)/world --out $(RUN_DIR)/out

test: install
	$(PY) -m pytest -q -p no:cacheprovider --timeout=900

test-fast: install
	$(PY) -m pytest -q -m "not slow and not spark and not browser" -x

bench: install
	@for f in benchmarks/[!_]*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy --strict

clean:
	rm -rf $(VENV) $(RUN_DIR) .pytest_cache .mypy_cache .ruff_cache
