# dlgd-course — the two set-up commands of the README are `make book` and `make test`.
# Both create the virtual environment when it is missing (or out of date) first.
#
#   make book                 build the rendered book into book/_build/html
#   make test                 lint (ruff), then run the whole pytest suite
#   make TORCH_SPEC=torch ... on a CUDA machine, let pip pick a CUDA build of torch

PYTHON     ?= python3
VENV       ?= .venv
TORCH_SPEC ?= torch==2.13.0
EXTRAS     ?= book,grading,dev
# Tests run on every core (pytest-xdist); each worker and each notebook kernel it starts
# uses one thread, since two torch processes with two threads each on two cores run many
# times slower.  Tests that share an expensive fixture (the built book) are grouped
# onto one worker (--dist loadgroup).
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=

BIN   := $(VENV)/bin
STAMP := $(VENV)/.dlgd-installed
# The environment is rebuilt when pyproject.toml or the requested torch/extras change.
ENV_KEY := $(shell cat pyproject.toml 2>/dev/null | cksum | cut -d' ' -f1)-$(TORCH_SPEC)-$(EXTRAS)

.PHONY: env book test lint format exercises benchmark bench-deps clean-book clean help mathjax
.PHONY: wheelhouse gpu-check hub hub-deps wheel

help:
	@echo "make book    build the rendered book (creates .venv if needed)"
	@echo "make test    run the whole test suite (creates .venv if needed)"
	@echo "make lint    ruff check and ruff format --check on every Python file and notebook"
	@echo "make format  rewrite them in the house style (ruff), regenerate exercises/"
	@echo "make benchmark  run the speed benchmarks"
	@echo "make exercises  regenerate exercises/ (student versions) from solutions/"
	@echo "make lab         JupyterLab for a student (assignment list, validate, submit)"
	@echo "make formgrader  JupyterLab for the instructor (formgrader, gradebook, course list)"
	@echo "make wheel       the course's wheel for students (dist/; no solutions, no hidden tests)"
	@echo "make hub         a JupyterHub on this machine: instructor + students as Unix users (as root)"
	@echo "make wheelhouse  wheels for an offline install on GPU nodes (WHEEL_PYTHON, WHEEL_PLATFORM, TORCH_SPEC)"
	@echo "make gpu-check   GPU-relevant tests + every solution autograded on CUDA, per-notebook times"

env:
	@if [ ! -x "$(BIN)/python" ]; then $(PYTHON) -m venv $(VENV); fi
	@if [ "$$(cat $(STAMP) 2>/dev/null)" != "$(ENV_KEY)" ]; then \
		echo "Installing dlgd-course into $(VENV) ($(TORCH_SPEC), extras $(EXTRAS))"; \
		$(BIN)/python -m pip install -q --upgrade pip && \
		$(BIN)/python -m pip install -q "$(TORCH_SPEC)" && \
		$(BIN)/python -m pip install -q -e ".[$(EXTRAS)]" && \
		echo "$(ENV_KEY)" > $(STAMP); \
	fi

# lint first: a finding of ruff fails `make test` before any test runs.
# bench-deps: every benchmark runs once in its --quick size (tests/test_benchmarks.py), the
# DAPPER comparison included (required here, skipped in a plain pytest run without DAPPER).
# --durations: the slowest tests close the log, to keep the suite's time on CI in view.
test: env lint mathjax bench-deps hub-deps
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PATH="$(abspath $(BIN)):$$PATH" DLGD_REQUIRE_DAPPER=1 \
		$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=40 $(PYTEST_ARGS)

# ruff over every Python file and notebook of the repository (git-ignored paths excepted);
# per-file exceptions and their reasons are in pyproject.toml
lint: env
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Rewrite every Python file and notebook in the house style (import order, then `ruff format`)
# and regenerate exercises/ from the formatted solutions/; re-run it after merging notebooks.
format: env
	$(BIN)/ruff check --select I --fix .
	$(BIN)/ruff format .
	$(BIN)/python -m autograder.exercises

benchmark: env
	$(BIN)/python benchmarks/lorenz96_ensemble.py
	$(BIN)/python benchmarks/closures_burgers.py
	$(BIN)/python benchmarks/closures_turbulence2d.py

# DAPPER is the reference of benchmarks/da_*.py only. Its own requirements (notebook<7,
# jupyter_client<8, tabulate 0.8) would downgrade the grading stack, so it is installed
# without them; what it needs at run time is listed here.
DAPPER_REQUIREMENTS := dapper==1.7.1 mpl-tools==0.4.1 patlib==0.3.7 struct-tools==0.2.5 \
	dill==0.3.8 "pathos~=0.3" multiprocess==0.70.16 ppft==1.7.8 pox==0.3.7 "colorama~=0.4.1" \
	"threadpoolctl>=3,<4" ipdb

bench-deps: env
	$(BIN)/python -m pip install -q --no-deps $(DAPPER_REQUIREMENTS)

clean:
	rm -rf $(VENV) book/_build

# --- the book (issue 4) -------------------------------------------------------------
# MathJax 3 is an install step, like pip: the npm package is unpacked once into the
# git-ignored book/_mathjax/ (a static folder that is not _static); the build itself never
# touches the network.  `-W --keep-going` turns every warning, including a cell that fails
# or writes to stderr, into a failed build; executed chapters are cached in
# book/_build/.jupyter_cache.  tex-svg-full.js (TeX with every extension, SVG output: no
# font files) is what nbgrader's feedback and formgrade pages inline (autograder/offline_math.py).
MATHJAX_VERSION ?= 3.2.2
MATHJAX_DIR := book/_mathjax/mathjax/es5

