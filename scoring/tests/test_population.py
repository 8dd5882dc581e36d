"""Methodology §7, who is in a run's population: submitted and approved filings; drafts and returned ones are out."""

import numpy as np
import pytest

from enterprises.choices import SubmissionStatus
from enterprises.models import Submission
from scoring.engine import score
from scoring.selectors import population_load, system_definition

pytestmark = pytest.mark.django_db


def _percentiles(batch):
    population = population_load(batch=batch)
    result = score(population, system_definition(system=batch.scoring.system))
    return dict(zip(population.enterprise_id.tolist(), result.stage_percentile.tolist(), strict=True))


def test_a_returned_filing_is_not_scored_and_moves_no_ones_percentile(populated_batch):
    before = _percentiles(populated_batch)
    returned = Submission.objects.filter(batch=populated_batch, status=SubmissionStatus.APPROVED).order_by("-revenue")
    firm = returned.first()
    Submission.objects.filter(pk=firm.pk).update(status=SubmissionStatus.RETURNED)
    after = _percentiles(populated_batch)
    assert firm.enterprise_id in before and firm.enterprise_id not in after

    Submission.objects.filter(pk=firm.pk).update(revenue=firm.revenue * 1000, rd_expense=firm.rd_expense * 1000)
    assert _percentiles(populated_batch) == after  # its figures, however large, weigh on nobody


def test_drafts_are_out_and_submitted_filings_are_in(populated_batch):
    ids = Submission.objects.filter(batch=populated_batch).values_list("pk", flat=True)
    draft, submitted = ids[0], ids[1]
    Submission.objects.filter(pk=draft).update(status=SubmissionStatus.DRAFT)
    Submission.objects.filter(pk=submitted).update(status=SubmissionStatus.SUBMITTED)
    population = population_load(batch=populated_batch)
    enterprise = dict(Submission.objects.filter(pk__in=[draft, submitted]).values_list("pk", "enterprise_id"))
    assert enterprise[draft] not in population.enterprise_id and enterprise[submitted] in population.enterprise_id
    assert np.unique(population.enterprise_id).size == population.enterprise_id.size
