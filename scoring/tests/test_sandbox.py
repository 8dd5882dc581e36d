"""The weight sandbox (``scoring.sandbox``): a draft previewed in memory gives exactly what a real run of the same
draft computes and stores, compared with the published run as the run comparison compares two stored runs — and the
preview writes nothing."""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from demo.services import weights_moved
from enterprises.models import Submission
from scoring.comparison import run_comparison
from scoring.indicator_systems import indicator_system_clone, indicator_system_definition
from scoring.models import IndicatorSystem, Score, ScoringRun
from scoring.sandbox import population_version, sandbox_preview
from scoring.services import scoring_run_create, scoring_run_execute
from tests.factories import BureauStaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_sandbox_cache")]


@pytest.fixture
def draft(db):
    """A local draft of national-v1 with 10 weight points moved from T1 to T2 in every stage."""
    admin = BureauStaffFactory(region_scope="", role="admin").user
    source = IndicatorSystem.objects.get(code="national", version=1)
    system = indicator_system_clone(source=source, code="sandbox", name="沙盒草稿", user=admin)
    weights_moved(system, source="T1", target="T2", points=10)
    return system


@pytest.mark.parametrize("region", ["", "44"])
def test_the_preview_equals_a_real_run_of_the_same_draft(published_run, draft, region):
    officer = BureauStaffFactory(region_scope=region).user
    definition = indicator_system_definition(draft)
    runs, scores = ScoringRun.objects.count(), Score.objects.count()
    preview = sandbox_preview(who=officer, batch=published_run.batch, system=draft, definition=definition)
    assert (ScoringRun.objects.count(), Score.objects.count()) == (runs, scores)  # nothing written

    real = scoring_run_create(batch=published_run.batch, system=draft, trial=True, enqueue=False)
    scoring_run_execute(run_id=real.pk)
    real = ScoringRun.objects.get(pk=real.pk)
    stored = run_comparison(who=officer, base=published_run, other=real)

    assert preview.comparison.counts == stored.counts
    if not region:  # the draft changes who is recommendable (in one province of 300 firms it may not)
        assert preview.comparison.counts["entered"] + preview.comparison.counts["left"] > 0
    assert preview.comparison.migration == stored.migration
    assert preview.comparison.shifts == stored.shifts
    assert set(preview.comparison.entered_ids.tolist()) == set(stored.entered_ids.tolist())
    assert set(preview.comparison.left_ids.tolist()) == set(stored.left_ids.tolist())
    assert preview.comparison.movers_up == stored.movers_up
    assert preview.comparison.movers_down == stored.movers_down
    assert preview.comparison.by_province == stored.by_province
    assert preview.comparison.by_section == stored.by_section
    for mine, theirs in zip(preview.comparison.indicators, stored.indicators, strict=True):
        assert mine["code"] == theirs["code"] and mine["mean_other"] == pytest.approx(theirs["mean_other"])

    # The funnel: the draft's side counts what the real run stored, in the officer's region.
    rows = Score.objects.filter(run=real).in_region(region)
    assert preview.draft.firms == rows.count()
    assert preview.draft.eligible == rows.filter(eligible=True).count()
    assert dict(preview.draft.by_grade) == {g: rows.filter(grade=g).count() for g in "ABCDE"}
    assert (
        preview.published.eligible == Score.objects.filter(run=published_run, eligible=True).in_region(region).count()
    )
    if not region:
        assert preview.draft.eligible == real.counts["eligible"]
        assert {row["key"]: row["firms"] for row in preview.draft.by_province} == real.counts["by_province"]


def test_a_second_preview_reuses_the_population_until_a_filing_changes(published_run, draft):
    officer = BureauStaffFactory(region_scope="").user
    definition = indicator_system_definition(draft)
    with CaptureQueriesContext(connection) as cold:
        first = sandbox_preview(who=officer, batch=published_run.batch, system=draft, definition=definition)
    with CaptureQueriesContext(connection) as warm:
        second = sandbox_preview(who=officer, batch=published_run.batch, system=draft, definition=definition)
    assert not first.cached and second.cached
    assert len(warm) < len(cold)  # neither the filings nor the published run's scores are read again
    assert second.draft == first.draft

    # A filing saved after the first preview (a correction) is a new data version: the next preview reloads.
    version = population_version(batch=published_run.batch)
    filing = Submission.objects.filter(batch=published_run.batch).order_by("pk").first()
    filing.invention_patents += 50
    filing.save()
    assert population_version(batch=published_run.batch) != version
    third = sandbox_preview(who=officer, batch=published_run.batch, system=draft, definition=definition)
    assert not third.cached


def test_a_batch_without_a_published_run_shows_the_draft_alone(populated_batch, draft):
    officer = BureauStaffFactory(region_scope="").user
    preview = sandbox_preview(who=officer, batch=populated_batch, system=draft,
                              definition=indicator_system_definition(draft))  # fmt: skip
    assert preview.published_run is None and preview.comparison is None and preview.published is None
    assert preview.draft.firms == Submission.objects.filter(batch=populated_batch).count()


def test_an_invalid_draft_is_refused_by_the_engine(published_run, draft):
    draft.indicators.filter(code="T2").update(weight_growth=F("weight_growth") + 7)  # the growth stage sums to 107
    definition = indicator_system_definition(draft)
    assert definition.validate()
    with pytest.raises(ValueError):
        sandbox_preview(who=BureauStaffFactory().user, batch=published_run.batch, system=draft, definition=definition)
