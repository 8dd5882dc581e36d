"""Jobs under real faults: real Celery workers (subprocesses) on Redis and PostgreSQL, killed with SIGKILL, the broker
flushed, the database refusing a publication.

How a worker is caught "mid-run" without slowing our code down: the test holds a PostgreSQL lock that the worker's
next statement needs (``ATTACH PARTITION`` needs SHARE UPDATE EXCLUSIVE on ``scoring_score``; the push's summary
INSERT needs ROW EXCLUSIVE on ``banks_recommendationlist``). The worker then sits inside its open transaction with
every score (or list) row already copied, its heartbeat showing the phase, exactly as if the statement were slow;
``pg_stat_activity`` tells when it got there. The workers run with a short visibility timeout and stale-heartbeat
threshold (``CELERY_VISIBILITY_TIMEOUT``, ``SCORING_RUN_STALE_AFTER``), as production runs with long ones.

Needs CELERY_BROKER_URL and PostgreSQL (skipped without them, failures in CI). The broker's Redis database is flushed
by these tests: give them their own (``CELERY_BROKER_URL=redis://127.0.0.1:6379/<n>``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import psycopg2
import pytest
import redis
from django.db import DatabaseError, connection, connections
from django.db.models import Count
from django.utils import timezone

from banks.models import Notice, Recommendation, RecommendationList
from banks.selectors import push_population_forget
from banks.services import recommendation_rows
from banks.tests.fixtures import officer_of
from demo.services import demo_firms_create
from enterprises.models import Batch
from scoring import persistence
from scoring.choices import RunState
from scoring.models import Score, ScoringRun
from scoring.selectors import published_scores, scored_submissions
from scoring.services import (
    MAX_RUN_ATTEMPTS,
    QUEUED_RESEND_AFTER,
    RUN_STALE_AFTER,
    scoring_run_create,
    scoring_run_execute,
    scoring_run_publish,
    scoring_runs_reconcile,
)
from tests import test_celery_worker as worker_fixtures

ROOT = Path(__file__).resolve().parents[1]
FIRMS = 1000
VISIBILITY_TIMEOUT = 3  # seconds: the broker hands an unacknowledged message to another worker after this
STALE_AFTER = 3  # seconds: a running run without a heartbeat this long may be taken over
DEADLINE = 60  # seconds for anything to happen; each test takes 10-25 s on a busy 2-core machine

broker_url, through_the_broker = worker_fixtures.broker_url, worker_fixtures.through_the_broker
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


# --- Harness -------------------------------------------------------------------------------------------------------


class Worker:
    """A ``celery worker`` subprocess (solo pool: the process that runs the task is the one we kill)."""

    def __init__(self, env: dict[str, str], name: str):
        self.name = name
        self.lines: list[str] = []
        self.process = subprocess.Popen(  # noqa: S603 - our own celery, fixed arguments
            [str(ROOT / ".venv" / "bin" / "celery"), "-A", "config", "worker", "-Q", "default,scoring,push",
             "--pool", "solo", "-c", "1", "-l", "info", "--without-mingle", "--without-gossip",
             "--hostname", f"{name}@faults"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        # Drain the output continuously: a full pipe would block the worker, and the log is the test's evidence.
        self._reader = threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True)
        self._reader.start()

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def wait_ready(self) -> None:
        wait_for(lambda: " ready." in self.log or self.process.poll() is not None, f"worker {self.name} ready")
        assert self.process.poll() is None, f"worker {self.name} exited:\n{self.log[-3000:]}"

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, nothing is acknowledged or restored, the connections just drop."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=5)


@pytest.fixture
def start_worker(broker_url) -> Callable[[str], Worker]:
    """Start workers on the test database and broker, with short fault timeouts; all are stopped at the end."""
    if connection.vendor != "postgresql":
        worker_fixtures.unavailable("the fault tests need PostgreSQL (set DATABASE_URL)")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "SCORING_RUN_STALE_AFTER": str(STALE_AFTER),
    }
    started: list[Worker] = []

    def start(name: str) -> Worker:
        worker = Worker(env, name)
        started.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in started:
        worker.stop()
        print(f"--- worker {worker.name} (exit {worker.process.returncode}) ---\n{worker.log[-4000:]}")


@pytest.fixture
def broker(broker_url, through_the_broker) -> redis.Redis:
    """The broker's Redis database, emptied first (messages left by earlier tests would be delivered here)."""
    client = redis.Redis.from_url(broker_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


class TableLock:
    """A lock held by another PostgreSQL session until ``release()``: the worker's next statement needing it waits."""

    def __init__(self, table: str, mode: str):
        db = connection.settings_dict
        self._conn = psycopg2.connect(
            dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"]
        )
        with self._conn.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN {mode} MODE")  # psycopg2 opened a transaction: held until rollback

    def release(self) -> None:
        if not self._conn.closed:
            self._conn.rollback()
            self._conn.close()


@pytest.fixture
def table_lock():
    locks: list[TableLock] = []

    def take(table: str, mode: str) -> TableLock:
        locks.append(TableLock(table, mode))
        return locks[-1]

    yield take
    for lock in locks:
        lock.release()


def wait_for(condition: Callable[[], object], what: str, deadline: float = DEADLINE) -> None:
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {deadline} s waiting for: {what}")
        time.sleep(0.1)


def sessions_waiting_on_lock(query_like: str) -> int:
    """Sessions of the test database blocked on a lock while running a statement matching ``query_like``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            " AND query ILIKE %s",
            [query_like],
        )
        return cursor.fetchone()[0]


def sessions_running(query_like: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND state <> 'idle' AND query ILIKE %s",
            [query_like],
        )
        return cursor.fetchone()[0]


class StateLog:
    """The (state, attempt) pairs a run went through, sampled from another thread while the test waits."""

    ORDER = [RunState.QUEUED, RunState.LOADING, RunState.SCORING, RunState.PERSISTING, RunState.COMPUTED]

    def __init__(self, run_id: int):
        self.seen: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, args=(run_id,), daemon=True)
        self._thread.start()

    def _watch(self, run_id: int) -> None:
        try:
            while True:
                stopping = self._stop.is_set()  # then one last sample: the state the test saw before stopping
                state = tuple(ScoringRun.objects.filter(pk=run_id).values_list("state", "attempts").get())
                if not self.seen or self.seen[-1] != state:
                    self.seen.append(state)
                if stopping:
                    break
                time.sleep(0.05)
        finally:
            connections["default"].close()

    def stop(self) -> list[tuple[str, int]]:
        self._stop.set()
        self._thread.join()
        return self.seen

    def assert_sane(self, attempts: int) -> None:
        """Phases only move forward within an attempt, attempts only go up, and nothing ever failed."""
        seen = self.stop()
        assert seen[-1] == (RunState.COMPUTED, attempts), seen
        for (state_a, attempt_a), (state_b, attempt_b) in zip(seen, seen[1:], strict=False):
            assert attempt_b >= attempt_a, seen
            if attempt_b == attempt_a:
                assert self.ORDER.index(state_b) > self.ORDER.index(state_a), seen
            else:
                assert state_b in (RunState.LOADING, RunState.SCORING, RunState.PERSISTING, RunState.COMPUTED), seen


@pytest.fixture
def watch_states():
    """``watch_states(run)`` samples the run's state from another thread; stopped at the end whatever happens (its
    connection must be closed before the test database is flushed)."""
    logs: list[StateLog] = []

    def watch(run: ScoringRun) -> StateLog:
        logs.append(StateLog(run.pk))
        return logs[-1]

    yield watch
    for log in logs:
        log.stop()


def state_of(run: ScoringRun) -> tuple[str, int]:
    return tuple(ScoringRun.objects.filter(pk=run.pk).values_list("state", "attempts").get())


def heartbeat_age(run: ScoringRun) -> float:
    return (timezone.now() - ScoringRun.objects.get(pk=run.pk).heartbeat_at).total_seconds()


def partitions_of(run: ScoringRun) -> list[str]:
    """Tables attached to ``scoring_score`` holding ``run``'s rows (exactly one once it is computed)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'scoring_score'::regclass AND c.relname LIKE %s",
            [persistence.partition_name(run) + "%"],
        )
        return [row[0] for row in cursor.fetchall()]


