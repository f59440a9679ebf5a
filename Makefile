# Two commands on a fresh machine: `make demo` (set up + main job) and `make test` (set up + suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= outputs
DIST ?= dist

export NO_ALBUMENTATIONS_UPDATE := 1
export MPLBACKEND := Agg

.PHONY: install demo test test-fast lint bench bench-train table1 study clean check typecheck wheels smoke-tiaug smoke-samcl-loss test-albx

$(STAMP): pyproject.toml tiaug/pyproject.toml samcl_loss/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade "pip>=25.1"
	$(BIN)/python -m pip install -q --disable-pip-version-check -e "./tiaug[albumentations,preview]" -e ./samcl_loss --group dev
	touch $@

install: $(STAMP)

# `make demo REAL=<folder of real labelled frames>` also scores the demo model on them.
REAL ?=
demo: install
	$(BIN)/tiaug preview -n 8 --seed 0 -o $(OUT)/preview.png
	$(BIN)/python -m examples.train --demo --out $(OUT)/demo
	$(if $(REAL),$(BIN)/python -m examples.evaluate $(OUT)/demo/best.pt --data $(REAL) --workers 0)

test: install
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

# tiaug on the other albumentations line, AlbumentationsX (AGPL; it imports torch), in a
# second environment: tests/tiaug in one process (about a minute once installed; the first
# run installs for about two minutes, torch's default wheel with its CUDA libraries: ~6 GB).
# CI runs it after `make test` (.ci/run).
ALBX_VENV ?= .venv-albx

$(ALBX_VENV)/.installed: tiaug/pyproject.toml
	test -x $(ALBX_VENV)/bin/python || $(PYTHON) -m venv $(ALBX_VENV)
	$(ALBX_VENV)/bin/python -m pip install -qq --disable-pip-version-check "torch==2.14.1" \
		"pytest>=8" "hypothesis>=6.100" "scipy>=1.10" -e "./tiaug[albumentationsx,preview]"
	touch $@

test-albx: $(ALBX_VENV)/.installed
	$(ALBX_VENV)/bin/python -m pytest -q -p no:xdist tests/tiaug

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# What CI checks besides the tests: lint, types, both wheels, tiaug installed alone without torch,
# samcl-loss from its wheel.
check: lint typecheck smoke-tiaug smoke-samcl-loss

typecheck: install
	$(BIN)/mypy

wheels: install
	rm -rf $(DIST)
	$(BIN)/python -m build -q --outdir $(DIST) tiaug
	$(BIN)/python -m build -q --outdir $(DIST) samcl_loss
	$(BIN)/twine check --strict $(DIST)/*

# A fresh environment (no torch) gets tiaug's wheel and its declared dependencies with the
# preview and MIT albumentations extras; the functional core is also run with albumentations
# blocked.
smoke-tiaug: wheels
	$(PYTHON) -m venv $(DIST)/venv-tiaug
	$(DIST)/venv-tiaug/bin/python -m pip install -qq --disable-pip-version-check \
		"$$(ls $(DIST)/tiaug-*.whl)[preview,albumentations]"
	$(DIST)/venv-tiaug/bin/tiaug --help >/dev/null
	$(DIST)/venv-tiaug/bin/tiaug preview -n 2 --seed 0 -o $(DIST)/preview.png
	test -s $(DIST)/preview.png
	$(DIST)/venv-tiaug/bin/python .ci/smoke_tiaug.py --without-albumentations
	$(DIST)/venv-tiaug/bin/python .ci/smoke_tiaug.py

# samcl-loss's wheel unpacked ahead of the editable install, with the development torch.
smoke-samcl-loss: wheels
	$(BIN)/python -m pip install -qq --disable-pip-version-check --no-deps \
		--target $(DIST)/samcl-loss $(DIST)/samcl_loss-*.whl
	PYTHONPATH=$(DIST)/samcl-loss $(BIN)/python .ci/smoke_samcl_loss.py $(DIST)/samcl-loss

bench: install
	$(BIN)/python benchmarks/bench_tiaug.py
	$(BIN)/python benchmarks/bench_loss.py

# Training and data-loader throughput; meant for a GPU (batch 16, 256x320, bf16).
bench-train: install
	$(BIN)/python benchmarks/bench_train.py

# The paper's comparison, 4 networks x 4 runs x 40k iterations: meant for a GPU. The paper
# trained on the Thermal Face Database: `make table1 DATA=/path/to/tfd` (default: synthetic).
DATA ?= synthetic
table1: install
	$(BIN)/python -m examples.reproduce --data $(DATA)

# The CPU robustness study: 5 seeds x the variants of examples.study (resumes where it stopped).
study: install
	$(BIN)/python -m examples.study --results benchmarks/results/study_cpu

clean:
	rm -rf $(VENV) $(OUT) $(DIST) .pytest_cache .ruff_cache .hypothesis
