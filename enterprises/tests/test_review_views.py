"""Bureau review pages: the queue of the region, one filing beside last year's, approve, return, bulk approve."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enterprises.models import Submission
from enterprises.tests.factories import EnterpriseFactory, SubmissionFactory
from scoring.services import batch_create
from tests.factories import BureauStaffFactory

pytestmark = pytest.mark.django_db
QUEUE = reverse("review:queue")


def test_enterprise_users_get_404_on_review_pages(firm_client, batch, firm):
    submission = SubmissionFactory(enterprise=firm, batch=batch, status="submitted")
    assert firm_client.get(QUEUE).status_code == 404
    assert firm_client.get(reverse("review:detail", args=[submission.pk])).status_code == 404


def test_the_queue_lists_the_region_only_and_counts_per_status(reviewer_client, batch):
    SubmissionFactory(batch=batch, status="submitted", enterprise=EnterpriseFactory(name="广州甲公司"))
    SubmissionFactory(batch=batch, status="approved", enterprise=EnterpriseFactory(name="深圳乙公司"))
    SubmissionFactory(
        batch=batch, status="submitted", enterprise=EnterpriseFactory(name="南京丙公司", region_code="320102")
    )
    page = reviewer_client.get(QUEUE)
    html = page.content.decode()
    assert "广州甲公司" in html and "深圳乙公司" not in html and "南京丙公司" not in html
    assert page.context["counts"] == {"draft": 0, "submitted": 1, "returned": 0, "approved": 1}
    everything = reviewer_client.get(QUEUE, {"status": "", "q": "乙"}).content.decode()
    assert "深圳乙公司" in everything and "广州甲公司" not in everything


def test_the_queue_runs_the_same_number_of_queries_for_1_or_11_filings(reviewer_client, batch):
    SubmissionFactory(batch=batch, status="submitted")
    reviewer_client.get(QUEUE)  # warm the session and the content types
    with CaptureQueriesContext(connection) as one:
        reviewer_client.get(QUEUE)
    for _ in range(10):
        SubmissionFactory(batch=batch, status="submitted")
    with CaptureQueriesContext(connection) as many:
        reviewer_client.get(QUEUE)
    assert len(many) == len(one) <= 10


def test_a_filing_of_another_region_is_404(client, batch):
    submission = SubmissionFactory(batch=batch, status="submitted", enterprise=EnterpriseFactory(region_code="320102"))
    client.force_login(BureauStaffFactory(region_scope="44").user)
    assert client.get(reverse("review:detail", args=[submission.pk])).status_code == 404
    assert client.post(reverse("review:approve", args=[submission.pk])).status_code == 404
    assert Submission.objects.get().status == "submitted"


def test_the_detail_compares_with_last_year_and_flags_big_jumps(reviewer_client, batch, firm):
    last_year = batch_create(
        name="2023年度",
        year=2023,
        reference_date=date(2023, 12, 31),
        system=batch.scoring.system,
        opens_on=date(2024, 1, 1),
        closes_on=date(2024, 3, 31),
    )
    SubmissionFactory(enterprise=firm, batch=last_year, status="approved", rd_expense=100)
    current = SubmissionFactory(enterprise=firm, batch=batch, status="submitted", rd_expense=400)
    page = reviewer_client.get(reverse("review:detail", args=[current.pk]))
    rows = {row["name"]: row for row in page.context["rows"]}
    assert rows["rd_expense"]["jump"] and rows["rd_expense"]["change"] == pytest.approx(3.0)
    assert not rows["revenue"]["jump"]
    assert "变化较大" in page.content.decode()


def test_approve_and_return_from_the_page(reviewer_client, batch):
    first, second = (SubmissionFactory(batch=batch, status="submitted") for _ in range(2))
    assert reviewer_client.post(reverse("review:approve", args=[first.pk])).status_code == 302
    refused = reviewer_client.post(reverse("review:return", args=[second.pk]), {"comment": ""}, follow=True)
    assert "退回时必须填写审核意见" in refused.content.decode()
    reviewer_client.post(reverse("review:return", args=[second.pk]), {"comment": "请补充附件"})
    assert dict(Submission.objects.values_list("pk", "status")) == {first.pk: "approved", second.pk: "returned"}


def test_bulk_approve_from_the_queue(reviewer_client, batch):
    submissions = [SubmissionFactory(batch=batch, status="submitted") for _ in range(3)]
    response = reviewer_client.post(
        reverse("review:bulk-approve"), {"ids": [s.pk for s in submissions[:2]]}, follow=True
    )
    assert "已批量审核通过 2 份填报" in response.content.decode()
    assert sorted(Submission.objects.values_list("status", flat=True)) == ["approved", "approved", "submitted"]
