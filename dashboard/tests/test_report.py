"""The score report: published figures, peer percentiles, lift from the engine, reasons, products and §11 lines."""

import pytest
from django.urls import reverse
from django.utils import timezone

from banks.models import LoanProduct
from core.models import Bank, Branch
from dashboard.report import REASONS, published_score_history, score_report
from demo.services import demo_firms_create
from enterprises.models import Enterprise, EnterpriseMembership, Submission
from scoring.models import Score
from scoring.services import scoring_run_create, scoring_run_execute, scoring_run_publish
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
REPORT = reverse("report:page")


@pytest.fixture
def published(batch):
    demo_firms_create(firms=120, seed=5, batch=batch)
    run = scoring_run_create(batch=batch, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    scoring_run_publish(run=run)
    return run


@pytest.fixture
def scored_firm(published):
    """The lowest-scoring firm: it has the most to gain."""
    return Enterprise.objects.get(pk=Score.objects.filter(run=published).order_by("total").first().enterprise_id)


def test_the_report_explains_points_percentiles_and_lift(published, scored_firm):
    row = published_score_history(enterprise=scored_firm)[0]
    report = score_report(enterprise=scored_firm, run=published, score_row=row)
    assert len(report.indicators) == 18
    assert sum(line.points for line in report.indicators) == pytest.approx(row.base)
    assert sum(c["maximum"] for c in report.categories) == pytest.approx(100)
    assert all(0 < line.peer_percentile <= 1 for line in report.indicators)
    gains = [lift.gain for lift in report.lifts]
    assert gains and gains == sorted(gains, reverse=True)
    assert not report.stale


def test_every_reason_code_has_an_explanation_and_an_action(published):
    from scoring.engine.system import REASON_CODES

    assert set(REASONS) == set(REASON_CODES)
    row = Score.objects.filter(run=published).exclude(reasons="").first()
    report = score_report(enterprise=row.enterprise, run=published, score_row=row, with_peers=False)
    assert all(reason["action"] for reason in report.reasons)


def test_products_are_matched_by_grade_stage_section_and_branch_region(published):
    row = Score.objects.filter(run=published, eligible=True).select_related("enterprise").order_by("-total").first()
    firm = row.enterprise
    bank = Bank.objects.first()
    home = Branch.objects.create(bank=bank, name="本地分行", region_scope=firm.region_code[:2])
    other = "65" if firm.region_code[:2] != "65" else "64"
    away = Branch.objects.create(bank=bank, name="外省分行", region_scope=other)
    LoanProduct.objects.create(bank=bank, name="宽松产品", min_grade="E", max_amount=100)
    LoanProduct.objects.create(bank=bank, name="A级产品", min_grade="A", max_amount=100)
    LoanProduct.objects.create(bank=bank, name="其他门类", min_grade="E", max_amount=100, sections=["Z"])
    LoanProduct.objects.create(bank=bank, name="外省产品", min_grade="E", max_amount=100).branches.set([away])
    LoanProduct.objects.create(bank=bank, name="本地产品", min_grade="E", max_amount=100).branches.set([home])
    report = score_report(enterprise=firm, run=published, score_row=published_score_history(enterprise=firm)[0],
                          with_peers=False)  # fmt: skip
    names = {item.product.name for item in report.products}
    assert {"宽松产品", "本地产品"} <= names and not {"其他门类", "外省产品"} & names
    assert ("A级产品" in names) == (row.grade == "A")


def test_a_firm_that_is_not_recommendable_is_offered_no_product(published, scored_firm):
    row = published_score_history(enterprise=scored_firm)[0]
    bank = Bank.objects.first()
    Branch.objects.create(bank=bank, name="全国", region_scope="")
    LoanProduct.objects.create(bank=bank, name="宽松产品", min_grade="E", max_amount=100)
    assert not row.eligible
    assert score_report(enterprise=scored_firm, run=published, score_row=row, with_peers=False).products == []


def test_the_report_page_and_print_view_show_the_firms_own_score(client, published, scored_firm):
    user = UserFactory()
    EnterpriseMembership.objects.create(user=user, enterprise=scored_firm, role="admin")
    client.force_login(user)
    page = client.get(REPORT)
    assert page.status_code == 200
    html = page.content.decode()
    row = Score.objects.get(run=published, enterprise=scored_firm)
    assert str(row.total) in html and "怎样提分最多" in html and "echarts.min.js" in html
    assert page.context["charts"]["indicators"][0]["code"] == "T1"
    assert client.get(reverse("report:print")).status_code == 200


def test_a_firm_without_a_published_score_sees_an_explanation(firm_client):
    assert "暂无已发布的评分结果" in firm_client.get(REPORT).content.decode()


def test_the_report_is_stale_after_a_filing_changes(published, scored_firm):
    row = published_score_history(enterprise=scored_firm)[0]
    assert not score_report(enterprise=scored_firm, run=published, score_row=row).stale
    # Every writer of filings (form, API, import) stamps updated_at; the report's cache is keyed on it.
    Submission.objects.filter(enterprise=scored_firm).update(revenue=123456, updated_at=timezone.now())
    assert score_report(enterprise=scored_firm, run=published, score_row=row).stale
