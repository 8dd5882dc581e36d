"""The score report: published figures, the peer percentiles and advice the run stored, grade bands, notices true
for this firm, reasons, products ranked by the push's rule and their §11 lines."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from banks.models import LoanProduct
from core.models import Bank, Branch
from dashboard.report import REASONS, published_score_history, score_report
from demo.services import demo_firms_create
from enterprises.models import Consent, Enterprise, EnterpriseMembership, Submission
from scoring.definitions import system_grade_ranges
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
    assert 'id="grade-bands"' in html and "推荐门槛" in html and 'id="products-why"' in html
    assert page.context["charts"]["indicators"][0]["code"] == "T1"
    assert client.get(reverse("report:print")).status_code == 200


def test_a_firm_without_a_published_score_sees_an_explanation(firm_client):
    assert "暂无已发布的评分结果" in firm_client.get(REPORT).content.decode()


def _report(firm):
    row = published_score_history(enterprise=firm)[0]
    return score_report(enterprise=firm, run=row.run, score_row=row)


def _figures(report):
    return [line.peer_percentile for line in report.indicators], [
        (lift.code, lift.target, lift.gain) for lift in report.lifts
    ]


def test_the_report_is_stale_only_when_this_firms_own_scored_data_changed(published, scored_firm):
    before = _report(scored_firm)
    assert not before.stale and before.notices == []
    # Every other firm changes its filing: the report says nothing, and shows exactly what the run published.
    others = Submission.objects.filter(batch=published.batch).exclude(enterprise=scored_firm)
    others.update(revenue=123456, rd_expense=999, updated_at=timezone.now())
    after_others = _report(scored_firm)
    assert not after_others.stale and after_others.notices == []
    assert _figures(after_others) == _figures(before)
    # A save of this firm that changes nothing the engine reads is no change either.
    Submission.objects.filter(enterprise=scored_firm).update(financing_amount=321, updated_at=timezone.now())
    assert not _report(scored_firm).stale
    Submission.objects.filter(enterprise=scored_firm).update(invention_patents=77, updated_at=timezone.now())
    changed = _report(scored_firm)
    assert changed.stale and len(changed.notices) == 1 and "变动" in changed.notices[0]
    assert _figures(changed) == _figures(before)  # still the published run's figures


def test_the_report_page_never_reads_the_batch_and_reads_the_figures_with_the_score(client, published, scored_firm):
    user = UserFactory()
    EnterpriseMembership.objects.create(user=user, enterprise=scored_firm, role="admin")
    client.force_login(user)
    client.get(REPORT)  # warm per-process caches (labels, system definitions)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(REPORT).status_code == 200
    submission_reads = [q["sql"] for q in queries if re.search(r'FROM "enterprises_submission"', q["sql"])]
    assert submission_reads and all(str(scored_firm.pk) in sql for sql in submission_reads)
    score_reads = [q["sql"] for q in queries if re.search(r'FROM "scoring_score"', q["sql"])]
    assert len(score_reads) == 1 and str(scored_firm.pk) in score_reads[0]


def test_the_advice_is_the_next_step_in_the_fields_unit_at_most_five_best_first(published):
    checked = 0
    for row in Score.objects.filter(run=published).select_related("enterprise")[:40]:
        report = score_report(enterprise=row.enterprise, run=published, score_row=row)
        gains = [lift.gain for lift in report.lifts]
        assert len(gains) <= 5 and gains == sorted(gains, reverse=True) and all(g > 0 for g in gains)
        for lift in report.lifts:
            assert re.search(r"(万元|%|项|人|级|是|资质|企业|“小巨人”)$", lift.target), lift
            assert lift.change.startswith("+") or lift.change.startswith("从"), lift
            if lift.code in ("T3", "T4", "G3", "G5", "T2", "G1"):  # ratios and growth rates: percentages
                assert lift.target.endswith("%") and "个百分点" in lift.change
                assert float(lift.target.rstrip("%").replace(",", "")) > 0.5 or lift.code in ("T2", "G1")
            checked += 1
        # The stored advice is what the run computed: a gain never exceeds what the indicator can still give.
        for lift in report.lifts:
            j = published.indicator_codes.index(lift.code)
            line = report.indicators[j]
            assert lift.gain <= line.maximum - line.points + 1e-9
    assert checked > 20


def test_grade_bands_come_from_the_runs_system_with_the_gap_to_the_next_grade_and_to_70(published):
    rows = {row.grade: row for row in Score.objects.filter(run=published).select_related("enterprise")}
    ranges = system_grade_ranges(published.system)
    assert [band[0] for band in ranges] == ["A", "B", "C", "D", "E"]
    for grade, row in rows.items():
        standing = score_report(enterprise=row.enterprise, run=published, score_row=row).standing
        assert [(b.grade, b.low, b.high) for b in standing.bands] == list(ranges)
        assert [b.grade for b in standing.bands if b.current] == [grade]
        if grade == "A":
            assert standing.next_grade is None
        else:
            better = ranges[[r[0] for r in ranges].index(grade) - 1]
            assert standing.next_grade == better[0]
            assert standing.to_next_grade == Decimal(str(better[1])) - row.total
        assert standing.threshold == Decimal("70")
        assert standing.to_threshold == max(Decimal("70") - row.total, Decimal(0))


def test_a_consent_given_after_the_run_is_announced_for_the_next_run(published):
    row = Score.objects.filter(run=published, reasons__contains="no_consent").select_related("enterprise").first()
    assert row is not None
    assert _report(row.enterprise).notices == []
    Consent.objects.create(enterprise=row.enterprise)
    report = _report(row.enterprise)
    assert len(report.notices) == 1 and "下一次评分" in report.notices[0]
    (consent,) = [r for r in report.reasons if r["code"] == "no_consent"]
    assert "已在评分后授权" in str(consent["action"])


def test_products_are_ranked_by_line_limited_to_consented_banks_and_never_zero(published):
    row = Score.objects.filter(run=published, eligible=True).select_related("enterprise").order_by("-total").first()
    firm = row.enterprise
    bank, other_bank = Bank.objects.all()[:2]
    for b in (bank, other_bank):
        Branch.objects.create(bank=b, name="全国", region_scope="")
    LoanProduct.objects.create(bank=bank, name="小额", min_grade="E", max_amount=1, rate_spread_bp=50)
    LoanProduct.objects.create(bank=bank, name="大额", min_grade="E", max_amount=50, rate_spread_bp=90)
    LoanProduct.objects.create(bank=bank, name="零额", min_grade="E", max_amount=100,
                               line_by_grade=dict.fromkeys("ABCDE", 0))  # fmt: skip
    LoanProduct.objects.create(bank=other_bank, name="他行", min_grade="E", max_amount=80)
    Consent.objects.filter(enterprise=firm).delete()
    Consent.objects.create(enterprise=firm, bank=bank)
    report = _report(firm)
    assert [item.product.name for item in report.products] == ["大额", "小额"]
    assert report.products_zero_line == 1 and report.products_fitting == 3
    assert report.products[0].rate_ceiling == Decimal("3.90")
    Consent.objects.create(enterprise=firm)  # a blanket consent: every bank
    assert [item.product.name for item in _report(firm).products] == ["他行", "大额", "小额"]


def test_a_run_older_than_the_stored_figures_still_reads(client, published, scored_firm):
    from scoring.models import RunPeerDistribution

    Score.objects.filter(run=published).update(figures=None, input_hash=None)
    RunPeerDistribution.objects.filter(run=published).delete()
    report = _report(scored_firm)
    assert not report.figures_stored and report.lifts == [] and not report.stale
    assert all(line.peer_percentile is None for line in report.indicators)
    user = UserFactory()
    EnterpriseMembership.objects.create(user=user, enterprise=scored_firm, role="admin")
    client.force_login(user)
    assert "下一次评分后显示" in client.get(REPORT).content.decode()
    page = client.get(reverse("report:self-assessment"))
    data = {name: str(value) for name, value in page.context["form"].initial.items()
            if not isinstance(value, bool) and value is not None}  # fmt: skip
    assert "下一次评分后可用" in client.post(reverse("report:self-assessment"), data).content.decode()


@pytest.mark.django_db
def test_a_percentile_step_names_the_percentile_the_firm_reaches_not_the_nominal_quartile():
    # A firm with no venture capital (s = 0) when most peers have none: the smallest positive value passes p25 and
    # puts it at p87 — the step says 87%, as the indicator table's peer percentile would afterwards.
    from dashboard.report import _step
    from scoring.models import Indicator

    a2 = Indicator.objects.get(system__code="national", system__version=1, code="A2")
    assert "87%" in _step(a2, 92.27, 0.0, 0.874)
    assert "50%" in _step(a2, 10.0, 0.3, 0.2)
    assert "90%" in _step(a2, 10.0, 0.8, 0.1)  # above p75 the highest peer step is p90
    assert "最高值" in _step(a2, 10.0, 0.85, 0.15)  # a p90 value tied with the maximum: full marks
