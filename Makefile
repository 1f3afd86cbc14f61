# Large Models, Hands-On: `make book` builds the book, `make test` runs every test.
# Both set everything up on a fresh machine (Python 3.11, no conda needed).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export KERAS_BACKEND := tensorflow
export PYTHONHASHSEED := 0
# Chapters leave their headline numbers here for the FAQ (the book build points its kernels at this
# folder itself, and empties it whenever it executes every notebook again).
export BIGMODEL_RESULTS := $(CURDIR)/_build/results

.PHONY: book book-fresh book-zh test unit lint serve benchmark browser-deps strip clean help colab-check full-check

help:
	@echo "make book       build the book into _build/html, the Chinese edition into _build/html/zh,"
	@echo "                executing only the notebooks that changed"
	@echo "make book-fresh the same from scratch, every notebook executed (what make test and CI do)"
	@echo "make test       build the book from scratch, then run every test (unit, notebooks, browser),"
	@echo "                each phase's seconds recorded in _build/test_phases.json"
	@echo "make unit       lint, then the unit tests of bigmodel_utils only (fast)"
	@echo "make lint       ruff format --check and ruff check over the code and the notebooks"
	@echo "make serve      serve _build/html on http://127.0.0.1:8000"
	@echo "make benchmark  print the speed and memory table (benchmarks/run.py; ONLY=build: the build's"
	@echo "                rows, the last make test's phases among them)"
	@echo "make colab-check every chapter alone with Colab's versions (part of make test)"
	@echo "make full-check every chapter in the full profile here (slow, by hand)"

# The virtual environment, with the exact versions the book is tested with.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# `make book` executes only the notebooks whose code cells changed, or all of them when the package,
# the data, the lock or the profile changed, JOBS at a time, into the execution cache; then one Sphinx
# pass (-W: any warning fails the build) reads every notebook's outputs from it (tools/build_book.py).
# The executed notebooks, outputs included, are left in _build/jupyter_execute/chapters/*.ipynb:
# later passes that execute nothing (the Chinese edition) read them there.
JOBS ?= 2
book: $(STAMP)
	$(BIN)/python tools/build_book.py . --jobs $(JOBS) -- -W --keep-going
	@$(PHASE) "Chinese pass" -- $(MAKE) --no-print-directory book-zh
	@test -f _build/html/index.html && echo "The book: $(CURDIR)/_build/html/index.html"

# From scratch: _build emptied (but for the last execution times, which only order the runs, and
# the record of a running make test's phases). make test runs the same two steps.
book-fresh: $(STAMP)
	$(BIN)/python tools/build_book.py . --empty
	$(MAKE) --no-print-directory book

# The Chinese edition: the English build's executed notebooks with their markdown in Chinese,
# rendered without executing anything again (tools/build_zh.py, zh/README.md).
book-zh: $(STAMP)
	$(BIN)/python tools/build_zh.py

# Headless Chromium (and a CJK font for the chapters' Chinese headings) from Debian, when missing.
browser-deps:
	@command -v chromium >/dev/null && fc-list :lang=zh | grep -q . || { \
	  test "$$(id -u)" = 0 || { echo "run: sudo apt-get install -y chromium fonts-wqy-zenhei"; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; }

# make test records each phase's wall seconds in _build/test_phases.json (ci/phases.py; make
# benchmark ONLY=build shows them against the targets) and prints them in one line at the end.
# Colab's environment (.venv-colab: mostly downloads) is set up in the background, niced, while
# the book builds; the Colab check waits for it (its log: .venv-colab.log).
PHASE = $(PYTHON) ci/phases.py run
test: export BIGMODEL_PHASES := $(CURDIR)/_build/test_phases.json
test:
	@$(PYTHON) ci/phases.py start
	@$(PHASE) "venv install" -- $(MAKE) --no-print-directory $(STAMP)
	$(BIN)/python tools/build_book.py . --empty
	$(BIN)/python ci/colab_check.py --background
	@$(PHASE) "browser deps" -- $(MAKE) --no-print-directory browser-deps
	@$(PHASE) lint -- $(MAKE) --no-print-directory lint
	@$(PHASE) book -- $(MAKE) --no-print-directory book
	@$(PHASE) pytest -- $(BIN)/python -m pytest -ra
	$(MAKE) --no-print-directory colab-check
	@$(PYTHON) ci/phases.py summary

unit: $(STAMP) lint
	$(BIN)/python -m pytest -ra -m "not book and not browser"

# Format and lint (ruff, configured in pyproject.toml): seconds, so it runs first.
LINTED := bigmodel_utils tests benchmarks chapters tools ci
lint: $(STAMP)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/ruff check $(LINTED)

serve:
	@test -f _build/html/index.html || { echo "build the book first: make book"; exit 1; }
	$(BIN)/python -m http.server --directory _build/html --bind 127.0.0.1 8000

# Every chapter as a reader runs it on Colab: Colab's versions (.venv-colab, rebuilt when
# ci/colab-constraints.txt changes), the package installed from this checkout on every run,
# each notebook alone in an empty folder, quick profile, offline.
colab-check: $(STAMP)
	$(BIN)/python ci/colab_check.py --jobs $(or $(COLAB_JOBS),2)

# Every chapter in the full profile on this machine (slow on a CPU; not part of make test).
full-check: $(STAMP)
	nice -n 19 $(BIN)/python ci/colab_check.py --python $(BIN)/python --pythonpath $(CURDIR) \
	  --profile full --timeout 14400 --output benchmarks/full_seconds.json

# ONLY=build: just the build's rows (clean build as last recorded, one-sentence rebuild, chapters).
benchmark: $(STAMP)
	$(BIN)/python benchmarks/run.py $(if $(ONLY),--only $(ONLY))

strip: $(STAMP)
	$(BIN)/nbstripout --keep-id chapters/*.ipynb  # keep-id: the translations are keyed by cell id

clean:
	rm -rf _build
