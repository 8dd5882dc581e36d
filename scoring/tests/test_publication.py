"""Publication is all-or-nothing: failures leave the published run intact, readers never see a mix of runs,
and a duplicate task delivery does nothing."""

import threading
import time

import pytest
from django.db import connection, connections

from core.db import copy, partitions
from core.db.copy import ArrayColumn
from demo.services import demo_firms_create
from scoring import persistence
from scoring.choices import RunState
from scoring.models import Score, ScoringRun
from scoring.services import scoring_run_cancel, scoring_run_create, scoring_run_execute, scoring_run_publish

from .conftest import FIRMS


def computed_run(batch):
    run = scoring_run_create(batch=batch, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.state == RunState.COMPUTED
    return run


def test_executing_the_same_run_twice_does_nothing_the_second_time(populated_batch):
    run = scoring_run_create(batch=populated_batch, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    finished, heartbeat = run.finished_at, run.heartbeat_at
    scoring_run_execute(run_id=run.pk)  # the broker delivered the task again
    run.refresh_from_db()
    assert (run.state, run.attempts) == (RunState.COMPUTED, 1)
    assert (run.finished_at, run.heartbeat_at) == (finished, heartbeat)
    assert Score.objects.filter(run=run).count() == FIRMS


def _inject(monkeypatch, fault) -> None:
    """Replace the bulk write of score rows by ``fault``: persistence writes SQLite's rows itself and PostgreSQL's
    through ``partitions.fresh_table_fill``. A fault in the disk, injected: no assertion reads the replacement."""
    monkeypatch.setattr(persistence, "arrays_insert", fault)
    monkeypatch.setattr(partitions, "arrays_insert", fault)


def test_a_failure_mid_persist_leaves_the_published_run_and_its_scores_intact(populated_batch, monkeypatch):
    published = computed_run(populated_batch)
    scoring_run_publish(run=published)
    before = list(Score.objects.filter(run=published).order_by("enterprise_id").values_list("enterprise_id", "total"))

    real_insert = copy.arrays_insert

    def write_half_then_fail(model, columns, **options):
        half = len(columns[0].values) // 2
        real_insert(model, [ArrayColumn(c.name, c.kind, c.values[:half], c.labels) for c in columns], **options)
        assert Score.objects.count() > 0
        raise OSError("disk full (injected after writing half the rows)")

    _inject(monkeypatch, write_half_then_fail)
    failing = scoring_run_create(batch=populated_batch, enqueue=False)
    scoring_run_execute(run_id=failing.pk)

    failing.refresh_from_db()
    populated_batch.refresh_from_db()
    assert failing.state == RunState.FAILED
    assert "disk full" in failing.error
    assert not Score.objects.filter(run=failing).exists()
    assert populated_batch.scoring.published_run_id == published.pk
    assert ScoringRun.objects.get(pk=published.pk).state == RunState.PUBLISHED
    after = list(Score.objects.filter(run=published).order_by("enterprise_id").values_list("enterprise_id", "total"))
    assert after == before
    if connection.vendor == "postgresql":
        assert persistence.partition_name(failing) not in connection.introspection.table_names()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_cancelled_while_persisting_writes_nothing(require_postgres, batch, monkeypatch):
    """The bureau cancels (from another connection) while the worker is copying rows: the worker's commit is refused."""
    demo_firms_create(firms=FIRMS, seed=5, batch=batch)
    real_insert = copy.arrays_insert

    def cancel_from_elsewhere():
        try:
            scoring_run_cancel(run=ScoringRun.objects.get(state=RunState.PERSISTING))
        finally:
            connections["default"].close()

    def write_while_cancelled(model, columns, **options):
        written = real_insert(model, columns, **options)
        canceller = threading.Thread(target=cancel_from_elsewhere)
        canceller.start()
        canceller.join()
        return written

    _inject(monkeypatch, write_while_cancelled)
    run = scoring_run_create(batch=batch, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.state == RunState.CANCELLED
    assert not Score.objects.filter(run=run).exists()
    assert persistence.partition_name(run) not in connection.introspection.table_names()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_readers_see_the_whole_old_run_or_the_whole_new_one_during_publication(require_postgres, batch):
    """A reader on its own connection keeps reading the published scores while the batch flips between two runs."""
    demo_firms_create(firms=FIRMS, seed=5, batch=batch)
    first, second = computed_run(batch), computed_run(batch)
    scoring_run_publish(run=first)
    seen: list[tuple] = []
    stop = threading.Event()

    def read_published():
        try:
            with connections["default"].cursor() as cursor:  # a new connection: this is another thread
                while not stop.is_set():
                    cursor.execute(
                        "SELECT run_id, count(*) FROM scoring_score WHERE run_id ="
                        " (SELECT published_run_id FROM scoring_batchscoring WHERE batch_id = %s) GROUP BY run_id",
                        [batch.pk],
                    )
                    seen.append(tuple(cursor.fetchall()))
        finally:
            connections["default"].close()

    reader = threading.Thread(target=read_published)
    reader.start()
    try:
        for run in (second, first) * 10:
            ScoringRun.objects.filter(pk=run.pk).update(state=RunState.COMPUTED)  # publish() demands computed
            scoring_run_publish(run=run)
            time.sleep(0.01)
    finally:
        stop.set()
        reader.join()
    assert seen
    assert all(len(rows) == 1 and rows[0][1] == FIRMS for rows in seen), [r for r in seen if len(r) != 1][:3]
    assert {rows[0][0] for rows in seen} == {first.pk, second.pk}
