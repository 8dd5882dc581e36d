"""Runs with a chosen system and trial runs: any valid system whose region fits; a trial is never published (so
never pushed); the start returns at once and a background thread scores on the embedded default; publishing states
how many filings still await review; a replaced run reads "已替代"."""

import threading

import pytest
from django.urls import reverse

from core.exceptions import ApplicationError
from enterprises.models import Submission
from scoring.models import IndicatorSystem, ScoringRun
from scoring.services import scoring_run_create, scoring_run_execute, scoring_run_publish
from scoring.tests.factories import IndicatorSystemFactory
from tests.factories import BureauStaffFactory

pytestmark = pytest.mark.django_db


def _v2():
    return IndicatorSystem.objects.get(code="national", version=2)


@pytest.fixture
def admin_client(client, db):
    client.force_login(BureauStaffFactory(region_scope="").user)
    return client


def _start(client, batch, **data):
    return client.post(reverse("scoring:run-start", args=[batch.pk]), data)


def test_a_trial_run_with_national_v2_is_computed_but_cannot_be_published(
    admin_client, populated_batch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _start(admin_client, populated_batch, system=_v2().pk, trial="1")
    run = ScoringRun.objects.get()
    assert (run.system, run.trial, run.state) == (_v2(), True, "computed")
    assert run.scores.count() == Submission.objects.filter(batch=populated_batch).count()
    page = admin_client.get(reverse("scoring:run-detail", args=[run.pk])).content.decode()
    assert "试算(不发布、不推送)" in page and "发布评分结果" not in page

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(reverse("scoring:run-publish", args=[run.pk]), follow=True)
    assert "试算任务只供比较,不能发布" in response.content.decode()
    assert callbacks == []  # no publication signal, so no push to any bank
    populated_batch.refresh_from_db()
    run.refresh_from_db()
    assert populated_batch.scoring.published_run_id is None and run.state == "computed"
    with pytest.raises(ApplicationError):
        scoring_run_publish(run=run)


def test_a_system_whose_region_does_not_cover_the_batch_is_refused(admin_client, populated_batch):
    local = IndicatorSystemFactory(code="gd", region_scope="44")  # a Guangdong system, the batch is national
    response = _start(admin_client, populated_batch, system=local.pk, trial="1")
    assert response.status_code == 302
    messages = [str(m) for m in admin_client.get(response.url).context["messages"]]
    assert any("gd-v" in m and "适用范围不包含该批次的区域" in m for m in messages)
    assert not ScoringRun.objects.exists()


def test_publishing_states_how_many_filings_await_review(admin_client, populated_batch):
    waiting = Submission.objects.filter(batch=populated_batch).order_by("pk")[:7].values_list("pk", flat=True)
    Submission.objects.filter(pk__in=list(waiting)).update(status="submitted")
    run = scoring_run_create(batch=populated_batch, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    page = admin_client.get(reverse("scoring:run-detail", args=[run.pk])).content.decode()
    confirm = page.split('id="run-publish" data-confirm="', 1)[1].split('"', 1)[0]
    assert "尚有 7 份填报待审核" in confirm and "发布不可撤回" in confirm


def test_a_replaced_run_reads_superseded_and_can_be_published_again(admin_client, populated_batch):
    first = scoring_run_create(batch=populated_batch, enqueue=False)
    scoring_run_execute(run_id=first.pk)
    scoring_run_publish(run=ScoringRun.objects.get(pk=first.pk))
    second = scoring_run_create(batch=populated_batch, enqueue=False, system=_v2())
    scoring_run_execute(run_id=second.pk)
    scoring_run_publish(run=ScoringRun.objects.get(pk=second.pk))
    first.refresh_from_db()
    assert first.superseded and first.state_label == "已替代"
    batch_page = admin_client.get(reverse("scoring:batch-detail", args=[populated_batch.pk])).content.decode()
    assert "已替代" in batch_page
    assert admin_client.get(reverse("scoring:run-progress", args=[first.pk])).json()["state_display"] == "已替代"

    scoring_run_publish(run=first)  # a rollback: published again, no longer superseded
    first.refresh_from_db()
    assert (first.state, first.superseded_at, first.state_label) == ("published", None, "已发布")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # like every transactional test here
def test_on_the_embedded_default_the_start_returns_before_a_background_thread_scores(
    client, populated_batch, settings, monkeypatch
):
    """Eager Celery would score inside the request: the run goes to a thread instead. The thread is held back until
    the response is in hand, which proves the request itself did not score; then it runs and the run completes."""
    settings.SCORING_RUN_IN_THREAD = True
    client.force_login(BureauStaffFactory(region_scope="").user)
    held: list[threading.Thread] = []
    start = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start", lambda thread: held.append(thread))

    response = _start(client, populated_batch, trial="1")
    run = ScoringRun.objects.get()
    assert response.url == reverse("scoring:run-detail", args=[run.pk])
    assert run.state == "queued" and not run.scores.exists()
    assert [thread.name for thread in held] == [f"scoring-run-{run.pk}"]
    page = client.get(response.url).content.decode()
    assert 'data-state="queued"' in page  # the page polls the progress while the run is active

    monkeypatch.setattr(threading.Thread, "start", start)
    held[0].start()
    held[0].join(timeout=60)
    progress = client.get(reverse("scoring:run-progress", args=[run.pk])).json()
    assert (progress["state"], progress["progress"]) == ("computed", 100)
