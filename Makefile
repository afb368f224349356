# Everything runs from a virtualenv in .venv, made on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_LOCK := requirements/dev.lock
SERVICE_LOCK := requirements/service.lock

.PHONY: install lock run test test-fast lint format bench clean

install: $(STAMP)

# The service installs from the reviewed lock: exact versions with their hashes, the same on every
# machine. torch is pinned there to its CPU wheel (2.13.0+cpu), never a multi-GB CUDA build.
$(STAMP): $(DEV_LOCK) pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(MAKE) --no-print-directory locked-pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

# The venv's own pip comes first, at the version the lock pins: an older pip resolves an extra
# (litellm's httpx[http2]) to the newest release on the index instead of the locked one, and then
# refuses it as unpinned.
.PHONY: locked-pip
locked-pip:
	awk '/^pip==/{p=1} p{print} p&&!/\\$$/{exit}' $(DEV_LOCK) > $(VENV)/pip.lock
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(VENV)/pip.lock

# Refreshing the lock is a deliberate, reviewed commit, never a side effect of an install.
# LOCK_ARGS="--upgrade-package litellm" moves one package; the default moves all to their newest.
LOCK_ARGS ?= --upgrade
PIP_COMPILE = $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links

# Only the locked tools are needed to lock: a dependency just added to pyproject.toml is not there yet.
$(BIN)/pip-compile: $(DEV_LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(MAKE) --no-print-directory locked-pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)

lock: $(BIN)/pip-compile
	$(PIP_COMPILE) $(LOCK_ARGS) --extra test --extra lint -o $(DEV_LOCK) pyproject.toml
	$(PIP_COMPILE) --constraint $(DEV_LOCK) -o $(SERVICE_LOCK) pyproject.toml

run: install
	$(BIN)/memory-service serve

test: install
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow and not postgres"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python -m bench.ingest_search
	$(BIN)/python -m bench.query_batching
	$(BIN)/python -m bench.vector_index
	$(BIN)/python -m bench.search_scale

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
