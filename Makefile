# The two commands a new user needs:
#   make run    the main job: local Kafka broker, worker, sample pages, and what comes out
#   make test   the whole test suite, integration tests against a real local broker included
# Both create .venv and install the project into it on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.installed

.PHONY: run test test-faults lint bench-parse bench-rescrape bench-e2e broker-start broker-stop clean

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(READY)

run: $(READY)
	$(BIN)/python -m stream run

test: $(READY)
	$(BIN)/python -m pytest

# The fault scenarios alone (tests/faults, marked "faults"), under both guarantees,
# ending with their summary table (`make test` runs them too, among the rest).
test-faults: $(READY)
	$(BIN)/python -m pytest -m faults tests/faults

lint: $(READY)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench-parse: $(READY)
	$(BIN)/python bench/parse.py ../shared/corpus ../shared/corpus-real

bench-rescrape: $(READY)
	$(BIN)/python bench/rescrape.py

bench-e2e: $(READY)
	$(BIN)/python bench/e2e.py

broker-start: $(READY)
	$(BIN)/python -m stream broker start

broker-stop: $(READY)
	$(BIN)/python -m stream broker stop

clean:
	rm -rf var .pytest_cache .ruff_cache .hypothesis
