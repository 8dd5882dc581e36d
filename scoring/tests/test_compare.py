"""Comparing two runs over their stored scores: each figure is checked against the scores themselves, counted the
plain way (row by row in the database), so the vectorised comparison cannot drift from what was stored."""

from io import BytesIO

import pytest
from django.urls import reverse

from scoring.comparison import run_comparison
from scoring.models import IndicatorSystem, Score
from scoring.services import scoring_run_create, scoring_run_execute, scoring_run_publish
from tests.factories import BureauStaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_runs(populated_batch):
    v1 = scoring_run_create(batch=populated_batch, enqueue=False)
    scoring_run_execute(run_id=v1.pk)
    v1 = scoring_run_publish(run=type(v1).objects.get(pk=v1.pk))
    v2 = scoring_run_create(batch=populated_batch, enqueue=False, trial=True,
                            system=IndicatorSystem.objects.get(code="national", version=2))  # fmt: skip
    scoring_run_execute(run_id=v2.pk)
    return type(v1).objects.get(pk=v1.pk), type(v2).objects.get(pk=v2.pk)


def _by_firm(run, region=""):
    rows = Score.objects.filter(run=run)
    if region:
        rows = rows.in_region(region)
    return {row["enterprise_id"]: row for row in rows.values("enterprise_id", "grade", "eligible", "total",
                                                             "rank_national", "region", "points")}  # fmt: skip


@pytest.mark.parametrize("region", ["", "44"])
def test_the_comparison_agrees_with_the_stored_scores(two_runs, region):
    v1, v2 = two_runs
    staff = BureauStaffFactory(region_scope=region).user
    result = run_comparison(who=staff, base=v1, other=v2)
    a, b = _by_firm(v1, region), _by_firm(v2, region)
    common = a.keys() & b.keys()
    assert result.counts["matched"] == len(common) > 0
    assert result.counts["eligible_base"] == sum(r["eligible"] for r in a.values())
    for i, grade_a in enumerate(result.grades):
        for j, grade_b in enumerate(result.grades):
            expected = sum(1 for pk in common if a[pk]["grade"] == grade_a and b[pk]["grade"] == grade_b)
            assert result.migration[i][j] == expected
    entered = {pk for pk in common if not a[pk]["eligible"] and b[pk]["eligible"]}
    left = {pk for pk in common if a[pk]["eligible"] and not b[pk]["eligible"]}
    assert set(result.entered_ids.tolist()) == entered and set(result.left_ids.tolist()) == left
    assert sum(n for _label, n in result.shifts) == len(common)
    unchanged = sum(1 for pk in common if a[pk]["rank_national"] == b[pk]["rank_national"])
    assert dict(result.shifts)["不变"] == unchanged
    biggest = max(common, key=lambda pk: b[pk]["total"] - a[pk]["total"])
    assert result.movers_up[0]["delta"] == pytest.approx(float(b[biggest]["total"] - a[biggest]["total"]))
    provinces = {row["key"]: row for row in result.by_province}
    for row in a.values():
        assert f"{row['region'] // 10000:02d}" in provinces
    assert sum(row["eligible_other"] for row in result.by_province) == result.counts["eligible_other"]
    assert sum(row["eligible_base"] for row in result.by_section) == result.counts["eligible_base"]
    first = v2.indicator_codes[0]
    mean = sum(r["points"][0] for r in b.values()) / len(b)
    assert next(r for r in result.indicators if r["code"] == first)["mean_other"] == pytest.approx(mean)


def test_the_page_and_the_excel_export(client, two_runs):
    from openpyxl import load_workbook

    v1, v2 = two_runs
    client.force_login(BureauStaffFactory(region_scope="", role="reviewer").user)
    run_page = client.get(reverse("scoring:run-detail", args=[v2.pk])).content.decode()
    assert f"?base={v1.pk}&amp;other={v2.pk}" in run_page  # the trial run offers the comparison with the published one
    page = client.get(reverse("scoring:compare"), {"base": v1.pk, "other": v2.pk})
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("等级迁移", "新进入可推荐名单", "退出可推荐名单", "按省份", "按行业门类", "national-v2"):
        assert text in html
    response = client.get(reverse("scoring:compare-export"), {"base": v1.pk, "other": v2.pk})
    book = load_workbook(BytesIO(response.content), read_only=True)
    assert {"概要", "等级迁移", "新进入名单", "退出名单", "按省份", "指标贡献"} <= set(book.sheetnames)
    entered = list(book["新进入名单"].iter_rows(values_only=True))
    assert len(entered) - 1 == page.context["comparison"].counts["entered"]


def test_runs_of_another_region_cannot_be_compared(client, two_runs):
    from demo.services import demo_firms_create
    from scoring.tests.factories import BatchFactory

    v1, v2 = two_runs
    zhejiang = BatchFactory(region_scope="33")
    demo_firms_create(firms=40, seed=3, batch=zhejiang)
    foreign = scoring_run_create(batch=zhejiang, enqueue=False)
    scoring_run_execute(run_id=foreign.pk)
    url = reverse("scoring:compare")
    client.force_login(BureauStaffFactory(region_scope="44").user)
    assert client.get(url, {"base": v1.pk, "other": v2.pk}).status_code == 200
    assert client.get(url, {"base": v1.pk, "other": foreign.pk}).status_code == 404
    assert client.get(reverse("scoring:compare-export"), {"base": foreign.pk, "other": v1.pk}).status_code == 404
    assert client.get(url, {"base": "x", "other": v2.pk}).status_code == 404
    client.force_login(BureauStaffFactory(region_scope="33").user)
    assert client.get(url, {"base": v1.pk, "other": foreign.pk}).status_code == 200  # its own bureau compares it
