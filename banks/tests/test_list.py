"""The officer's list: where it comes from, search, multi-choice filters, what changed since the previous list, the
firms that dropped off, consent badges, the page jump, and bad filter values."""

import pytest
from django.urls import reverse
from django.utils import timezone

from banks.models import Recommendation, RecommendationList
from banks.services import recommendation_list_push
from banks.tests.fixtures import changed_filings, publish_new_run
from enterprises.models import Consent
from enterprises.services import consent_revoke
from scoring.choices import GRADE_ORDER


def page_rows(response):
    return list(response.context["page"])


@pytest.fixture
def second(pushed, population, icbc):
    """A second published run of the batch, pushed to ICBC, after three filings changed (``changed_filings``)."""
    firms = changed_filings(population, icbc)
    run = publish_new_run(population)
    recommendation_list_push(run=run, bank=icbc)
    return run, firms


def test_the_list_names_its_batch_run_and_push_date(client, pushed, icbc, icbc_officer):
    client.force_login(icbc_officer)
    response = client.get(reverse("banks:list"))
    summary = RecommendationList.objects.get(run=pushed, bank=icbc)
    (header,) = response.context["headers"]
    assert header.current == summary and header.previous is None
    html = response.content.decode()
    assert pushed.batch.name in html and f"#{pushed.pk}" in html
    assert timezone.localtime(summary.created_at).strftime("%Y-%m-%d") in html  # the site's time zone, as shown


def test_search_finds_a_firm_by_credit_code_or_by_part_of_its_name(client, pushed, icbc, icbc_officer):
    client.force_login(icbc_officer)
    target = Recommendation.objects.filter(bank=icbc).select_related("enterprise").order_by("-list_rank")[0]
    code = target.enterprise.credit_code
    assert [r.pk for r in page_rows(client.get(reverse("banks:list"), {"q": code.lower()}))] == [target.pk]
    assert target.pk in [r.pk for r in page_rows(client.get(reverse("banks:list"), {"q": code[:12]}))]
    part = target.enterprise.name[2:6]
    rows = page_rows(client.get(reverse("banks:list"), {"q": part}))
    expected = Recommendation.objects.filter(bank=icbc, enterprise__name__contains=part).count()
    assert target.pk in [r.pk for r in rows] and len(rows) == min(expected, 50)
    assert page_rows(client.get(reverse("banks:list"), {"q": "没有这样的企业名称"})) == []


def test_several_grades_stages_and_sections_mean_any_of_them(client, pushed, icbc, icbc_officer):
    client.force_login(icbc_officer)
    rows = Recommendation.objects.filter(bank=icbc)
    sections = sorted(set(rows.values_list("section", flat=True)))[:2]
    params = {"grade": ["B", "C"], "stage": ["growth", "stable"], "section": sections}
    listed = page_rows(client.get(reverse("banks:list") + "?export", params))
    expected = rows.filter(grade__in="BC", stage__in=["growth", "stable"], section__in=sections)
    assert listed and {r.pk for r in listed} == set(expected.order_by("list_rank").values_list("pk", flat=True)[:50])
    assert {r.grade for r in listed} == {"B", "C"} & set(expected.values_list("grade", flat=True))


def test_the_filters_show_labels_not_codes(client, pushed, icbc_officer):
    client.force_login(icbc_officer)
    html = client.get(reverse("banks:list")).content.decode()
    assert "成长期" in html and "制造业" in html and 'value="growth"' in html


@pytest.mark.parametrize(
    ("params", "field"),
    [({"grade": "Z"}, "grade"), ({"grade": ["A", "Q"]}, "grade"), ({"stage": "teen"}, "stage"),
     ({"section": "Z"}, "section"), ({"region": "99"}, "region")],
)  # fmt: skip
def test_a_filter_code_that_does_not_exist_is_an_error_on_its_field_and_lists_nothing(
    client, pushed, icbc_officer, params, field
):
    client.force_login(icbc_officer)
    response = client.get(reverse("banks:list"), params)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert page_rows(response) == [] and response.context["page"].count == 0
    assert "筛选条件有误" in response.content.decode()


def test_an_empty_value_of_a_multi_choice_filter_means_any(client, pushed, icbc, icbc_officer):
    client.force_login(icbc_officer)
    response = client.get(reverse("banks:list"), {"grade": "", "stage": ""})
    assert not response.context["form"].errors
    assert response.context["page"].count == Recommendation.objects.filter(bank=icbc).count()


def test_each_row_says_what_changed_since_the_banks_previous_list(client, second, icbc, icbc_officer, monkeypatch):
    monkeypatch.setattr("banks.views.PAGE_SIZE", 1000)
    run, firms = second
    client.force_login(icbc_officer)
    response = client.get(reverse("banks:list"))
    (header,) = response.context["headers"]
    assert header.current.run_id == run.pk and header.previous.run_id != run.pk
    before = dict(
        Recommendation.objects.filter(bank=icbc, run_id=header.previous.run_id).values_list("enterprise_id", "grade")
    )
    rows = page_rows(response)
    assert len(rows) == Recommendation.objects.filter(bank=icbc, run=run).count()
    for rec in rows:
        old = before.get(rec.enterprise_id)
        expected = (
            "new" if old is None else "same" if old == rec.grade
            else "up" if GRADE_ORDER.index(rec.grade) < GRADE_ORDER.index(old) else "down"
        )  # fmt: skip
        assert rec.change.kind == expected, rec
    kinds = {rec.enterprise_id: rec.change.kind for rec in rows}
    assert kinds[firms["new"]] == "new" and kinds[firms["up"]] == "up"
    html = response.content.decode()
    assert 'data-change="new"' in html and 'data-change="up"' in html


