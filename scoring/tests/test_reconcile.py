"""The reconciler resends runs that lost their broker message or their worker, and leaves healthy runs alone."""

from datetime import timedelta

from django.utils import timezone

from scoring.choices import RunState
from scoring.models import Score, ScoringRun
from scoring.services import scoring_run_create, scoring_runs_reconcile

from .conftest import FIRMS


def test_a_queued_run_whose_message_was_lost_is_sent_again_and_computed(populated_batch):
    run = scoring_run_create(batch=populated_batch, enqueue=False)  # as if the broker lost the message
    ScoringRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert scoring_runs_reconcile() == [run.pk]  # eager Celery in tests: the resend computes it here
    run.refresh_from_db()
    assert run.state == RunState.COMPUTED
    assert Score.objects.filter(run=run).count() == FIRMS


def test_a_run_whose_worker_died_mid_run_is_taken_over(populated_batch):
    run = scoring_run_create(batch=populated_batch, enqueue=False)
    stale = timezone.now() - timedelta(minutes=30)
    ScoringRun.objects.filter(pk=run.pk).update(state=RunState.PERSISTING, heartbeat_at=stale, attempts=1)
    assert scoring_runs_reconcile() == [run.pk]
    run.refresh_from_db()
    assert (run.state, run.attempts) == (RunState.COMPUTED, 2)
    assert Score.objects.filter(run=run).count() == FIRMS


def test_fresh_and_finished_runs_are_left_alone(populated_batch):
    fresh = scoring_run_create(batch=populated_batch, enqueue=False)
    assert scoring_runs_reconcile() == []
    fresh.refresh_from_db()
    assert fresh.state == RunState.QUEUED
    ScoringRun.objects.filter(pk=fresh.pk).update(state=RunState.LOADING, heartbeat_at=timezone.now())
    assert scoring_runs_reconcile() == []
