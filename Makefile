# keyart — two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= keyart-out/demo
# pytest workers: 2 cores on CI; override with `make test PYTEST_WORKERS=0` to run serially.
PYTEST_WORKERS ?= 2

.PHONY: demo test lint bench clean venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The demo runs the classical engine on the CPU (no torch); the faces extra gives the audit's subject
# check its models (dlib's prebuilt wheel, the 5-point landmark and ResNet descriptor files).
$(VENV)/.installed-base: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[faces]'
	touch $@

# torch first and pinned: a bare or open-ended torch pulls a multi-GB CUDA build.
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev,diffusion,faces,scale,llm,heic]'
	touch $@

venv: $(VENV)/.installed-base

demo: $(VENV)/.installed-base
	$(BIN)/keyart demo --out $(OUT)

test: $(VENV)/.installed-test
	@set +e; HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: treating as a failure"; exit 1; fi; exit $$rc

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check . || true
	$(BIN)/mypy bot pipeline storage

bench: $(VENV)/.installed-test
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) keyart-out .pytest_cache .mypy_cache .ruff_cache
