"""``EngineInput``, the trigger-kept table a run loads from on PostgreSQL, agrees with the filings joined to their
firms (the read other databases use) after every kind of write: filings created, corrected, returned, deleted,
inserted in bulk, and firms moved to another region, industry or establishment date."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection
from django.db.models import F

from core.db.copy import queryset_to_arrays
from enterprises.choices import SubmissionStatus
from enterprises.models import Enterprise, Submission
from scoring.models import EngineInput
from scoring.selectors import POPULATION_COLUMNS, population_load, population_queryset
from scoring.services import batch_create

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's"),
]


def assert_loads_as_the_filings(batch):
    loaded = population_load(batch=batch)
    joined = queryset_to_arrays(population_queryset(batch=batch), POPULATION_COLUMNS)
    order = np.argsort(joined["enterprise_id"])
    assert np.array_equal(np.sort(loaded.enterprise_id), joined["enterprise_id"][order])
    mine = np.argsort(loaded.enterprise_id)
    expected = {name: joined[name][order] for name in POPULATION_COLUMNS}
    assert np.array_equal(loaded.section[mine], (expected["section_ascii"] - ord("A")).astype(np.uint8))
    assert np.array_equal(loaded.region[mine], expected["region"])
    assert np.array_equal(loaded.established[mine].astype(np.int64), expected["established_day"])
    assert np.array_equal(loaded.approved[mine], expected["is_approved"])
    for name, values in loaded.values.items():
        assert np.array_equal(values[mine], expected[name]), name
    for name, values in loaded.flags.items():
        assert np.array_equal(values[mine], expected[name]), name
    return loaded


def test_every_filing_has_its_row_from_the_start(populated_batch):
    loaded = assert_loads_as_the_filings(populated_batch)
    assert loaded.n == Submission.objects.filter(batch=populated_batch).count() > 0
    assert EngineInput.objects.count() == Submission.objects.count()


def test_corrected_returned_and_deleted_filings(populated_batch):
    filings = list(Submission.objects.filter(batch=populated_batch).order_by("pk")[:4])
    corrected, returned, deleted, resubmitted = filings
    corrected.revenue = Decimal("123456.78")
    corrected.net_profit = Decimal("-0.05")
    corrected.invention_patents = 41
    corrected.is_little_giant = not corrected.is_little_giant
    corrected.save()
    Submission.objects.filter(pk=returned.pk).update(status=SubmissionStatus.RETURNED)
    deleted.delete()
    Submission.objects.filter(pk=resubmitted.pk).update(
        status=SubmissionStatus.SUBMITTED, rd_expense=F("rd_expense") + Decimal("0.01")
    )
    loaded = assert_loads_as_the_filings(populated_batch)
    assert deleted.enterprise_id not in loaded.enterprise_id and returned.enterprise_id not in loaded.enterprise_id
    at = int(np.flatnonzero(loaded.enterprise_id == corrected.enterprise_id)[0])
    assert loaded.values["revenue"][at] == 123456.78 and loaded.values["net_profit"][at] == -0.05
    assert not EngineInput.objects.filter(submission_id=deleted.pk).exists()


def test_a_firm_that_moves_or_changes_industry(populated_batch):
    firms = list(Enterprise.objects.filter(submissions__batch=populated_batch).order_by("pk")[:3])
    Enterprise.objects.filter(pk=firms[0].pk).update(region_code="650102")
    Enterprise.objects.filter(pk=firms[1].pk).update(industry_code="M7320")
    firms[2].established = dt.date(2023, 6, 30)
    firms[2].save()
    loaded = assert_loads_as_the_filings(populated_batch)
    at = {int(e): i for i, e in enumerate(loaded.enterprise_id)}
    assert loaded.region[at[firms[0].pk]] == 650102 and loaded.province[at[firms[0].pk]] == 65
    assert loaded.section[at[firms[1].pk]] == ord("M") - ord("A")


def test_filings_inserted_in_bulk(populated_batch):
    other = batch_create(
        name="2025年度", year=2025, reference_date=dt.date(2025, 12, 31), system=populated_batch.scoring.system,
        opens_on=dt.date(2026, 1, 1), closes_on=dt.date(2026, 3, 31), status="open",
    )  # fmt: skip
    copies = [
        Submission(**{**{f.attname: getattr(s, f.attname) for f in Submission._meta.concrete_fields}, "id": None,
                      "batch_id": other.pk})
        for s in Submission.objects.filter(batch=populated_batch)[:50]
    ]  # fmt: skip
    Submission.objects.bulk_create(copies)
    assert assert_loads_as_the_filings(other).n == 50
