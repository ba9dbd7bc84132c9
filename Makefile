# make briefing: set up .venv and render the briefing; make test: set up .venv and run every test.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: briefing test lab clean

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

briefing: $(VENV)/.installed
	$(PY) build.py

test: $(VENV)/.installed
	$(PY) -m pytest -q

lab: $(VENV)/.installed
	$(VENV)/bin/jupyter lab notebooks/

clean:
	rm -rf build .cache