def assert_scored_exactly_once(run: ScoringRun) -> None:
    run.refresh_from_db()
    assert run.state == RunState.COMPUTED, (run.state, run.error)
    assert run.error == ""
    assert run.progress == 100 and run.started_at <= run.finished_at
    assert run.enterprise_count == FIRMS == run.counts["enterprises"]
    expected = set(scored_submissions(batch=run.batch).values_list("enterprise_id", flat=True))
    rows = Score.objects.filter(run=run)
    assert rows.count() == len(expected) == FIRMS
    assert set(rows.values_list("enterprise_id", flat=True)) == expected
    assert partitions_of(run) == [persistence.partition_name(run)]


def computed_run(batch: Batch) -> ScoringRun:
    run = scoring_run_create(batch=batch, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


@pytest.fixture
def population(batch):
    demo_firms_create(firms=FIRMS, seed=7, batch=batch)
    return batch


# --- Scoring runs --------------------------------------------------------------------------------------------------


@pytest.mark.celery_worker
def test_a_worker_killed_mid_run_leaves_nothing_and_the_redelivered_message_completes_it_once(
    start_worker, broker, table_lock, watch_states, population
):
    first = start_worker("first")
    attach = table_lock("scoring_score", "SHARE UPDATE EXCLUSIVE")
    run = scoring_run_create(batch=population)  # on commit: the run id goes to the "scoring" queue
    states = watch_states(run)
    wait_for(lambda: sessions_waiting_on_lock("%ATTACH PARTITION%") == 1, "the worker mid-persist")
    run.refresh_from_db()
    assert (run.state, run.attempts, run.progress) == (RunState.PERSISTING, 1, 55)
    assert run.heartbeat_at >= run.started_at
    assert broker.hlen("unacked") == 1  # acks_late: the message stays with the broker until the task returns

    first.kill()
    attach.release()
    # The dead worker's session rolls back: no rows, no partition, the run still says "persisting" (nobody told it).
    wait_for(lambda: sessions_running("%ATTACH PARTITION%") == 0, "the dead worker's session to end")
    assert state_of(run) == (RunState.PERSISTING, 1)
    assert partitions_of(run) == []
    assert not Score.objects.filter(run=run).exists()

    # Past the visibility timeout and the stale threshold, a new worker takes the unacknowledged message back.
    wait_for(lambda: heartbeat_age(run) > STALE_AFTER + 0.5, "the heartbeat to go stale", deadline=STALE_AFTER + 5)
    second = start_worker("second")
    wait_for(lambda: state_of(run)[0] == RunState.COMPUTED, "the run completed by the second worker")

    states.assert_sane(attempts=2)
    assert_scored_exactly_once(run)
    assert "score_run_task" in second.log and "succeeded" in second.log  # the same message, delivered again
    assert broker.hlen("unacked") == 0 and broker.llen("scoring") == 0
    assert scoring_runs_reconcile(now=timezone.now() + RUN_STALE_AFTER * 2) == []  # nothing left to recover


@pytest.mark.celery_worker
def test_a_message_flushed_from_the_broker_before_any_worker_took_it_is_resent_by_the_reconciler(
    start_worker, broker, population
):
    run = scoring_run_create(batch=population)
    assert broker.llen("scoring") == 1
    broker.flushdb()  # Redis restarted without persistence, say
    worker = start_worker("only")
    time.sleep(1)
    assert state_of(run) == (RunState.QUEUED, 0)  # nothing will ever deliver it...

    # ... until beat's reconciler, a couple of minutes later, finds it still queued.
    assert scoring_runs_reconcile(now=timezone.now() + QUEUED_RESEND_AFTER + timedelta(seconds=1)) == [run.pk]
    wait_for(lambda: state_of(run)[0] == RunState.COMPUTED, "the resent run computed")
    assert_scored_exactly_once(run)
    assert run.attempts == 1
    assert worker.process.poll() is None


@pytest.mark.celery_worker
def test_a_broker_flushed_mid_run_is_harmless_to_a_live_worker(start_worker, broker, table_lock, population):
    start_worker("only")
    attach = table_lock("scoring_score", "SHARE UPDATE EXCLUSIVE")
    run = scoring_run_create(batch=population)
    wait_for(lambda: sessions_waiting_on_lock("%ATTACH PARTITION%") == 1, "the worker mid-persist")
    broker.flushdb()  # the unacknowledged message is gone with everything else
    attach.release()
    wait_for(lambda: state_of(run)[0] == RunState.COMPUTED, "the run completed")
    assert_scored_exactly_once(run)
    assert run.attempts == 1
    assert scoring_runs_reconcile(now=timezone.now() + RUN_STALE_AFTER * 2) == []


@pytest.mark.celery_worker
def test_a_run_whose_worker_died_after_the_broker_was_flushed_is_recovered_by_the_reconciler(
    start_worker, broker, table_lock, watch_states, population
):
    first = start_worker("first")
    attach = table_lock("scoring_score", "SHARE UPDATE EXCLUSIVE")
    run = scoring_run_create(batch=population)
    states = watch_states(run)
    wait_for(lambda: sessions_waiting_on_lock("%ATTACH PARTITION%") == 1, "the worker mid-persist")
    broker.flushdb()
    first.kill()
    attach.release()
    wait_for(lambda: sessions_running("%ATTACH PARTITION%") == 0, "the dead worker's session to end")
    assert broker.hlen("unacked") == 0 and broker.llen("scoring") == 0  # no message left to redeliver

    second = start_worker("second")
    wait_for(lambda: heartbeat_age(run) > STALE_AFTER + 0.5, "the heartbeat to go stale", deadline=STALE_AFTER + 5)
    assert state_of(run) == (RunState.PERSISTING, 1)
    # Beat's reconciler, ten minutes on (the test process keeps the production threshold), resends the stale run.
    assert scoring_runs_reconcile(now=timezone.now() + RUN_STALE_AFTER + timedelta(seconds=1)) == [run.pk]
    wait_for(lambda: state_of(run)[0] == RunState.COMPUTED, "the run completed by the second worker")
    states.assert_sane(attempts=2)
    assert_scored_exactly_once(run)
    assert second.process.poll() is None


@pytest.mark.celery_worker
def test_a_stalled_worker_that_comes_back_after_being_taken_over_can_neither_finish_nor_undo_the_run(
    start_worker, broker, table_lock, population
):
    """The first worker stalls (not dies) past the timeouts; the second takes the run over. When the first one wakes
    up it must not mark the run computed with its own rows, nor drop the partition of the second (fencing on
    ``attempts``)."""
    stalled = start_worker("stalled")
    attach = table_lock("scoring_score", "SHARE UPDATE EXCLUSIVE")
    run = scoring_run_create(batch=population)
    wait_for(lambda: sessions_waiting_on_lock("%ATTACH PARTITION%") == 1, "the first worker mid-persist")
    wait_for(lambda: heartbeat_age(run) > STALE_AFTER + 0.5, "the heartbeat to go stale", deadline=STALE_AFTER + 5)

    takeover = start_worker("takeover")  # takes the unacknowledged message back (visibility timeout), claims the run
    # The takeover computes the run again; creating its partition (same table name) it waits for the stalled worker.
    wait_for(lambda: state_of(run) == (RunState.PERSISTING, 2), "the second attempt persisting")
    wait_for(lambda: sessions_waiting_on_lock("CREATE TABLE%") == 1, "the second attempt waiting on the first")
    attach.release()  # the stalled worker wakes up and tries to finish attempt 1

    # scoring_run_execute never raises for a run's failure: each delivery ends with "succeeded" in the worker's log.
    wait_for(lambda: "succeeded" in stalled.log and "succeeded" in takeover.log, "both attempts to end")
    assert_scored_exactly_once(run)
    assert run.attempts == 2
    assert "abandoned" in stalled.log and stalled.process.poll() is None


@pytest.mark.django_db
def test_a_run_that_lost_its_worker_too_often_is_failed_instead_of_sent_again(batch):
    """A run that kills its worker every time (out of memory, say) must not take a worker down every 10 minutes."""
    demo_firms_create(firms=50, seed=7, batch=batch)
    run = scoring_run_create(batch=batch, enqueue=False)
    stale = timezone.now() - RUN_STALE_AFTER - timedelta(seconds=1)
    ScoringRun.objects.filter(pk=run.pk).update(state=RunState.SCORING, heartbeat_at=stale, attempts=MAX_RUN_ATTEMPTS)

    scoring_run_execute(run_id=run.pk)  # a late redelivery may not claim it either
    assert state_of(run) == (RunState.SCORING, MAX_RUN_ATTEMPTS)
    assert scoring_runs_reconcile() == []
    run.refresh_from_db()
    assert run.state == RunState.FAILED and str(MAX_RUN_ATTEMPTS) in run.error and run.finished_at is not None

    retried = scoring_run_create(batch=batch, enqueue=False)  # one attempt short of the limit: sent again, computed
    ScoringRun.objects.filter(pk=retried.pk).update(
        state=RunState.SCORING, heartbeat_at=stale, attempts=MAX_RUN_ATTEMPTS - 1
    )
    assert scoring_runs_reconcile() == [retried.pk]  # eager Celery in tests: computed here
    assert state_of(retried) == (RunState.COMPUTED, MAX_RUN_ATTEMPTS)


# --- Publication ---------------------------------------------------------------------------------------------------

FAULT_FUNCTION = """
CREATE OR REPLACE FUNCTION test_faults_refuse_publication() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_sleep(1);  -- readers keep reading while the switch is half done
    RAISE EXCEPTION 'injected fault: the database refused to publish run %', NEW.id;
END $$
"""


@pytest.mark.postgres
def test_a_publication_failing_half_way_leaves_readers_on_the_whole_previous_run(require_postgres, population):
    """A trigger makes the database fail the last statement of the publication, after the batch was switched and the
    previous run demoted in the same transaction; readers on their own connections see only the previous run."""
    previous = computed_run(population)
    scoring_run_publish(run=previous)
    candidate = computed_run(population)
    with connection.cursor() as cursor:
        cursor.execute(FAULT_FUNCTION)
        cursor.execute(
            "CREATE TRIGGER test_faults_refuse_publication BEFORE UPDATE ON scoring_scoringrun FOR EACH ROW"
            f" WHEN (NEW.state = 'published' AND NEW.id = {int(candidate.pk)})"
            " EXECUTE FUNCTION test_faults_refuse_publication()"
        )
    seen: list[tuple[float, list[tuple[int, int]], int | None]] = []
    stop = threading.Event()

    def read_published():
        try:
            while not stop.is_set():
                rows = published_scores(batch=population).values("run_id").annotate(n=Count("enterprise_id"))
                pointer = (
                    Batch.objects.filter(pk=population.pk).values_list("scoring__published_run_id", flat=True).get()
                )
                seen.append((time.monotonic(), sorted((r["run_id"], r["n"]) for r in rows), pointer))
        finally:
            connections["default"].close()

    readers = [threading.Thread(target=read_published) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseError, match="injected fault"):
            scoring_run_publish(run=candidate)
        ended = time.monotonic()
    finally:
        stop.set()
        for reader in readers:
            reader.join()
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER test_faults_refuse_publication ON scoring_scoringrun")
            cursor.execute("DROP FUNCTION test_faults_refuse_publication()")

    during = [s for s in seen if started < s[0] < ended]
    assert len(during) > 5, "the readers did not read while the publication was in progress"
    assert all(rows == [(previous.pk, FIRMS)] and pointer == previous.pk for _, rows, pointer in seen)
    population.refresh_from_db()
    assert population.scoring.published_run_id == previous.pk
    assert state_of(previous)[0] == RunState.PUBLISHED and state_of(candidate)[0] == RunState.COMPUTED
    assert not RecommendationList.objects.filter(run=candidate).exists()  # the push waits for a commit

    scoring_run_publish(run=candidate)  # the fault gone, the same run publishes normally
    population.refresh_from_db()
    assert population.scoring.published_run_id == candidate.pk


# --- The recommendation push ---------------------------------------------------------------------------------------


@pytest.mark.celery_worker
def test_a_push_whose_worker_was_killed_mid_list_is_redelivered_and_written_once(
    start_worker,
    broker,
    table_lock,
    population,
    icbc,
):
    officer_of(icbc, "icbc-faults")
    first = start_worker("first")
    summary = table_lock("banks_recommendationlist", "SHARE")  # the push's last INSERT waits; its rows are in
    run = scoring_run_publish(run=computed_run(population))  # on commit: fan-out task → one task for ICBC
    wait_for(lambda: sessions_waiting_on_lock('INSERT INTO "banks_recommendationlist"%') == 1, "the push mid-list")
    assert broker.hlen("unacked") == 1

    first.kill()
    summary.release()
    wait_for(lambda: sessions_running('INSERT INTO "banks_recommendationlist"%') == 0, "the dead push to end")
    assert not Recommendation.objects.filter(run=run).exists()  # rolled back whole: no half list

    time.sleep(VISIBILITY_TIMEOUT + 0.5)
    start_worker("second")  # takes the push message back and writes the list
    wait_for(lambda: RecommendationList.objects.filter(run=run, bank=icbc).exists(), "the list pushed")

    push_population_forget()
    expected = recommendation_rows(run=run, bank=icbc)
    listed = Recommendation.objects.filter(run=run, bank=icbc)
    assert RecommendationList.objects.get(run=run, bank=icbc).size == listed.count() == len(expected) > 0
    assert listed.values("enterprise_id").distinct().count() == len(expected)
    assert sorted(listed.values_list("enterprise_id", flat=True)) == sorted(expected["enterprise_id"].tolist())
    assert Notice.objects.filter(user__username="icbc-faults").count() == 1  # told once, not once per delivery
    assert broker.hlen("unacked") == 0
