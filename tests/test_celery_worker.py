"""End to end through the broker: a real Celery worker process (Redis, PostgreSQL) computes one small batch.

Needs CELERY_BROKER_URL and PostgreSQL (the worker must reach the test database); skipped without them, except in
CI (CI=true), where their absence is a failure.
"""

import os
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery_app import app
from demo.services import demo_firms_create
from scoring.choices import RunState
from scoring.models import Score, ScoringRun
from scoring.services import scoring_run_create

ROOT = Path(__file__).resolve().parents[1]
FIRMS = 300
DEADLINE_SECONDS = 60
IN_CI = os.environ.get("CI") == "true"

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture
def broker_url():
    url = settings.CELERY_BROKER_URL
    if not url:
        unavailable("CELERY_BROKER_URL is not set")
    try:
        with app.connection_for_write(url) as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
    except Exception as error:  # any failure to reach the broker means the same thing here
        unavailable(f"the broker at {url} is unreachable: {error}")
    return url


@pytest.fixture
def worker(broker_url):
    """A worker on every queue, with the test settings, pointed at the test database, tasks not eager."""
    if connection.vendor != "postgresql":
        unavailable("the worker test needs PostgreSQL (set DATABASE_URL)")
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_CONN_MAX_AGE": "0",
    }
    process = subprocess.Popen(  # noqa: S603 - our own celery, fixed arguments
        [str(ROOT / ".venv" / "bin" / "celery"), "-A", "config", "worker", "-Q", "default,scoring,push",
         "--pool", "solo", "-c", "1", "-l", "info", "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    yield process
    process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    print(output[-5000:])  # shown by pytest when the test fails


@pytest.fixture
def through_the_broker():
    """Send tasks to Redis, as production does, instead of running them in the test process."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = eager


def test_a_real_worker_computes_a_queued_batch(worker, through_the_broker, batch):
    demo_firms_create(firms=FIRMS, seed=3, batch=batch)
    run = scoring_run_create(batch=batch)  # commits, then sends the run id to the "scoring" queue

    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline and worker.poll() is None:
        run.refresh_from_db()
        if run.state not in (RunState.QUEUED, RunState.LOADING, RunState.SCORING, RunState.PERSISTING):
            break
        time.sleep(0.25)
    run.refresh_from_db()
    assert worker.poll() is None, "the worker exited"
    assert run.state == RunState.COMPUTED, f"run is {run.state} after {DEADLINE_SECONDS} s: {run.error}"
    assert run.attempts == 1
    assert Score.objects.filter(run=run).count() == FIRMS
    assert Score.objects.filter(run=run).values("enterprise_id").distinct().count() == FIRMS
    assert ScoringRun.objects.get(pk=run.pk).enterprise_count == FIRMS
