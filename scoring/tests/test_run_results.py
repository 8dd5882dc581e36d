"""Per-firm results of a run (trial included): every scored firm of the bureau's region with total, grade, ranks and
reasons as labels; search, filters, sort, keyset pages, export; a firm's line opens its per-indicator breakdown."""

import csv
import io

import pytest
from django.urls import reverse

from core.labels import region_label
from enterprises.models import Enterprise
from scoring.models import IndicatorSystem, Score
from scoring.services import scoring_run_create, scoring_run_execute
from tests.factories import BureauStaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trial_run(populated_batch):
    run = scoring_run_create(batch=populated_batch, enqueue=False, trial=True,
                             system=IndicatorSystem.objects.get(code="national", version=2))  # fmt: skip
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


def _client(client, region=""):
    client.force_login(BureauStaffFactory(region_scope=region, role="reviewer").user)
    return client


def _url(run, **params):
    from urllib.parse import urlencode

    return reverse("scoring:run-results", args=[run.pk]) + ("?" + urlencode(params) if params else "")


def _walk(client, url):
    """Every row over all keyset pages, following the "next" cursor."""
    rows, page = [], client.get(url)
    while True:
        rows += page.context["page"].rows
        cursor = page.context["page"].next_cursor
        if cursor is None:
            return rows
        page = client.get(url + ("&" if "?" in url else "?") + f"after={cursor}")


def test_the_list_shows_every_scored_firm_best_first_over_keyset_pages(client, trial_run):
    rows = _walk(_client(client), _url(trial_run))
    assert len(rows) == Score.objects.filter(run=trial_run).count() > 50  # every firm, over several pages
    assert len({r["enterprise_id"] for r in rows}) == len(rows)  # no row twice across pages
    totals = [(-r["total"], r["enterprise_id"]) for r in rows]
    assert totals == sorted(totals)
    html = client.get(_url(trial_run)).content.decode()
    first = Score.objects.filter(run=trial_run).order_by("-total", "enterprise_id").first()
    assert region_label(first.enterprise.region_code) in html and "下一页" in html  # regions by name
    by_rank = _walk(client, _url(trial_run, order="rank_industry"))
    assert [r["rank_industry"] for r in by_rank] == sorted(r["rank_industry"] for r in rows)


def test_a_provincial_bureau_sees_its_region_only(client, trial_run):
    rows = _walk(_client(client, "44"), _url(trial_run))
    expected = Score.objects.filter(run=trial_run, region__gte=440000, region__lt=450000)
    assert sorted(r["enterprise_id"] for r in rows) == sorted(expected.values_list("enterprise_id", flat=True))
    assert rows and all(r["region_code"].startswith("44") for r in rows)


def test_reasons_show_as_labels_and_filters_narrow_the_rows(client, trial_run):
    client = _client(client)
    page = client.get(_url(trial_run, eligible="false", order="total"))
    rows = page.context["page"].rows
    assert rows and all(not r["eligible"] for r in rows)
    assert all(r["reason_labels"] and "_" not in "".join(r["reason_labels"]) for r in rows)
    assert "总分低于推荐门槛" in page.content.decode() and "below_threshold" not in page.content.decode()
    assert [r["total"] for r in rows] == sorted(r["total"] for r in rows)

    grade_b = _walk(client, _url(trial_run, grade="B", stage="growth", section="C"))
    assert grade_b == [r for r in grade_b if r["grade"] == "B" and r["stage"] == "growth"
                       and r["enterprise__section_id"] == "C"]  # fmt: skip
    assert len(grade_b) == Score.objects.filter(run=trial_run, grade="B", stage="growth",
                                                enterprise__section_id="C").count()  # fmt: skip


def test_search_finds_a_firm_by_name_or_credit_code(client, trial_run):
    client = _client(client)
    firm = Enterprise.objects.filter(scores__run=trial_run).order_by("pk")[3]
    by_name = client.get(_url(trial_run, q=firm.name)).context["page"].rows
    by_code = client.get(_url(trial_run, q=firm.credit_code[:12].lower())).context["page"].rows
    assert firm.pk in [r["enterprise_id"] for r in by_name]
    assert firm.pk in [r["enterprise_id"] for r in by_code]
    assert all(r["enterprise__credit_code"].startswith(firm.credit_code[:12]) for r in by_code)


