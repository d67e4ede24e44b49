# The two commands of the README's Quick start:
#   make run    set everything up, validate the shipped graph, then serve it at http://127.0.0.1:8000/
#   make test   set everything up, then run the whole test suite
# Both work on a fresh Debian machine with Python 3.11 and nothing else.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test setup setup-test system-deps clean diagram

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

setup: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

setup-test: $(BIN)/python system-deps
	$(BIN)/python -m pip install --quiet -e '.[test]'

# Browser tests drive Debian's Chromium (Playwright's own browser download does
# not work offline); CJK labels need a CJK font or they render as boxes.
system-deps:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		echo "installing chromium and fonts-noto-cjk (Debian packages)"; \
		$(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk fontconfig; \
	fi

HOST ?= 127.0.0.1
PORT ?= 8000

run: setup
	$(BIN)/policykg validate
	$(BIN)/policykg serve --host $(HOST) --port $(PORT)

test: setup-test
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache

# Regenerate the ontology picture in the README (needs Debian's graphviz).
diagram: setup
	$(BIN)/policykg diagram -o docs/ontology.dot
	command -v dot >/dev/null || apt-get install -y graphviz
	dot -Tsvg docs/ontology.dot -o docs/ontology.svg
