# make briefing: set up .venv (runtime packages only) and render the briefing; make test: set up .venv with the
# test packages too and run every test; make lab: JupyterLab at the project root; make lock: remake the lock files
# (with uv, which it installs into .venv with the `dev` extra); make messages: extract the briefing's strings and
# update every language's catalogue (docs/translating.md).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: briefing test lab lock clean python-version messages

python-version:
	@$(PYTHON) -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 'malibrief needs Python 3.11 or newer, and $(PYTHON) is Python ' + sys.version.split()[0] + ': run make with PYTHON=python3.11 (or newer)')"

$(VENV)/.briefing: requirements.txt pyproject.toml | python-version
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.test: $(VENV)/.briefing requirements-test.txt
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

$(VENV)/.lab: $(VENV)/.briefing requirements-lab.txt
	$(PY) -m pip install --quiet -r requirements-lab.txt
	touch $@

# ruff, pre-commit, nbstripout and uv (pyproject.toml's dev extra; the packages .venv has already are kept)
$(VENV)/.dev: $(VENV)/.briefing pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

briefing: $(VENV)/.briefing
	$(PY) build.py

test: $(VENV)/.test
	$(PY) -m pytest -q

# As root (in a container), JupyterLab refuses to start unless told: make lab ALLOW_ROOT=1. LAB_FLAGS passes more
# options, e.g. in a container: make lab ALLOW_ROOT=1 LAB_FLAGS="--ip=0.0.0.0 --no-browser"
lab: $(VENV)/.lab
	$(VENV)/bin/jupyter lab --notebook-dir=. $(if $(ALLOW_ROOT),--allow-root,) $(LAB_FLAGS)

LOCALE := malibrief/briefing/locale
messages: $(VENV)/.briefing
	$(VENV)/bin/pybabel extract -F babel.cfg -k t -k n:1,2 -k N_ -k Nn_:1,2 --no-default-keywords --add-comments=TRANSLATORS: --add-location=file \
		--sort-by-file --project=malibrief --copyright-holder="malibrief contributors" -o $(LOCALE)/briefing.pot .
	$(VENV)/bin/pybabel update -i $(LOCALE)/briefing.pot -d $(LOCALE) -D briefing --no-fuzzy-matching --ignore-pot-creation-date --width=116

# The lock files pin every package (and its dependencies) that pyproject.toml asks for, for every platform.
# LOCK_FLAGS='-c constraints.txt' keeps the versions of an environment that was tested.
lock: $(VENV)/.dev
	for extra in "" test lab; do \
	  $(PY) -m uv pip compile pyproject.toml --universal --python-version 3.11 --quiet --no-annotate \
	    --custom-compile-command "make lock" $${extra:+--extra $$extra} $(LOCK_FLAGS) \
	    -o requirements$${extra:+-$$extra}.txt; \
	done

clean:
	rm -rf build .cache
