# Two commands on a fresh machine: `make demo` and `make test` (see README "Quick start").
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEMO_FIRMS ?= 20000
HOST ?= 127.0.0.1:8000

.PHONY: demo test install lint format migrate messages bench clean-demo worker

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make demo: set up, migrate SQLite, generate demo firms, score, push, print logins, serve on $(HOST).
demo: install
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py demo_setup --firms $(DEMO_FIRMS)
	$(PY) manage.py runserver $(HOST)

## make test: install into .venv and run the whole suite (DATABASE_URL / CELERY_BROKER_URL pick the services).
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: install
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=bench --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

worker: install
	$(VENV)/bin/celery -A config worker -Q default,scoring,push -l info --concurrency 2

bench: install
	$(PY) bench/engine_bench.py --firms 520000

clean-demo:
	rm -f db.sqlite3 db.sqlite3-wal db.sqlite3-shm