def test_the_change_markers_cost_one_query_whatever_the_page_size(
    client, second, icbc_officer, monkeypatch, django_assert_max_num_queries
):
    client.force_login(icbc_officer)
    monkeypatch.setattr("banks.views.PAGE_SIZE", 5)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(reverse("banks:list"))
    monkeypatch.setattr("banks.views.PAGE_SIZE", 200)
    with django_assert_max_num_queries(len(small)):
        client.get(reverse("banks:list"))


def test_the_first_list_of_a_batch_marks_no_changes(client, pushed, icbc_officer):
    client.force_login(icbc_officer)
    rows = page_rows(client.get(reverse("banks:list")))
    assert rows and all(rec.change is None for rec in rows)


def test_the_dropped_view_lists_firms_that_left_the_list_and_still_consent(client, second, icbc, icbc_officer):
    run, firms = second
    client.force_login(icbc_officer)
    response = client.get(reverse("banks:dropped"))
    listed = {rec.enterprise_id for rec in response.context["page"]}
    previous = Recommendation.objects.filter(bank=icbc, superseded=True).exclude(run=run)
    still = set(Recommendation.objects.filter(bank=icbc, run=run).values_list("enterprise_id", flat=True))
    expected = set(previous.values_list("enterprise_id", flat=True)) - still
    assert firms["dropped"] in listed and listed == expected
    # a firm whose consent lapsed shows nothing
    for consent in Consent.objects.filter(enterprise_id=firms["dropped"]):
        consent_revoke(consent=consent, user=None)
    listed = {rec.enterprise_id for rec in client.get(reverse("banks:dropped")).context["page"]}
    assert firms["dropped"] not in listed and listed == expected - {firms["dropped"]}


def test_a_branch_officer_sees_only_the_firms_of_the_branch_regions_that_dropped_off(client, second, icbc_gd_officer):
    client.force_login(icbc_gd_officer)
    rows = list(client.get(reverse("banks:dropped")).context["page"])
    assert all(rec.region_code.startswith("44") for rec in rows)


def test_each_row_says_under_which_consent_it_is_listed(client, pushed, icbc, icbc_officer):
    rows = list(Recommendation.objects.filter(bank=icbc).order_by("list_rank")[:3])
    Consent.objects.create(enterprise_id=rows[1].enterprise_id, bank=icbc)
    client.force_login(icbc_officer)
    response = client.get(reverse("banks:list"))
    shown = {rec.pk: rec.named_consent for rec in page_rows(response)}
    assert (shown[rows[0].pk], shown[rows[1].pk], shown[rows[2].pk]) == (False, True, False)
    assert "授权本行" in response.content.decode() and "通用授权" in response.content.decode()


def test_the_page_jump_starts_the_page_at_a_list_rank_and_pages_on_by_keyset(
    client, pushed, icbc, icbc_officer, monkeypatch
):
    monkeypatch.setattr("banks.views.PAGE_SIZE", 3)
    client.force_login(icbc_officer)
    rows = list(Recommendation.objects.filter(bank=icbc).order_by("list_rank", "pk"))
    rank = rows[len(rows) // 2].list_rank
    assert len(rows) > 8
    response = client.get(reverse("banks:list"), {"rank": rank})
    page = response.context["page"]
    assert [r.pk for r in page] == [r.pk for r in rows if r.list_rank >= rank][:3]
    assert page.count == len(rows) and page.previous_before == page.rows[0].pk
    back = client.get(reverse("banks:list"), {"before": page.previous_before}).context["page"]
    assert [r.pk for r in back] == [r.pk for r in rows if r.list_rank < rank][-3:]
    onwards = client.get(reverse("banks:list"), {"after": page.next_after}).context["page"]
    assert [r.pk for r in onwards] == [r.pk for r in rows if r.list_rank >= rank][3:6]
    # with a filter: from the first matching row at or after the rank
    grade = rows[-1].grade
    jumped = client.get(reverse("banks:list"), {"rank": rank, "grade": grade}).context["page"]
    assert [r.pk for r in jumped] == [r.pk for r in rows if r.list_rank >= rank and r.grade == grade][:3]
    assert 'name="rank"' in response.content.decode()


def test_a_jump_to_the_first_rank_is_the_first_page(client, pushed, icbc_officer):
    client.force_login(icbc_officer)
    page = client.get(reverse("banks:list"), {"rank": 1}).context["page"]
    assert page.previous_before is None and page.rows[0].list_rank == 1


@pytest.mark.parametrize("sort", ["-total", "total"])
def test_a_sort_by_total_read_in_list_order_pages_through_the_rows_in_that_order(
    client, pushed, icbc_officer, monkeypatch, sort
):
    from banks.selectors import SORTS

    monkeypatch.setattr("banks.views.PAGE_SIZE", 3)
    client.force_login(icbc_officer)
    expected = list(Recommendation.objects.listed_to(icbc_officer).current().order_by(*SORTS[sort]))
    seen, params = [], {"sort": sort}
    while True:
        page = client.get(reverse("banks:list"), params).context["page"]
        seen += [rec.pk for rec in page]
        if page.next_after is None:
            break
        params["after"] = page.next_after
    assert len(expected) > 6 and seen == [rec.pk for rec in expected]  # several pages, the true order by total
