# orgsim: two commands do all set-up.  `make demo`  and  `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(EXTRAS)

.PHONY: demo test bench clean help params docs constraints sensitivity

help:
	@echo "make demo   - create .venv, install, run the controlling-vs-coaching demo into out/demo/"
	@echo "make test   - create .venv, install with test extras, run the whole test suite"
	@echo "make bench  - speed and memory benchmarks against a plain per-agent Mesa model (docs/performance.md)"
	@echo "make docs   - regenerate docs/parameters.md from the parameter schema"
	@echo "make sensitivity - run experiments/sensitivity_dynamics.toml afresh, its table into docs/calibration.md"
	@echo "make clean  - remove .venv and out/"

$(VENV)/bin/python:
	@PYBIN=$$(sh tools/find-python.sh) || exit 1; \
	echo "creating $(VENV) with $$PYBIN"; \
	"$$PYBIN" -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip

# the runtime extras: dashboard (viz), Parquet + SALib (analysis), Dask cluster (distributed), workshop game,
# EMA workbench (discovery)
RUNTIME := viz,analysis,distributed,workshop,discovery

# constraints.txt: the exact versions of every package (reproducible installs); the manifest of an experiment
# records what is installed
$(VENV)/.installed-base: pyproject.toml constraints.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -c constraints.txt -e ".[$(RUNTIME)]"
	@touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -c constraints.txt -e ".[$(RUNTIME),test]"
	@touch $@ $(VENV)/.installed-base

# sim's bytecode, written up front: with PYTHONDONTWRITEBYTECODE set (as on CI machines) Python would otherwise
# compile the package's source in every process, about 0.1 s of every command (up-to-date files are skipped)
BYTECODE := $(PY) -m compileall -q sim

demo: $(VENV)/.installed-base
	@$(BYTECODE)
	MPLBACKEND=Agg $(VENV)/bin/orgsim demo

test: $(VENV)/.installed-test
	@$(BYTECODE)
	sh tools/ensure-chromium.sh
	MPLBACKEND=Agg $(PY) -m pytest -q

bench: $(VENV)/.installed-base
	@$(BYTECODE)
	MPLBACKEND=Agg $(PY) benchmarks/bench.py

docs: $(VENV)/.installed-base
	$(PY) -m sim.params --markdown > docs/parameters.md

# the sensitivity of the policy patterns to the uncertain rates (a few minutes on 2 cores): a fresh run, then
# the table between the markers of docs/calibration.md
SENS_OUT := out/sensitivity_dynamics
sensitivity: $(VENV)/.installed-base
	rm -rf $(SENS_OUT)
	MPLBACKEND=Agg $(VENV)/bin/orgsim experiment experiments/sensitivity_dynamics.toml --out $(SENS_OUT)
	MPLBACKEND=Agg $(VENV)/bin/orgsim analyze $(SENS_OUT) --patterns --doc docs/calibration.md

# after a change of pyproject.toml: install from the ranges, then pin what was installed
constraints: | $(VENV)/bin/python
	$(PY) -m pip install -q -e ".[$(RUNTIME),test]"
	@{ echo "# Exact versions that 'make demo' / 'make test' install (pip install -c constraints.txt): the versions the"; \
	   echo "# suite last passed with. Regenerate after changing pyproject.toml: make constraints"; \
	   $(PY) -m pip freeze --exclude-editable | grep -iv '^orgsim'; } > constraints.txt

clean:
	rm -rf $(VENV) out
