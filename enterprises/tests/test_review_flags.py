"""Review that helps the reviewer: plausibility flags (growth above 10x, against last year's filing, R&D staff above
employees, R&D above revenue, R&D intensity outside the section's peer range), a filter by flag, and "approve all
that match this filter" with its count stated before the reviewer confirms."""

from datetime import date

import pytest
from django.urls import reverse

from enterprises.models import Submission
from enterprises.tests.factories import EnterpriseFactory, SubmissionFactory
from scoring.tests.factories import BatchFactory
from tests.factories import BureauStaffFactory

pytestmark = pytest.mark.django_db
QUEUE = reverse("review:queue")


@pytest.fixture
def world(db):
    """40 plausible filings of section I in a Guangdong batch, and one filing per flag (each raising only it)."""
    last_year = BatchFactory(name="2023年度", year=2023, reference_date=date(2023, 12, 31), status="closed")
    batch = BatchFactory(name="2024年度", year=2024, region_scope="44")
    for i in range(40):
        SubmissionFactory(batch=batch, status="submitted", enterprise=EnterpriseFactory(region_code="440305"),
                          revenue=5000 + 10 * i, rd_expense=400 + i)  # fmt: skip

    def filing(name, **values):
        firm = EnterpriseFactory(region_code="440305", name=name)
        return SubmissionFactory(batch=batch, status="submitted", enterprise=firm, **values)

    flagged = {
        "growth": filing("增长异常", revenue=5000, revenue_prev=400, rd_expense=400),
        "rd_staff": filing("人员异常", employees=10, rd_staff=12),
        "rd_over_revenue": filing("研发异常", revenue=300, revenue_prev=280, rd_expense=400, rd_expense_prev=380),
        "peer_range": filing("强度异常", revenue=5000, rd_expense=4500, rd_expense_prev=4000),
    }
    returning = EnterpriseFactory(region_code="440305", name="上年异常")
    SubmissionFactory(batch=last_year, status="approved", enterprise=returning, revenue=300, revenue_prev=280,
                      rd_expense=24, rd_expense_prev=20)  # fmt: skip
    flagged["last_year"] = SubmissionFactory(batch=batch, status="submitted", enterprise=returning)
    return batch, flagged


@pytest.fixture
def reviewer_client(client):
    client.force_login(BureauStaffFactory(region_scope="44", role="reviewer").user)
    return client


def _listed(client, **params):
    page = client.get(QUEUE, params).context["page"]
    return {row.pk for row in page.object_list}


def test_each_flag_selects_exactly_its_filing(reviewer_client, world):
    batch, flagged = world
    also = {"peer_range": {flagged["rd_over_revenue"].pk}}  # R&D above revenue is far outside the peers' intensity
    for code, submission in flagged.items():
        assert _listed(reviewer_client, batch=batch.pk, flag=code) == {submission.pk, *also.get(code, ())}, code
    assert _listed(reviewer_client, batch=batch.pk, flag="any") == {s.pk for s in flagged.values()}
    assert len(_listed(reviewer_client, batch=batch.pk)) == 45  # no flag filter: every filing


def test_the_queue_and_the_filing_page_name_the_flags(reviewer_client, world):
    batch, flagged = world
    html = reviewer_client.get(QUEUE, {"batch": batch.pk, "flag": "any"}).content.decode()
    for label in ("增长超过10倍", "研发人员多于从业人员", "研发费用高于营业收入", "研发投入强度超出同行范围",
                  "与上年填报相差超过10倍"):  # fmt: skip
        assert label in html
    page = reviewer_client.get(reverse("review:detail", args=[flagged["rd_staff"].pk])).content.decode()
    assert 'id="review-flags"' in page and "研发人员数大于从业人员数" in page and "增长超过10倍" not in page
    plain = Submission.objects.filter(batch=batch).exclude(pk__in=[s.pk for s in flagged.values()]).first()
    assert 'id="review-flags"' not in reviewer_client.get(reverse("review:detail", args=[plain.pk])).content.decode()


def test_approve_all_that_match_states_the_count_and_approves_only_those(reviewer_client, world):
    batch, flagged = world
    page = reviewer_client.get(QUEUE, {"batch": batch.pk, "q": "异常"}).content.decode()
    confirm = page.split('id="approve-matching" data-confirm="', 1)[1].split('"', 1)[0]
    assert "全部 5 份待审核填报" in confirm
    response = reviewer_client.post(
        reverse("review:approve-matching"), {"batch": batch.pk, "status": "submitted", "q": "异常", "flag": "growth"}
    )
    assert response.status_code == 302 and "flag=growth" in response.url
    approved = set(Submission.objects.filter(status="approved", batch=batch).values_list("pk", flat=True))
    assert approved == {flagged["growth"].pk}
    assert Submission.objects.filter(batch=batch, status="submitted").count() == 44


def test_approve_matching_stays_inside_the_reviewers_region(client, world):
    batch, flagged = world
    client.force_login(BureauStaffFactory(region_scope="33").user)  # Zhejiang: none of these firms
    client.post(reverse("review:approve-matching"), {"status": "submitted"})
    assert not Submission.objects.filter(batch=batch, status="approved").exists()
