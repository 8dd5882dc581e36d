# Two commands on a fresh machine: `make demo` and `make test` (see README "Quick start").
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEMO_FIRMS ?= 20000
HOST ?= 127.0.0.1:8000

.PHONY: demo test install lint format migrate messages bench clean-demo worker security faults load load-data

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make demo: set up, migrate SQLite, generate demo firms, score, push, print logins, serve on $(HOST).
demo: install
	$(PY) manage.py migrate --no-input -v 0
	HOST=$(HOST) $(PY) manage.py demo_setup --firms $(DEMO_FIRMS)
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

## make bench: every bench/ script on PostgreSQL (BENCH_DATABASE_URL, default ipp_bench, created and filled with the
## 520,000-firm demo if missing), then one table of figures, targets and baselines (README "Benchmarks").
## BENCH_ARGS="--only score,push", "--skip api", "--with-load", "--firms N", "--strict".
bench: install
	$(PY) bench/run_all.py $(BENCH_ARGS)

## make security: the dependency gates of .ci/run (bandit over the code, pip-audit over the environment).
security: install
	$(VENV)/bin/bandit -c pyproject.toml -q -r core scoring enterprises banks loans guarantees config \
		-x '*/tests/*,*/migrations/*'
	$(PY) .ci/pip_audit.py

## make faults: only the fault tests (tests/test_faults.py, also part of make test): real workers killed, Redis flushed.
FAULTS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/innovation_points
FAULTS_BROKER_URL ?= redis://127.0.0.1:6379/14
faults: install
	DATABASE_URL=$${DATABASE_URL:-$(FAULTS_DATABASE_URL)} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(FAULTS_BROKER_URL)} \
		CI=true $(PY) -m pytest -v -p no:randomly tests/test_faults.py

## make load-data: the 520,000-firm national demo on PostgreSQL for the load scenario (once; ~4-8 min).
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ipp_load
LOAD_BROKER_URL ?= redis://127.0.0.1:6379/8
load-data: install
	psql "$(LOAD_DATABASE_URL)" -c "SELECT 1" >/dev/null 2>&1 || createdb -h 127.0.0.1 -U postgres $(notdir $(LOAD_DATABASE_URL))
	DATABASE_URL=$(LOAD_DATABASE_URL) $(PY) manage.py migrate --no-input -v 0
	DATABASE_URL=$(LOAD_DATABASE_URL) $(PY) manage.py demo_setup --firms 520000

## make load: 50 users on gunicorn + a Celery worker + a scoring run in the background (bench/load/, README).
load: install
	$(PY) -m pip install --quiet -e '.[dev,load]'
	DATABASE_URL=$(LOAD_DATABASE_URL) $(PY) manage.py migrate --no-input -v 0
	DATABASE_URL=$(LOAD_DATABASE_URL) CELERY_BROKER_URL=$(LOAD_BROKER_URL) $(PY) bench/load/run.py $(LOAD_ARGS)

clean-demo:
	rm -f db.sqlite3 db.sqlite3-wal db.sqlite3-shm
