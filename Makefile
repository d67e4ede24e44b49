# The two commands of the README's Quick start:
#   make run    set everything up, then validate the shipped graph and show what it holds
#   make test   set everything up, then run the whole test suite
# Both work on a fresh Debian machine with Python 3.11 and nothing else.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: run test setup setup-test clean diagram

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

setup: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

setup-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'

run: setup
	$(BIN)/policykg validate
	$(BIN)/policykg stats

test: setup-test
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache

# Regenerate the ontology picture in the README (needs Debian's graphviz).
diagram: setup
	$(BIN)/policykg diagram -o docs/ontology.dot
	command -v dot >/dev/null || apt-get install -y graphviz
	dot -Tsvg docs/ontology.dot -o docs/ontology.svg
