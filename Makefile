# Everything a person does with Tidings. `make run` and `make test` set up what they need themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python -c 'import tidings.fold, tidings.store.fold_mirror; tidings.fold.warm(); tidings.store.fold_mirror.warm()'  # compile fold's loops (kept on disk)
	$(BIN)/python -c 'import tidings.cluster, tidings.store.story_index; tidings.cluster.warm(); tidings.store.story_index.warm()'  # clustering's loops
	touch $(STAMP)

install: $(STAMP)

## Load the bundled sample into the embedded SQLite database and serve the reader on 127.0.0.1:8000
run: install
	$(BIN)/tidings serve --with-sample

## Install and run the whole test suite
test: install
	$(BIN)/pytest

## ruff, mypy (strict, on the package) and the stage boundaries as import contracts
lint: install
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

## Benchmarks (quality and speed, side by side with peer libraries)
bench: install
	$(BIN)/tidings bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
