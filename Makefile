# The two commands of the README's Quick start:
#   make run    set everything up, validate the shipped graph, then serve it at http://127.0.0.1:8000/
#   make test   set everything up, then run the whole test suite
# Both work on a fresh Debian machine with Python 3.11 and nothing else.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-full bench setup setup-test system-deps clean diagram docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Byte-compile the package once: this environment runs Python with
# PYTHONDONTWRITEBYTECODE=1, so without it every command would compile
# policykg's modules again (Python still reads .pyc files it finds).
setup: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m compileall -q src/policykg

setup-test: $(BIN)/python system-deps
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q src/policykg

# Browser tests drive Debian's Chromium (Playwright's own browser download does
# not work offline); CJK labels need a CJK font or they render as boxes. The
# interoperability tests start Debian's Virtuoso (virtuoso-opensource) on loopback.
system-deps:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
			|| ! command -v virtuoso-t >/dev/null; then \
		echo "installing chromium, fonts-noto-cjk and virtuoso-opensource (Debian packages)"; \
		$(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk fontconfig \
			virtuoso-opensource; \
	fi

HOST ?= 127.0.0.1
PORT ?= 8000

run: setup
	$(BIN)/policykg validate
	$(BIN)/policykg serve --host $(HOST) --port $(PORT)

# Two passes: first every test but the `serial` ones, spread over the cores (pytest-xdist; whole
# files per worker, so a module's server or Virtuoso starts once); then the few `serial` tests, which
# bound a server's answer times under load they make themselves, alone. Both passes always run.
# PYTHONDONTWRITEBYTECODE is emptied for pytest alone: with it set, every process (each xdist worker,
# then the serial pass) would rewrite the assertions of every test module again.
PYTEST_PASSES = status=0; export PYTHONDONTWRITEBYTECODE=; \
	$(BIN)/python -m pytest -n auto --dist loadfile -m "not serial" || status=1; \
	$(BIN)/python -m pytest -m serial || status=1; \
	exit $$status

test: setup-test
	$(PYTEST_PASSES)

# The long runs: 10,000 examples per fuzzed property. Benchmarks: make bench.
test-full: setup-test
	export HYPOTHESIS_PROFILE=full; $(PYTEST_PASSES)

bench: setup-test
	$(BIN)/python bench/startup_bench.py
	$(BIN)/python bench/validate_time.py
	$(BIN)/python bench/linking_bench.py
	$(BIN)/python bench/query_bench.py
	$(BIN)/python bench/viz_bench.py
	$(BIN)/python bench/sparql_load_bench.py

# The CLI reference, from the commands' own --help.
docs: setup
	$(BIN)/python docs/cli_reference.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache

# Regenerate the ontology picture in the README (needs Debian's graphviz).
diagram: setup
	$(BIN)/policykg diagram -o docs/ontology.dot
	command -v dot >/dev/null || $(SUDO) apt-get install -y -q --no-install-recommends graphviz
	dot -Tsvg docs/ontology.dot -o docs/ontology.svg
