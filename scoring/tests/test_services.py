"""Scoring runs as a state machine: create, execute, cancel, publish; what a run stores."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import Bank
from enterprises.models import Consent, Submission
from scoring.choices import RunState
from scoring.engine import score
from scoring.models import Score, ScoringRun
from scoring.selectors import population_load, system_definition
from scoring.services import (
    RUN_STALE_AFTER,
    scoring_run_cancel,
    scoring_run_create,
    scoring_run_execute,
    scoring_run_publish,
)

from .conftest import FIRMS


def computed_run(batch):
    run = scoring_run_create(batch=batch, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


def test_create_freezes_the_system_and_records_its_hash_and_layout(populated_batch):
    system = populated_batch.scoring.system
    system.frozen = False
    system.save()
    run = scoring_run_create(batch=populated_batch, enqueue=False)
    system.refresh_from_db()
    definition = system_definition(system=system)
    assert system.frozen
    assert run.state == RunState.QUEUED
    assert run.system_hash == system.content_hash == definition.content_hash()
    assert run.indicator_codes == list(definition.indicator_codes)
    assert run.categories == list(definition.categories)


def test_create_enqueues_the_task_on_commit_and_the_eager_task_computes_the_run(
    populated_batch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = scoring_run_create(batch=populated_batch)
        assert ScoringRun.objects.get(pk=run.pk).state == RunState.QUEUED  # nothing runs before the commit
    assert callbacks[0].__qualname__.startswith("scoring_run_create")  # the enqueue; persisting may add ANALYZE
    run.refresh_from_db()
    assert run.state == RunState.COMPUTED
    assert Score.objects.filter(run=run).count() == FIRMS


def test_create_refuses_a_second_active_run_of_the_batch(populated_batch):
    scoring_run_create(batch=populated_batch, enqueue=False)
    with pytest.raises(ApplicationError):
        scoring_run_create(batch=populated_batch, enqueue=False)


def test_create_refuses_a_batch_without_scorable_filings(batch):
    with pytest.raises(ApplicationError):
        scoring_run_create(batch=batch, enqueue=False)


def test_a_run_goes_through_its_phases_and_records_timings_counts_and_digest(populated_batch):
    run = computed_run(populated_batch)
    assert run.state == RunState.COMPUTED
    assert run.progress == 100
    assert run.attempts == 1
    assert run.enterprise_count == FIRMS
    assert run.error == ""
    assert run.started_at <= run.heartbeat_at and run.finished_at is not None
    assert {"load", "score", "persist", "total"} <= set(run.timings)
    assert len(run.input_digest) == 64
    counts = run.counts
    assert counts["enterprises"] == FIRMS
    for key in ("by_grade", "by_stage", "by_province"):
        assert sum(counts[key].values()) == FIRMS
    scores = Score.objects.filter(run=run)
    assert counts["eligible"] == scores.filter(eligible=True).count()
    assert counts["by_stage"]["growth"] == scores.filter(stage="growth").count()
    assert counts["by_grade"]["E"] == scores.filter(grade="E").count()


def test_stored_scores_are_exactly_the_engine_result(populated_batch):
    run = computed_run(populated_batch)
    population = population_load(batch=populated_batch)
    result = score(population, system_definition(system=run.system))
    stored = {s.enterprise_id: s for s in Score.objects.filter(run=run)}
    assert sorted(stored) == sorted(result.enterprise_id.tolist())
    reasons = result.reason_strings()
    for i, enterprise_id in enumerate(result.enterprise_id.tolist()):
        row = stored[enterprise_id]
        assert row.points == result.points[i].tolist()
        assert row.normalised == result.s[i].tolist()
        assert row.subtotals == result.category_points[i].tolist()
        assert (row.base, row.bonus) == (result.base[i], result.bonus[i])
        assert f"{row.total:.2f}" == f"{result.total_rounded[i]:.2f}"
        assert row.stage == result.stage_labels()[i]
        assert row.grade == result.grade_strings()[i]
        assert (row.rank_national, row.rank_province, row.rank_industry) == (
            result.rank_national[i], result.rank_province[i], result.rank_industry[i]
        )  # fmt: skip
        assert row.stage_percentile == result.stage_percentile[i]
        assert row.peer_level == result.peer_level[i]
        assert (row.eligible, row.reasons) == (bool(result.eligible[i]), reasons[i])


def test_drafts_are_not_scored_and_unapproved_filings_are_scored_but_not_eligible(populated_batch):
    filings = list(Submission.objects.filter(batch=populated_batch).order_by("pk")[:3])
    Submission.objects.filter(pk=filings[0].pk).update(status="draft")
    Submission.objects.filter(pk=filings[1].pk).update(status="submitted")
    run = computed_run(populated_batch)
    assert run.enterprise_count == FIRMS - 1
    assert not Score.objects.filter(run=run, enterprise_id=filings[0].enterprise_id).exists()
    pending = Score.objects.get(run=run, enterprise_id=filings[1].enterprise_id)
    assert "not_approved" in pending.reason_codes and not pending.eligible
    approved = Score.objects.get(run=run, enterprise_id=filings[2].enterprise_id)
    assert "not_approved" not in approved.reason_codes


def test_consent_is_any_active_consent_blanket_or_naming_a_bank(populated_batch):
    firms = [s.enterprise_id for s in Submission.objects.filter(batch=populated_batch).order_by("pk")[:5]]
    Consent.objects.filter(enterprise_id__in=firms).delete()
    now = timezone.now()
    bank = Bank.objects.first()  # seeded national banks
    Consent.objects.create(enterprise_id=firms[0])  # blanket
    Consent.objects.create(enterprise_id=firms[1], bank=bank)  # one bank
    Consent.objects.create(enterprise_id=firms[2], revoked_at=now)
    Consent.objects.create(enterprise_id=firms[3], granted_at=now - timedelta(days=400), expires_at=now - timedelta(1))
    run = computed_run(populated_batch)
    no_consent = {firm: "no_consent" in Score.objects.get(run=run, enterprise_id=firm).reason_codes for firm in firms}
    assert no_consent == {firms[0]: False, firms[1]: False, firms[2]: True, firms[3]: True, firms[4]: True}


def test_a_cancelled_queued_run_is_never_computed(populated_batch):
    run = scoring_run_create(batch=populated_batch, enqueue=False)
    scoring_run_cancel(run=run)
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.state == RunState.CANCELLED
    assert not Score.objects.filter(run=run).exists()


def test_only_unfinished_runs_can_be_cancelled(populated_batch):
    run = computed_run(populated_batch)
    with pytest.raises(ApplicationError):
        scoring_run_cancel(run=run)


def test_a_run_whose_worker_died_is_taken_over_once_its_heartbeat_is_stale(populated_batch):
    run = scoring_run_create(batch=populated_batch, enqueue=False)
    recent = timezone.now() - timedelta(seconds=5)
    ScoringRun.objects.filter(pk=run.pk).update(state=RunState.SCORING, attempts=1, heartbeat_at=recent)
    scoring_run_execute(run_id=run.pk)  # a live worker may still be on it: leave it alone
    run.refresh_from_db()
    assert (run.state, run.attempts) == (RunState.SCORING, 1)

    stale = timezone.now() - RUN_STALE_AFTER - timedelta(seconds=1)
    ScoringRun.objects.filter(pk=run.pk).update(heartbeat_at=stale)
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert (run.state, run.attempts) == (RunState.COMPUTED, 2)
    assert Score.objects.filter(run=run).count() == FIRMS


def test_a_run_fails_with_the_error_when_its_system_changed_since_creation(populated_batch):
    run = scoring_run_create(batch=populated_batch, enqueue=False)
    ScoringRun.objects.filter(pk=run.pk).update(system_hash="0" * 64)
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.state == RunState.FAILED
    assert "indicator system changed" in run.error
    assert run.finished_at is not None
    assert not Score.objects.filter(run=run).exists()


def test_publish_switches_the_batch_and_returns_the_previous_run_to_computed(populated_batch, django_user_model):
    user = django_user_model.objects.create(username="publisher")
    first = computed_run(populated_batch)
    scoring_run_publish(run=first, user=user)
    second = computed_run(populated_batch)
    scoring_run_publish(run=second)
    populated_batch.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert populated_batch.scoring.published_run_id == second.pk
    assert (first.state, first.published_at, first.published_by) == (RunState.COMPUTED, None, user)
    assert second.state == RunState.PUBLISHED and second.published_at is not None
    assert "publish" in second.timings
    assert Score.objects.filter(run=first).count() == FIRMS  # kept, for comparison and rollback


@pytest.mark.parametrize("state", [RunState.QUEUED, RunState.SCORING, RunState.FAILED, RunState.CANCELLED])
def test_only_a_computed_run_can_be_published(populated_batch, state):
    run = scoring_run_create(batch=populated_batch, enqueue=False)
    ScoringRun.objects.filter(pk=run.pk).update(state=state)
    with pytest.raises(ApplicationError):
        scoring_run_publish(run=run)
    populated_batch.refresh_from_db()
    assert populated_batch.scoring.published_run_id is None


def test_population_load_reads_what_the_filings_say(populated_batch):
    population = population_load(batch=populated_batch, with_codes=True)
    filing = Submission.objects.select_related("enterprise").filter(batch=populated_batch).order_by("?").first()
    i = int(np.flatnonzero(population.enterprise_id == filing.enterprise_id)[0])
    assert population.values["revenue"][i] == float(filing.revenue)
    assert population.values["net_profit"][i] == float(filing.net_profit)
    assert population.values["employees"][i] == filing.employees
    assert population.flags["is_tech_sme"][i] == filing.is_tech_sme
    assert population.established[i] == np.datetime64(filing.enterprise.established, "D")
    assert population.province[i] == int(filing.enterprise.region_code[:2])
    assert population.industry_code[i] == filing.enterprise.industry_code
    assert population.region_code[i] == filing.enterprise.region_code
    assert "ABCDEFGHIJKLMNOPQRST"[population.section[i]] == filing.enterprise.industry_code[0]
