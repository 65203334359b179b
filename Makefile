# clusterdata — every target sets up .venv/ itself when it is missing or stale.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PACKAGE ?= datapackage/datapackage.json
FORMAT ?= text
ARGS ?=

.PHONY: help venv bytecode browser node validate test lint generate publish site bench format clean

help:
	@echo "make validate   set up .venv and validate the bundled data package (FORMAT=text|json|github|markdown)"
	@echo "make test       set up .venv, Node.js and actionlint (and chromium where apt can), run the tests"
	@echo "make lint       ruff and mypy"
	@echo "make generate   regenerate the descriptor's inline schemas and docs/data-dictionary.md from schemas/"
	@echo "make format     rewrite the CSVs in canonical form"
	@echo "make publish    build the next release into dist/"
	@echo "make site       render the catalogue web site of the newest release into dist/site/"
	@echo "make bench      run the validation benchmark and write bench/results.md"
	@echo "make wheel      build the sdist and the wheel (with the newest release) into build/wheelhouse/"
	@echo "make pages      lay out the public home (site and every release) in build/pages/"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# An editable install leaves src/ without bytecode, and where PYTHONDONTWRITEBYTECODE is set
# (CI images, this machine) Python never writes it: every run would compile ~12,000 lines
# (~0.1 s). A regular `pip install` compiles at install time; this does the same (only files
# that changed are compiled again).
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q src

validate: $(STAMP) bytecode
	$(BIN)/clusterdata validate $(PACKAGE) --format $(FORMAT) $(ARGS)

# The site's browser test drives Debian's chromium; CI must have it, elsewhere it is optional
# (the test skips with a reason when it is missing outside CI).
browser:
	@test -x /usr/bin/chromium || scripts/install-browser.sh || test -z "$$CI" || \
	  { echo "make: CI needs chromium at /usr/bin/chromium for the browser test" >&2; exit 1; }
	@test -x /usr/bin/chromium || test -n "$$CI" || \
	  echo "make: chromium is not installed; the browser test will be skipped (scripts/install-browser.sh installs it)"

# The workflow test runs actionlint on Node.js: installed with apt-get on Debian when missing;
# elsewhere `make test` stops here and says what to install.
node:
	scripts/install-node.sh

test: $(STAMP) browser node
	scripts/install-actionlint.sh
	$(BIN)/python -m pytest -n 2 --maxschedchunk=1 $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

generate: $(STAMP)
	$(BIN)/clusterdata generate

format: $(STAMP)
	$(BIN)/clusterdata format $(PACKAGE)

publish: $(STAMP)
	$(BIN)/clusterdata publish $(PACKAGE) $(ARGS)

site: $(STAMP)
	$(BIN)/clusterdata site $(ARGS)

bench: $(STAMP) bytecode
	$(BIN)/python bench/run.py $(ARGS)

clean:
	rm -rf $(VENV) build dist/site .pytest_cache .mypy_cache .ruff_cache

# The wheel and sdist, into build/wheelhouse/ (not dist/, which holds the published releases);
# the wheel ships the newest release in dist/ as package data (setup.py).
.PHONY: wheel pages
wheel: $(STAMP)
	$(BIN)/python -m build --outdir build/wheelhouse

# The public home as GitHub Pages serves it (releases/<version>/, releases/latest/,
# releases.json), into build/pages/; the release workflow deploys the same.
pages: $(STAMP)
	$(BIN)/clusterdata site --dist dist --out build/pages
	$(BIN)/clusterdata pages --dist dist --out build/pages
