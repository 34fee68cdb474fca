# ZoneHR: `make run` serves the demo zone, `make test` runs every check and test.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export DEBUG ?= true

.PHONY: setup run test lint messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed
	$(BIN)/python manage.py migrate --no-input -v 0

run: setup
	$(BIN)/python manage.py demo_zone --if-empty
	$(BIN)/python manage.py runserver 127.0.0.1:8000

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run -v 1

test: setup lint
	$(BIN)/python -m pytest

# Needs GNU gettext. The compiled .mo is committed, so a fresh checkout needs no gettext.
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages -l zh_Hans --no-location --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'bench/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv' -v 0
