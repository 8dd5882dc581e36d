"""The push through the broker: publishing a run makes a real Celery worker fan out one task per bank.

Needs CELERY_BROKER_URL and PostgreSQL, like tests/test_celery_worker.py (whose worker fixtures it uses); skipped
without them except in CI.
"""

import time

import pytest

from banks.models import Recommendation, RecommendationList
from banks.tasks import push_bank_recommendations_task
from banks.tests.fixtures import officer_of
from demo.services import demo_firms_create
from scoring.services import scoring_run_create, scoring_run_execute, scoring_run_publish
from tests import test_celery_worker as worker_fixtures

# The real-worker fixtures of tests/test_celery_worker.py, made available to this module's tests.
broker_url, worker, through_the_broker = (
    worker_fixtures.broker_url,
    worker_fixtures.worker,
    worker_fixtures.through_the_broker,
)
pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
DEADLINE_SECONDS = 60


def computed_run(batch):
    run = scoring_run_create(batch=batch, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


def wait_for(condition, worker):
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline and worker.poll() is None:
        if condition():
            return True
        time.sleep(0.25)
    return condition()


def test_publishing_pushes_every_bank_through_a_real_worker_idempotently_and_superseding(
    worker, through_the_broker, batch, icbc, cmb
):
    officer = officer_of(icbc, "icbc-worker-test")
    demo_firms_create(firms=300, seed=5, batch=batch)
    first = scoring_run_publish(run=computed_run(batch))  # on commit: push_recommendations_task → 2 bank tasks

    assert wait_for(lambda: RecommendationList.objects.filter(run=first).count() == 2, worker), "push not done"
    assert worker.poll() is None, "the worker exited"
    sizes = dict(RecommendationList.objects.filter(run=first).values_list("bank__code", "size"))
    assert sizes["icbc"] == Recommendation.objects.filter(run=first, bank=icbc).count() > 0
    assert sizes["cmb"] == Recommendation.objects.filter(run=first, bank=cmb).count() > 0
    assert all(
        code[:2] == "44" for code in Recommendation.objects.filter(bank=cmb).values_list("region_code", flat=True)
    )

    # A duplicate delivery of the same bank's task writes nothing new.
    push_bank_recommendations_task.delay(first.pk, icbc.pk)
    rec = Recommendation.objects.filter(run=first, bank=icbc).order_by("list_rank").first()
    Recommendation.objects.filter(pk=rec.pk).update(status="contacted", officer=officer, notes="跟进中")

    second = scoring_run_publish(run=computed_run(batch))
    assert wait_for(lambda: RecommendationList.objects.filter(run=second).count() == 2, worker), "second push"
    assert Recommendation.objects.filter(run=first, bank=icbc).count() == sizes["icbc"]  # no duplicates
    assert not Recommendation.objects.filter(run=first, superseded=False).exists()
    moved = Recommendation.objects.get(run=second, bank=icbc, enterprise_id=rec.enterprise_id)
    assert (moved.status, moved.officer_id, moved.notes) == ("contacted", officer.pk, "跟进中")