def test_a_bad_filter_names_the_field_and_lists_nothing(client, trial_run):
    response = _client(client).get(_url(trial_run, region="4x"))
    assert response.status_code == 400 and not response.context["page"].rows
    assert "行政区划代码前缀" in response.content.decode()


def test_the_export_has_every_filtered_row_with_labels(client, trial_run):
    client = _client(client, "44")
    response = client.get(reverse("scoring:run-results-export", args=[trial_run.pk]) + "?eligible=false")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(body)))
    assert lines[0][:3] == ["统一社会信用代码", "企业名称", "行政区划代码"]
    expected = Score.objects.filter(run=trial_run, eligible=False, region__gte=440000, region__lt=450000)
    assert len(lines) - 1 == expected.count()
    assert all(line[14] == "否" and line[2].startswith("44") and line[3] == region_label(line[2]) for line in lines[1:])


def test_a_firm_line_opens_its_breakdown_and_another_regions_firm_is_404(client, trial_run):
    client = _client(client, "44")
    inside = Score.objects.filter(run=trial_run, region__gte=440000, region__lt=450000).first()
    outside = Score.objects.filter(run=trial_run).exclude(region__gte=440000, region__lt=450000).first()
    page = client.get(reverse("scoring:run-result-detail", args=[trial_run.pk, inside.enterprise_id]))
    assert page.status_code == 200
    lines = page.context["breakdown"].indicators
    assert [line["code"] for line in lines] == trial_run.indicator_codes
    assert [line["points"] for line in lines] == pytest.approx(list(inside.points))
    assert "研发费用" in page.content.decode()
    url = reverse("scoring:run-result-detail", args=[trial_run.pk, outside.enterprise_id])
    assert client.get(url).status_code == 404


def test_only_bureau_staff_see_results(client, trial_run):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(_url(trial_run)).status_code == 404


def test_the_api_lists_a_trial_runs_results_for_the_bureau_only(client, trial_run):
    from rest_framework.test import APIClient

    from banks.tests.fixtures import officer_of
    from core.models import Bank

    api = APIClient()
    api.force_login(BureauStaffFactory(region_scope="44").user)
    url = reverse("api:run-scores", args=[trial_run.pk])
    body = api.get(url, {"eligible": "false", "page_size": 500}).json()
    expected = Score.objects.filter(run=trial_run, eligible=False, region__gte=440000, region__lt=450000)
    assert len(body["results"]) == expected.count() > 0
    row = body["results"][0]
    assert row["run"] == trial_run.pk and row["region_code"].startswith("44")
    assert len(row["reason_labels"]) == len(row["reasons"]) and "总分低于推荐门槛" in str(body["results"])
    assert set(row["points"]) == set(trial_run.indicator_codes)

    code = row["credit_code"]
    assert [r["credit_code"] for r in api.get(url, {"q": code}).json()["results"]] == [code]
    by_rank = api.get(url, {"ordering": "rank_industry", "page_size": 500}).json()["results"]
    assert [r["rank_industry"] for r in by_rank] == sorted(r["rank_industry"] for r in by_rank)

    bad = api.get(url, {"region": "4x"})
    assert bad.status_code == 400 and "region" in str(bad.json()) and "行政区划代码前缀" in str(bad.json())
    officer = APIClient()
    officer.force_login(officer_of(Bank.objects.get(code="icbc"), "icbc-officer"))
    assert officer.get(url).status_code == 404


def test_the_forms_all_choices_are_no_filter(client, trial_run):
    """The filter form sends every field, "全部" as an empty value: that filters nothing, and is no error."""
    response = _client(client).get(_url(trial_run, q="", region="", section="", stage="", grade="", eligible="false"))
    assert response.status_code == 200
    assert (
        len(_walk(client, _url(trial_run, grade="", eligible="false")))
        == Score.objects.filter(run=trial_run, eligible=False).count()
    )