$(MATHJAX_DIR)/tex-svg-full.js:
	@tmp=$$(mktemp -d) && \
	(cd $$tmp && npm pack --silent mathjax@$(MATHJAX_VERSION) >/dev/null && tar -xzf mathjax-$(MATHJAX_VERSION).tgz) && \
	rm -rf book/_mathjax && mkdir -p $(MATHJAX_DIR)/input/tex && \
	cp $$tmp/package/es5/tex-mml-chtml.js $$tmp/package/es5/tex-svg-full.js $(MATHJAX_DIR)/ && \
	cp -r $$tmp/package/es5/output $$tmp/package/es5/a11y $$tmp/package/es5/ui $$tmp/package/es5/sre $(MATHJAX_DIR)/ && \
	cp -r $$tmp/package/es5/input/tex/extensions $(MATHJAX_DIR)/input/tex/ && \
	cp $$tmp/package/LICENSE book/_mathjax/mathjax/ && \
	rm -rf $$tmp && echo "MathJax $(MATHJAX_VERSION) installed into book/_mathjax"

mathjax: $(MATHJAX_DIR)/tex-svg-full.js

book: env mathjax
	$(BIN)/jupyter-book build book --builder html -W --keep-going

# --- graded exercises (issue 3) -----------------------------------------------------
# Regenerate every student version exercises/<id>/ from solutions/<id>/ (nbgrader
# generate_assignment through autograder.exercises; deterministic, committed).
exercises: env
	$(BIN)/python -m autograder.exercises

clean-book:
	rm -rf book/_build

# --- GPU runners (issue 11) ---------------------------------------------------------
# `make wheelhouse` fills the git-ignored wheelhouse/ with binary wheels of torch, the course
# with its grading extra and pytest for a target Python/platform (default: $(PYTHON) on this
# machine), checks that they install offline, and prints the install commands, e.g.
#   make wheelhouse WHEEL_PYTHON=3.12 WHEEL_PLATFORM=manylinux_2_28_x86_64 TORCH_SPEC=torch==2.11.0
# It needs only $(PYTHON) with pip, not the course's environment.
WHEEL_PYTHON   ?=
WHEEL_PLATFORM ?=
# `make gpu-check` (CUDA required; GPU_CHECK_ARGS=--allow-cpu to try it on a CPU) writes its
# table to GPU_CHECK_TABLE too.  On a GPU machine: make gpu-check TORCH_SPEC="torch>=2.4,<2.15"
GPU_CHECK_ARGS  ?=
GPU_CHECK_TABLE ?= test-artifacts/gpu-check.md

wheelhouse:
	$(PYTHON) -m autograder.wheelhouse --dest wheelhouse --torch "$(TORCH_SPEC)" \
		$(if $(WHEEL_PYTHON),--python $(WHEEL_PYTHON)) $(if $(WHEEL_PLATFORM),--platform $(WHEEL_PLATFORM))

gpu-check: env
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m autograder.gpu_check --table "$(GPU_CHECK_TABLE)" $(GPU_CHECK_ARGS)

# --- JupyterLab for students and instructors (issue 12) --------------------------------
# Each prints the URL to open; state (exchange, gradebook) in $DLGD_COURSE_DATA, default
# ~/.local/share/dlgd-course.  LAB_ARGS="--port 8888" (student: --workspace DIR) passes options.
# See book/running-the-course.md.
.PHONY: lab formgrader
LAB_ARGS ?=

lab: env
	$(BIN)/python -m autograder.lab student $(LAB_ARGS)

formgrader: env mathjax
	$(BIN)/python -m autograder.lab instructor $(LAB_ARGS)

# A real JupyterHub on this machine (autograder/hub.py): the course's wheel for the users'
# servers, configurable-http-proxy from npm into .hub/, then the hub in the foreground (as
# root: it creates the Unix users). HUB_STUDENTS and HUB_PORT size it.
HUB_STUDENTS ?= 3
HUB_PORT ?= 8000
CHP_VERSION ?= 5.3.0

.hub/node_modules/.bin/configurable-http-proxy:
	mkdir -p .hub && cd .hub && npm install --silent --no-save configurable-http-proxy@$(CHP_VERSION)

hub-deps: .hub/node_modules/.bin/configurable-http-proxy

# The course's wheel, what students install (README, For students): the library and the
# grading tools, without solutions/, the hidden tests or the mutants.
wheel: env
	rm -rf dist && $(BIN)/python -c "from setuptools import build_meta; print(build_meta.build_wheel('dist'))"

hub: env mathjax hub-deps
	@if [ "$$(id -u)" != 0 ]; then echo "make hub creates Unix users and starts servers as them: run it as root (sudo make hub)"; exit 2; fi
	rm -rf .hub/dist && $(BIN)/python -c "from setuptools import build_meta; build_meta.build_wheel('.hub/dist')" >/dev/null
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m autograder.hub up --wheel .hub/dist/*.whl \
		--students $(HUB_STUDENTS) --port $(HUB_PORT)
