# The README's two commands: `make run` and `make test`. Both create or reuse .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-postgres test-image install bench docs docs-serve screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/sandbox serve

test: install
	$(BIN)/python -m pytest

# The same suite on a throwaway cluster of Debian's `postgresql` (apt-get install postgresql);
# the browser tests run once, in `make test`.
test-postgres: install
	$(BIN)/python -m tests.pgcluster -- $(BIN)/python -m pytest -m 'not browser'

# The Dockerfile built and run with podman on a debootstrapped Debian base (root; apt-get
# install debootstrap podman runc curl): the PKCE flow, healthcheck, non-root, /data volume.
test-image: install
	PYTHON=$(BIN)/python .ci/test-image

$(VENV)/.docs-installed: setup.cfg | $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,docs]'
	touch $@

docs: $(VENV)/.docs-installed
	$(BIN)/mkdocs build --strict

docs-serve: docs
	$(BIN)/mkdocs serve

# docs/img/*-phone.png and *-desktop.png, in Debian's Chromium against a sandbox of its own.
screenshots: install
	$(BIN)/python docs/screenshots.py

bench: install
	$(BIN)/python bench/seed.py
	$(BIN)/python bench/qa.py
	$(BIN)/python bench/api.py
	$(BIN)/python bench/request_cost.py

clean:
	rm -rf $(VENV) build *.egg-info instance site
