"""Bureau administrators manage batches in their own pages (create, edit, open and close filing); reviewers review
filings and read batches and runs, but manage nothing. Bad input names its field and saves nothing."""

from datetime import date

import pytest
from django.urls import reverse

from enterprises.models import Batch, Submission
from enterprises.tests.factories import EnterpriseFactory, SubmissionFactory
from scoring.models import IndicatorSystem, ScoringRun
from scoring.tests.factories import BatchFactory
from tests.factories import BureauStaffFactory

pytestmark = pytest.mark.django_db

FORM = {
    "name": "2025年度广东省创新积分", "year": "2025", "reference_date": "2025-12-31", "region_scope": "44",
    "opens_on": "2026-01-05", "closes_on": "2026-03-31", "notice_days": "5",
}  # fmt: skip


def _v2():
    return IndicatorSystem.objects.get(code="national", version=2)


@pytest.fixture
def admin_client(client):
    client.force_login(BureauStaffFactory(region_scope="44", role="admin").user)
    return client


@pytest.fixture
def reviewer_client(client):
    client.force_login(BureauStaffFactory(region_scope="44", role="reviewer").user)
    return client


def test_an_admin_creates_a_batch_in_its_region_with_a_chosen_system(admin_client):
    response = admin_client.post(reverse("scoring:batch-create"), {**FORM, "system": _v2().pk})
    batch = Batch.objects.get(name=FORM["name"])
    assert response.url == reverse("scoring:batch-detail", args=[batch.pk])
    assert (batch.year, batch.region_scope, batch.status, batch.notice_days) == (2025, "44", "draft", 5)
    assert (batch.reference_date, batch.closes_on) == (date(2025, 12, 31), date(2026, 3, 31))
    assert batch.scoring.system == _v2()
    page = admin_client.get(reverse("scoring:batch-detail", args=[batch.pk])).content.decode()
    assert "广东省" in page and "national-v2" in page and "未开放" in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"region_scope": "33"}, "region_scope", "区域范围须在本部门的管辖范围"),
        ({"region_scope": ""}, "region_scope", "区域范围须在本部门的管辖范围"),
        ({"closes_on": "2025-12-01"}, None, ""),
        ({"year": "1999"}, "year", ""),
        ({"name": ""}, "name", ""),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(admin_client, change, field, message):
    response = admin_client.post(reverse("scoring:batch-create"), {**FORM, "system": _v2().pk, **change})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors and (field is None or field in errors)
    if message:
        assert message in response.content.decode()
    assert not Batch.objects.filter(name=FORM["name"]).exists()


def test_a_system_of_another_region_cannot_score_the_batch(admin_client):
    zhejiang = IndicatorSystem.objects.create(code="zj", name="浙江省体系", region_scope="33", frozen=True,
                                              grade_bands={"A": 85, "B": 80, "C": 70, "D": 60})  # fmt: skip
    response = admin_client.post(reverse("scoring:batch-create"), {**FORM, "system": zhejiang.pk})
    assert response.status_code == 400 and "system" in response.context["form"].errors
    assert not Batch.objects.exists()


def test_an_admin_edits_opens_and_closes_filing(admin_client):
    batch = BatchFactory(region_scope="44", status="draft")
    edit = reverse("scoring:batch-edit", args=[batch.pk])
    assert admin_client.get(edit).status_code == 200
    admin_client.post(edit, {**FORM, "name": "改名后的批次", "notice_days": "7", "system": _v2().pk})
    batch.refresh_from_db()
    assert (batch.name, batch.notice_days, batch.scoring.system) == ("改名后的批次", 7, _v2())

    admin_client.post(reverse("scoring:batch-open", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "open"
    response = admin_client.post(reverse("scoring:batch-open", args=[batch.pk]), follow=True)
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"  # already open
    admin_client.post(reverse("scoring:batch-close", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "closed"


def test_an_admin_cannot_manage_a_national_batch_it_only_sees(admin_client):
    national = BatchFactory(region_scope="", status="draft")
    assert admin_client.get(reverse("scoring:batch-detail", args=[national.pk])).status_code == 200
    for name in ("scoring:batch-open", "scoring:batch-close", "scoring:run-start"):
        assert admin_client.post(reverse(name, args=[national.pk])).status_code == 404
    assert admin_client.get(reverse("scoring:batch-edit", args=[national.pk])).status_code == 404


def test_a_reviewer_reviews_but_manages_no_batch_or_run(reviewer_client):
    batch = BatchFactory(region_scope="44", status="open")
    filing = SubmissionFactory(batch=batch, enterprise=EnterpriseFactory(region_code="440305"), status="submitted")
    assert reviewer_client.get(reverse("scoring:batch-list")).status_code == 200
    page = reviewer_client.get(reverse("scoring:batch-detail", args=[batch.pk]))
    assert page.status_code == 200 and not page.context["can_manage"]
    assert "启动评分" not in page.content.decode() and "编辑批次" not in page.content.decode()
    assert "新建批次" not in reviewer_client.get(reverse("scoring:batch-list")).content.decode()
    assert reviewer_client.get(reverse("scoring:batch-create")).status_code == 404
    assert reviewer_client.post(reverse("scoring:batch-create"), {**FORM, "system": _v2().pk}).status_code == 404
    assert reviewer_client.get(reverse("scoring:batch-edit", args=[batch.pk])).status_code == 404
    for name in ("scoring:batch-close", "scoring:run-start"):
        assert reviewer_client.post(reverse(name, args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == "open" and not ScoringRun.objects.exists()

    reviewer_client.post(reverse("review:approve", args=[filing.pk]))
    assert Submission.objects.get(pk=filing.pk).status == "approved"  # reviewing is the reviewer's job
