# dlgd-course — the two set-up commands of the README are `make book` and `make test`.
# Both create the virtual environment when it is missing (or out of date) first.
#
#   make book                 build the rendered book into book/_build/html
#   make test                 run the whole pytest suite
#   make TORCH_SPEC=torch ... on a CUDA machine, let pip pick a CUDA build of torch

PYTHON     ?= python3
VENV       ?= .venv
TORCH_SPEC ?= torch==2.13.0
EXTRAS     ?= book,grading,dev
PYTEST_ARGS ?=

BIN   := $(VENV)/bin
STAMP := $(VENV)/.dlgd-installed
# The environment is rebuilt when pyproject.toml or the requested torch/extras change.
ENV_KEY := $(shell cat pyproject.toml 2>/dev/null | cksum | cut -d' ' -f1)-$(TORCH_SPEC)-$(EXTRAS)

.PHONY: env book test lint exercises benchmark clean-book clean help

help:
	@echo "make book    build the rendered book (creates .venv if needed)"
	@echo "make test    run the whole test suite (creates .venv if needed)"
	@echo "make lint    ruff"
	@echo "make benchmark  run the speed benchmarks"

env:
	@if [ ! -x "$(BIN)/python" ]; then $(PYTHON) -m venv $(VENV); fi
	@if [ "$$(cat $(STAMP) 2>/dev/null)" != "$(ENV_KEY)" ]; then \
		echo "Installing dlgd-course into $(VENV) ($(TORCH_SPEC), extras $(EXTRAS))"; \
		$(BIN)/python -m pip install -q --upgrade pip && \
		$(BIN)/python -m pip install -q "$(TORCH_SPEC)" && \
		$(BIN)/python -m pip install -q -e ".[$(EXTRAS)]" && \
		echo "$(ENV_KEY)" > $(STAMP); \
	fi

test: env
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: env
	$(BIN)/ruff check dlgd_course autograder tests benchmarks

benchmark: env
	$(BIN)/python benchmarks/lorenz96_ensemble.py

clean:
	rm -rf $(VENV) book/_build
