# Arobase — two commands on a fresh machine with Python >= 3.11:
#   make run    create .venv, install, open the window on the default store
#   make test   install with the test tools and run the whole suite offscreen
#   make server the association's server on 127.0.0.1:8080 with a demo collectivity (SQLite + a folder)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip

.PHONY: run test test-slow test-all stress lint format bench clean server

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Arobase demande Python 3.11 ou plus récent : installez-le puis relancez make.")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	@touch $@

$(VENV)/.installed-server: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[server]"
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[test,server]"
	@touch $@ $(VENV)/.installed-run $(VENV)/.installed-server

run: $(VENV)/.installed-run
	@$(BIN)/python packaging/qt_system_libs.py --install --display
	$(BIN)/arobase $(ARGS)

# The demo collectivity is the example dossier's (resources/exemples): import it in the app, validate, send.
SERVER_DATA ?= serveur-local
SERVER_PORT ?= 8080
server: $(VENV)/.installed-server
	@mkdir -p $(SERVER_DATA)
	AROBASE_SERVER_DATA=$(SERVER_DATA) $(BIN)/arobase-server init
	AROBASE_SERVER_DATA=$(SERVER_DATA) $(BIN)/arobase-server add-collectivity --code 29999 \
	  --name "Landévran-Exemple" --email mairie@landevran-exemple.fr
	AROBASE_SERVER_DATA=$(SERVER_DATA) $(BIN)/arobase-server serve --host 127.0.0.1 --port $(SERVER_PORT)

test: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

test-slow: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m slow $(PYTEST_ARGS)

# The long fault runs (slow marker, without the PyInstaller build): 200 kill -9 during editing, 100 during
# sending, 100 network cuts, 20 kills during an import, hypothesis fuzz of the interchange import and
# schemathesis on every server endpoint; the counts of trials and failures are printed at the end. The
# Windows installer compiled and run under Wine (tests/test_windows_installer.py, ~40 s) runs here too.
stress: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m slow --ignore=tests/test_packaging.py $(PYTEST_ARGS)

test-all: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m "" $(PYTEST_ARGS)

# Every bench side by side in one run, one table of ratios (README « Chiffres »); a few minutes.
# The start-up bench runs Qt's xcb plugin under Xvfb when Xvfb is installed: the same system libraries as make run.
bench: $(VENV)/.installed-test
	@$(BIN)/python packaging/qt_system_libs.py --install
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
