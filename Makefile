# jixiao: `make run` publishes the sample filings, `make test` runs every test, `make ui` opens Dagster.
# Each target sets up .venv from requirements.lock first (once, and again when the lock changes).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test ui docs accuracy corpus bench setup browser fonts clean fuzz native
.PHONY: test-cluster bench-checks

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "jixiao needs Python 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

run: $(STAMP) fonts native
	$(BIN)/jixiao run

# The parser's hot modules compiled to C by mypyc (tools/native.py, filings/native.py): parsing
# takes about 30% less CPU. Compiled again when one of them changes (a change elsewhere in filings/
# is checked against their sources' digests and compiles nothing); where that fails (no C compiler),
# the parser runs as plain Python. JIXIAO_NATIVE=0 runs it as Python anyway.
NATIVE := filings/native.txt
native: $(NATIVE)

$(NATIVE): $(STAMP) tools/native.py $(wildcard filings/*.py filings/readers/*.py)
	@mkdir -p build
	@if $(BIN)/python tools/native.py --check; then touch $@; else \
	  echo "compiling the parser's hot modules with mypyc (about 30 s; log in build/native.log)"; \
	  if ! $(BIN)/python tools/native.py >build/native.log 2>&1; then \
	    tail -5 build/native.log; \
	    echo "warning: the parser could not be compiled (build/native.log): it runs as plain Python, slower"; \
	    $(BIN)/python tools/native.py --remove; \
	  fi; \
	fi

# A Chinese font for PDFium: a PDF whose Chinese font is not embedded (Adobe's STSong-Light, as
# reportlab and some office suites write it) loses characters without one (the first of a wrapped
# cell line, seen on every such PDF of the corpus). Installed with apt-get when missing (root needed).
# fontconfig too: jixiao asks its fc-list whether the machine has a Chinese font.
fonts:
	@if ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
	  echo "installing fonts-wqy-microhei, a Chinese font PDFium needs for PDFs that do not embed theirs (needs root)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei fontconfig) \
	  || echo "warning: no Chinese font installed: PDFs without embedded fonts may lose characters"; \
	fi

# The browser tests use Debian's Chromium and a CJK font (never Playwright's own browser download).
browser: fonts
	@if ! command -v chromium >/dev/null; then \
	  echo "installing Debian's chromium for the browser tests (needs root)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

test: $(STAMP) browser native
	JIXIAO_REQUIRE_BROWSER=1 JIXIAO_REQUIRE_NATIVE=1 $(BIN)/pytest

ui: $(STAMP) native
	$(BIN)/jixiao ui

FORMS ?= 20000
SEED  ?= 1

corpus: $(STAMP)
	$(BIN)/python tools/corpus.py --forms $(FORMS) --seed $(SEED)

bench: $(STAMP) fonts native
	$(BIN)/python tools/bench.py --forms $(FORMS) --seed $(SEED)

# deploy/: the cluster configuration (Postgres instance, k8s executor) loaded against Dagster's schemas.
test-cluster: $(STAMP)
	$(BIN)/pytest tests/test_cluster.py -q

# The quality rules over a synthetic warehouse of CHECK_FORMS forms (docs/benchmarks.md): the sample
# filings replicated, or CHECK_RAW's (a corpus's raw/ folder, e.g. make corpus's: every format's tables).
CHECK_FORMS ?= 1000000
CHECK_RAW ?=

bench-checks: $(STAMP)
	$(BIN)/python tools/bench_checks.py --forms $(CHECK_FORMS) $(if $(CHECK_RAW),--raw $(CHECK_RAW))

# Coverage-guided fuzzing of the parser (atheris, libFuzzer). atheris is not in requirements.lock:
# it ships wheels for x86_64 Linux only, so this target installs it where it runs.
RUNS ?= 2000

fuzz: $(STAMP)
	@$(BIN)/python -c 'import atheris' 2>/dev/null || $(BIN)/pip install --quiet --disable-pip-version-check atheris==3.0.0
	$(BIN)/python tools/fuzz_atheris.py -runs=$(RUNS) -timeout=30 -max_len=200000 -artifact_prefix=test-artifacts/

accuracy: $(STAMP) native
	$(BIN)/python tools/accuracy.py

docs: $(STAMP)
	$(BIN)/python -m filings.schemas > docs/tables.md
	$(BIN)/python -m checks.catalogue > docs/rules.md

clean:
	rm -rf warehouse great_expectations reports .dagster_home test-artifacts corpus
