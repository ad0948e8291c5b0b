# Two entry points for a fresh machine: `make demo` and `make test`.
# Each creates .venv when missing, installs the package with the extras it
# needs, and makes sure Graphviz's `dot` program is on PATH.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HYPOTHESIS_PROFILE ?= ci
# What `make lint` checks: the project's own code, not scratch files in a clone.
LINTED := autograd nn tests demos benchmarks noxfile.py setup.py docs

.PHONY: demo docs notebooks test lint typecheck pytest pytest-compiled pytest-python fuzz gen bench oracle dot chromium clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# One stamp per extra set: reinstall (and rebuild the compiled core) only
# when the build's inputs change.
$(VENV)/.installed-%: pyproject.toml setup.py autograd/_ccore.pyx | $(PY)
	$(PY) -m pip install --quiet -e ".[$*]"
	touch $@

dot:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Graphviz (the dot program) with apt-get..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	  else \
	    echo "Graphviz's 'dot' program is missing. Install it, then run make again:"; \
	    echo "  Debian/Ubuntu: sudo apt-get install -y graphviz"; \
	    echo "  macOS:         brew install graphviz"; \
	    echo "  Fedora:        sudo dnf install -y graphviz"; \
	    exit 1; \
	  fi; }
	@dot -V

# Debian's chromium: tests/test_interactive.py steps through the HTML graph
# page in it (Playwright drives it; no browser is downloaded).
chromium:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Chromium with apt-get..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Debian's chromium at /usr/bin/chromium:"; \
	    echo "  sudo apt-get install -y chromium"; \
	    exit 1; \
	  fi; }
	@/usr/bin/chromium --version

demo: $(VENV)/.installed-demos dot
	$(PY) demos/moons.py

# JupyterLab on the notebooks of demos/notebooks/ (the `notebooks` extra).
notebooks: $(VENV)/.installed-notebooks dot
	$(BIN)/jupyter lab demos/notebooks

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# The documentation site, into site/: the tutorials run in a real kernel, the
# reference comes from the docstrings; any warning or unresolved name fails it.
docs: $(VENV)/.installed-docs dot
	rm -rf site
	$(BIN)/sphinx-build -b html -E -W --keep-going -n -q docs site

# tests/test_site.py reads the site that `docs` built (in a real browser).
# The whole suite on each core: the compiled one (C, built by pip install)
# and the Python one (SCALARGRAD_PURE=1).
pytest: pytest-compiled pytest-python

pytest-compiled: $(VENV)/.installed-dev docs dot chromium
	$(PY) -c 'import autograd, sys; sys.exit(autograd.CORE != "compiled")' || \
	  { echo "the compiled core is not built: see pip install -v ."; exit 1; }
	HYPOTHESIS_PROFILE=$(HYPOTHESIS_PROFILE) $(PY) -m pytest -q -m "not slow"

pytest-python: $(VENV)/.installed-dev docs dot chromium
	SCALARGRAD_PURE=1 HYPOTHESIS_PROFILE=$(HYPOTHESIS_PROFILE) $(PY) -m pytest -q -m "not slow"

test: lint typecheck pytest fuzz

# The long randomized sweep (thousands of random graphs per property).
fuzz: $(VENV)/.installed-dev
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest -q -m slow

# The quick profile on every other supported CPython found, each in a venv of
# its own; says which versions ran and which were not found (noxfile.py).
.PHONY: pythons
test: pythons
pythons: $(VENV)/.installed-dev
	$(BIN)/nox

# Write the op functions from the op table in autograd/ops.py: autograd/_generated.py
# (the Python core) and autograd/_ccore.pyx (the compiled core, rebuilt next
# by the install stamp). The Python core runs the generator: a stale build
# of the compiled core must not write its own successor.
gen: $(VENV)/.installed-dev
	SCALARGRAD_PURE=1 $(PY) -c 'import sys; from autograd._ccodegen import main; sys.exit(main())'

# MICROGPT=path/to/microgpt.py adds a copy of Karpathy's script, run as written
# and with its Value swapped for ours (losses within W5's 1e-12 tolerance).
bench: $(VENV)/.installed-bench
	$(PY) benchmarks/run.py
	$(PY) benchmarks/cores.py
	$(if $(MICROGPT),$(PY) benchmarks/microgpt_swap.py --rtol 1e-12 $(MICROGPT))

# Optional: compare against PyTorch (installs torch==2.13.0 from the local file).
oracle: $(VENV)/.installed-dev
	$(PY) -m pip install --quiet torch==2.13.0
	AUTOGRAD_ORACLE=1 $(PY) -m pytest -q tests/oracle

clean:
	rm -rf $(VENV) build autograd/_ccore.c autograd/_ccore.*.so out site .mypy_cache .ruff_cache .pytest_cache .hypothesis
	rm -rf .nox
