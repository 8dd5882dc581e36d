"""Pages of the bank journey: officer list, profile, workflow, loans, guarantees, guarantor pages, dashboard."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from banks.models import LoanProduct, Recommendation
from banks.tests.fixtures import approved_recommendation, publish_new_run
from core.models import GuaranteeInstitution, GuarantorStaff, Region
from enterprises.models import Consent, ProfileAccessLog
from guarantees.models import GuaranteeContract
from loans.models import LoanContract
from loans.services import loan_contract_create, suggested_line
from tests.factories import BureauStaffFactory, UserFactory

D = Decimal


def first(bank, **filters):
    return Recommendation.objects.filter(bank=bank, superseded=False, **filters).order_by("list_rank").first()


def page_rows(response):
    return list(response.context["page"])


# --- The list ------------------------------------------------------------------------------------------------------


def test_the_list_shows_the_officers_bank_in_a_fixed_number_of_queries(
    client, pushed, icbc, icbc_officer, django_assert_max_num_queries
):
    client.force_login(icbc_officer)
    # 12 + the lists the page comes from, the consent badges, (after a second run) the change markers, the open-need
    # badges and the two counts of what reached the bank since the officer last looked (applications, named needs)
    with django_assert_max_num_queries(18):
        response = client.get(reverse("banks:list"))
    assert response.status_code == 200
    rows = page_rows(response)
    assert rows and all(r.bank_id == icbc.pk for r in rows)
    assert response.context["page"].count == Recommendation.objects.filter(bank=icbc).count()
    assert rows[0].enterprise.name in response.content.decode()


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"grade": "A"}, lambda r: r.grade == "A"),
        ({"region": "32"}, lambda r: r.region_code.startswith("32")),
        ({"stage": "growth"}, lambda r: r.stage == "growth"),
        ({"status": "new"}, lambda r: r.status == "new"),
    ],
)
def test_the_list_filters(client, pushed, icbc, icbc_officer, params, check):
    client.force_login(icbc_officer)
    rows = page_rows(client.get(reverse("banks:list"), params))
    assert rows and all(check(r) for r in rows)


def test_the_list_filters_by_product_and_section(client, pushed, icbc, icbc_officer):
    narrow = icbc.products.get(name="科创成长贷")
    client.force_login(icbc_officer)
    rows = page_rows(client.get(reverse("banks:list"), {"product": narrow.pk}))
    assert rows and all(narrow.pk in r.product_ids for r in rows)
    assert len(rows) == sum(narrow.pk in r.product_ids for r in Recommendation.objects.filter(bank=icbc))
    section = rows[0].section
    assert all(r.section == section for r in page_rows(client.get(reverse("banks:list"), {"section": section})))


SORT_ORDER = {
    "rank": lambda r: (r.list_rank, r.pk),
    "-total": lambda r: (-r.total, r.list_rank, r.pk),
    "total": lambda r: (r.total, -r.list_rank, -r.pk),
    "-line": lambda r: (-r.suggested_line, r.list_rank, r.pk),
    "-need": lambda r: (-(r.financing_amount if r.financing_amount is not None else -1), r.list_rank, r.pk),
    "status": lambda r: (r.status, r.list_rank, r.pk),
}


def walk(client, params, *, backwards_from=None):
    """Every page of the list from the first (or back from ``backwards_from``), following the pager's cursors."""
    pages, cursor = [], {"before": backwards_from} if backwards_from else {}
    while True:
        page = client.get(reverse("banks:list"), {**params, **cursor}).context["page"]
        pages.append([r.pk for r in page])
        following = page.previous_before if backwards_from else page.next_after
        if following is None:
            return pages
        cursor = {"before" if backwards_from else "after": following}


@pytest.mark.parametrize("sort", list(SORT_ORDER))
def test_the_pager_walks_the_whole_list_in_each_order_and_back(client, pushed, icbc, icbc_officer, monkeypatch, sort):
    monkeypatch.setattr("banks.views.PAGE_SIZE", 2)
    Recommendation.objects.filter(bank=icbc, list_rank__in=[3, 9]).update(status="viewed")  # status order not rank's
    client.force_login(icbc_officer)
    expected = [r.pk for r in sorted(Recommendation.objects.filter(bank=icbc), key=SORT_ORDER[sort])]
    pages = walk(client, {"sort": sort})
    assert len(pages) > 3 and all(len(p) == 2 for p in pages[:-1])
    assert [pk for page in pages for pk in page] == expected
    back = walk(client, {"sort": sort}, backwards_from=pages[-1][0])
    assert back == pages[-2::-1]


def test_the_pager_keeps_the_filters(client, pushed, icbc, icbc_officer, monkeypatch):
    monkeypatch.setattr("banks.views.PAGE_SIZE", 1)
    client.force_login(icbc_officer)
    rows = Recommendation.objects.filter(bank=icbc, region_code__startswith="44", stage="growth")
    expected = [r.pk for r in sorted(rows, key=SORT_ORDER["-need"])]
    pages = walk(client, {"region": "44", "stage": "growth", "sort": "-need"})
    assert len(pages) > 1 and [pk for page in pages for pk in page] == expected


def test_a_deep_page_is_a_keyset_page_in_the_queries_of_the_first(
    client, pushed, icbc, icbc_officer, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr("banks.views.PAGE_SIZE", 2)
    client.force_login(icbc_officer)
    with CaptureQueriesContext(connection) as first_page:
        client.get(reverse("banks:list"))
    rows = list(Recommendation.objects.filter(bank=icbc).order_by("list_rank"))
    # + 1: reading the keys of the row the page continues after
    with django_assert_max_num_queries(len(first_page) + 1), CaptureQueriesContext(connection) as deep:
        page = client.get(reverse("banks:list"), {"after": rows[-4].pk}).context["page"]
    assert [r.pk for r in page] == [rows[-3].pk, rows[-2].pk]
    assert page.next_after == rows[-2].pk and page.previous_before == rows[-3].pk
    assert not any("OFFSET" in query["sql"].upper() for query in deep.captured_queries)


def test_a_cursor_naming_another_banks_row_gives_the_first_page(client, pushed, icbc, cmb, icbc_officer):
    client.force_login(icbc_officer)
    foreign = Recommendation.objects.filter(bank=cmb).order_by("list_rank").last()
    page = client.get(reverse("banks:list"), {"after": foreign.pk}).context["page"]
    assert [r.pk for r in page] == [r.pk for r in Recommendation.objects.filter(bank=icbc).order_by("list_rank")[:50]]
    assert page.rows
    assert page.previous_before is None


def test_a_branch_officer_lists_only_the_branch_regions(client, pushed, icbc_gd_officer):
    client.force_login(icbc_gd_officer)
    rows = page_rows(client.get(reverse("banks:list"), {"region": ""}))
    assert rows and all(r.region_code.startswith("44") for r in rows)


def test_the_export_holds_the_filtered_list_as_csv_and_excel(client, pushed, icbc, icbc_officer):
    client.force_login(icbc_officer)
    response = client.get(reverse("banks:export"), {"grade": "C"})
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    expected = Recommendation.objects.filter(bank=icbc, grade="C").count()
    header = lines[0]
    assert len(lines) == expected + 1 and all(line[header.index("等级")] == "C" for line in lines[1:])
    # People read labels: the region by name beside its code, the section, stage, preference and status by label.
    row = dict(zip(header, lines[1], strict=True))
    rec = Recommendation.objects.get(bank=icbc, enterprise__credit_code=row["统一社会信用代码"])
    code = rec.region_code
    names = Region.objects.filter(code__in=[code[:2] + "0000", code[:4] + "00", code]).values_list("name", flat=True)
    assert row["行政区划代码"] == code and any(name in row["所在地区"] for name in names)
    assert row["发展阶段"] in ("初创期", "成长期", "稳定期") and row["企业意向银行"] in ("是", "否")
    assert row["状态"] == rec.get_status_display() and row["行业门类"].startswith(rec.section + " ")
    response = client.get(reverse("banks:export"), {"grade": "C", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == expected + 1


def test_people_without_a_bank_role_get_404(client, pushed, bureau_user):
    client.force_login(bureau_user)
    assert client.get(reverse("banks:list")).status_code == 404


# --- Profile and access log ----------------------------------------------------------------------------------------


def test_the_profile_of_a_consenting_firm_on_the_list_is_shown_and_logged(
    client, pushed, icbc, icbc_officer, django_assert_max_num_queries
):
    rec = first(icbc)
    client.force_login(icbc_officer)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("banks:detail", args=[rec.pk]))
    assert response.status_code == 200 and rec.enterprise.name in response.content.decode()
    log = ProfileAccessLog.objects.get(enterprise=rec.enterprise)
    assert (log.bank, log.user, log.scope) == (icbc, icbc_officer, "profile")
    rec.refresh_from_db()
    assert rec.status == "viewed"
    client.get(reverse("banks:detail", args=[rec.pk]))
    assert ProfileAccessLog.objects.filter(enterprise=rec.enterprise).count() == 2  # every read


def test_financial_data_only_under_a_financials_consent(client, pushed, icbc, icbc_officer):
    rec = first(icbc)
    client.force_login(icbc_officer)
    assert 'id="financials"' not in client.get(reverse("banks:detail", args=[rec.pk])).content.decode()
    Consent.objects.create(enterprise=rec.enterprise, bank=icbc, scope="financials")
    assert 'id="financials"' in client.get(reverse("banks:detail", args=[rec.pk])).content.decode()
    assert ProfileAccessLog.objects.filter(enterprise=rec.enterprise, scope="financials").count() == 1


def test_no_active_consent_for_the_bank_means_404_and_no_log(client, pushed, icbc, cmb, icbc_officer):
    rec = first(icbc)
    Consent.objects.filter(enterprise=rec.enterprise).delete()
    Consent.objects.create(enterprise=rec.enterprise, bank=cmb)  # for another bank only
    client.force_login(icbc_officer)
    assert client.get(reverse("banks:detail", args=[rec.pk])).status_code == 404
    Consent.objects.create(enterprise=rec.enterprise, bank=icbc, revoked_at=timezone.now())
    assert client.get(reverse("banks:detail", args=[rec.pk])).status_code == 404
    assert not ProfileAccessLog.objects.filter(enterprise=rec.enterprise).exists()
    Consent.objects.create(enterprise=rec.enterprise, bank=icbc)
    assert client.get(reverse("banks:detail", args=[rec.pk])).status_code == 200


def test_another_banks_or_another_regions_rows_are_404(client, pushed, icbc, cmb_officer, icbc_gd_officer):
    rec = first(icbc)
    client.force_login(cmb_officer)
    for name in ("banks:detail", "loans:create"):
        assert client.get(reverse(name, args=[rec.pk])).status_code == 404
    assert client.post(reverse("banks:status", args=[rec.pk]), {"status": "contacted"}).status_code == 404
    assert client.post(reverse("banks:notes", args=[rec.pk]), {"notes": "x"}).status_code == 404
    client.force_login(icbc_gd_officer)
    jiangsu = first(icbc, region_code__startswith="32")
    assert client.get(reverse("banks:detail", args=[jiangsu.pk])).status_code == 404


# --- Workflow, loans, guarantees -----------------------------------------------------------------------------------


def test_declining_without_a_category_is_refused_with_a_message(client, pushed, icbc, icbc_officer):
    rec = first(icbc)
    client.force_login(icbc_officer)
    response = client.post(reverse("banks:status", args=[rec.pk]), {"status": "declined", "reason": "x"}, follow=True)
    assert "拒绝时必须选择拒绝原因类别" in response.content.decode()
    rec.refresh_from_db()
    assert rec.status == "viewed" and rec.decline_reason == ""  # viewed by following the redirect to the profile


def test_an_officer_records_a_loan_and_its_guarantee_through_the_pages(client, pushed, icbc, icbc_officer):
    rec = approved_recommendation(icbc_officer, icbc, grade="C")
    product = LoanProduct.objects.get(pk=rec.product_ids[0])
    line = suggested_line(recommendation=rec, product=product)
    client.force_login(icbc_officer)
    form = {
        "product": product.pk,
        "amount": "5000",
        "rate": "3.5",
        "term_months": 12,
        "signed_on": date.today().isoformat(),
        "guarantee_mode": "special_plan",
    }
    response = client.post(reverse("loans:create", args=[rec.pk]), form)
    assert "超过产品最高额度" in response.content.decode() and not LoanContract.objects.exists()
    response = client.post(reverse("loans:create", args=[rec.pk]), {**form, "amount": str(line), "rate": "9"})
    assert "利率上限" in response.content.decode() and not LoanContract.objects.exists()
    response = client.post(reverse("loans:create", args=[rec.pk]), {**form, "amount": str(line)})
    loan = LoanContract.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("guarantees:create", args=[loan.pk])

    provincial = GuaranteeInstitution.objects.create(name="某省再担保", kind="provincial", region_scope="44")
    local = GuaranteeInstitution.objects.create(name="某市担保", kind="local", region_scope="44")
    shares = {
        "guarantor": local.pk,
        "reguarantor": provincial.pk,
        "amount": str(line),
        "bank_share": 20,
        "national_fund_share": 30,
        "provincial_share": 25,
        "local_share": 20,
        "guarantee_fee_rate": "1",
        "reguarantee_fee_rate": "0.3",
        "signed_on": date.today().isoformat(),
    }
    response = client.post(reverse("guarantees:create", args=[loan.pk]), shares)
    assert "合计须为 100" in response.content.decode() and not GuaranteeContract.objects.exists()
    response = client.post(reverse("guarantees:create", args=[loan.pk]), {**shares, "local_share": 25})
    assert response.status_code == 302 and GuaranteeContract.objects.get().loan == loan
    assert client.get(reverse("loans:list")).status_code == 200
    assert client.get(reverse("loans:detail", args=[loan.pk])).status_code == 200


def test_another_banks_loan_is_404(client, pushed, icbc, icbc_officer, cmb_officer):
    rec = approved_recommendation(icbc_officer, icbc)
    product = LoanProduct.objects.get(pk=rec.product_ids[0])
    loan = loan_contract_create(
        recommendation=rec,
        user=icbc_officer,
        product=product,
        amount=D(1),
        rate=D(3),
        term_months=6,
        signed_on=date.today(),
    )
    client.force_login(cmb_officer)
    assert client.get(reverse("loans:detail", args=[loan.pk])).status_code == 404
    assert client.get(reverse("guarantees:create", args=[loan.pk])).status_code == 404
    assert loan.contract_no not in client.get(reverse("loans:list")).content.decode()


def test_only_the_product_admin_edits_products(client, icbc, icbc_officer, icbc_gd_officer):
    product = icbc.products.get(name="积分贷")
    client.force_login(icbc_gd_officer)
    assert client.get(reverse("banks:product-list")).status_code == 200
    assert client.get(reverse("banks:product-edit", args=[product.pk])).status_code == 404
    client.force_login(icbc_officer)
    form = {
        "name": product.name,
        "min_grade": "C",
        "max_amount": "100",
        "term_months": 12,
        "rate_spread_bp": 80,
        "active": "on",
        "line_a": 1000,
        "line_b": 600,
        "line_c": 300,
        "line_d": 150,
        "line_e": 0,
    }
    response = client.post(reverse("banks:product-edit", args=[product.pk]), form)
    assert "不能超过产品最高额度" in response.content.decode()
    product.refresh_from_db()
    assert product.max_amount == 1000
    response = client.post(reverse("banks:product-edit", args=[product.pk]), {**form, "max_amount": "2000"})
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.max_amount == 2000


# --- Guarantor pages and dashboard ---------------------------------------------------------------------------------


@pytest.fixture
def guaranteed_loan(pushed, icbc, icbc_officer):
    from guarantees.services import guarantee_contract_create

    rec = approved_recommendation(icbc_officer, icbc)
    product = LoanProduct.objects.get(pk=rec.product_ids[0])
    loan = loan_contract_create(
        recommendation=rec,
        user=icbc_officer,
        product=product,
        amount=D(100),
        rate=D(3),
        term_months=6,
        signed_on=date.today(),
        guarantee_mode="special_plan",
    )
    provincial = GuaranteeInstitution.objects.create(name="某省再担保", kind="provincial", region_scope="44")
    local = GuaranteeInstitution.objects.create(name="某市担保", kind="local", region_scope="44")
    loan.enterprise.is_little_giant = False
    guarantee_contract_create(
        loan=loan,
        user=icbc_officer,
        guarantor=local,
        reguarantor=provincial,
        amount=D(100),
        bank_share=D(20),
        national_fund_share=D(30),
        provincial_share=D(25),
        local_share=D(25),
        guarantee_fee_rate=D(1),
        reguarantee_fee_rate=D("0.3"),
        signed_on=date.today(),
    )
    return loan


def test_guarantor_staff_see_their_guarantees_and_the_compensation_rate(client, guaranteed_loan):
    local = guaranteed_loan.guarantee.guarantor
    staff = UserFactory(username="g-local")
    GuarantorStaff.objects.create(user=staff, institution=local)
    other = UserFactory(username="g-other")
    GuarantorStaff.objects.create(
        user=other, institution=GuaranteeInstitution.objects.create(name="别家", kind="local")
    )
    client.force_login(staff)
    response = client.get(reverse("guarantees:list"))
    assert guaranteed_loan.contract_no in response.content.decode()
    assert response.context["book"].contracts == 1
    assert client.get(reverse("guarantees:detail", args=[guaranteed_loan.guarantee.pk])).status_code == 200
    client.force_login(other)
    assert client.get(reverse("guarantees:detail", args=[guaranteed_loan.guarantee.pk])).status_code == 404
    assert guaranteed_loan.contract_no not in client.get(reverse("guarantees:list")).content.decode()


def test_the_dashboard_reports_the_funnel_in_a_fixed_number_of_queries(
    client, guaranteed_loan, bureau_user, django_assert_max_num_queries
):
    client.force_login(bureau_user)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("dashboard:funnel"))
    assert response.status_code == 200
    total = response.context["data"].total
    run = guaranteed_loan.recommendation.run
    assert total.collected == run.enterprise_count
    assert total.recommended == run.counts["eligible"]
    assert (total.contract_firms, total.contract_amount) == (1, D(100))
    assert (total.guarantees, total.guarantee_amount) == (1, D(100))
    assert total.banks == 2 and total.list_rows == Recommendation.objects.filter(run=run).count()
    by_bank = {r.label: r for r in response.context["data"].by_bank}
    assert by_bank["工商银行"].contract_amount == D(100)
    export = client.get(reverse("dashboard:export"))
    book = load_workbook(io.BytesIO(export.content))
    assert [c.value for c in next(book.worksheets[0].iter_rows(min_row=2))][6] == 1


def test_a_regional_bureau_sees_only_its_region(client, guaranteed_loan):
    province = guaranteed_loan.enterprise.region_code[:2]
    elsewhere = "32" if province == "44" else "44"
    user = BureauStaffFactory(region_scope=elsewhere).user
    client.force_login(user)
    data = client.get(reverse("dashboard:funnel"), {"region": ""}).context["data"]
    assert data.total.contract_firms == 0 and {r.key for r in data.by_province} <= {elsewhere}
    narrowed = client.get(reverse("dashboard:funnel"), {"region": province}).context["region"]
    assert narrowed == elsewhere  # a region outside the bureau's scope is narrowed back to it


@pytest.mark.parametrize("depth", [4, 6])
def test_a_city_or_county_bureau_sees_its_own_counts_not_its_provinces(client, guaranteed_loan, icbc, depth):
    """Below province level every figure is the region's own, counted here row by row with the ORM."""
    from scoring.models import Score

    rec = guaranteed_loan.recommendation
    scope = rec.region_code[:depth]
    client.force_login(BureauStaffFactory(region_scope=scope).user)
    total = client.get(reverse("dashboard:funnel")).context["data"].total
    run = rec.run
    listed = Recommendation.objects.filter(run=run, region_code__startswith=scope)
    scores = Score.objects.filter(run=run, enterprise__region_code__startswith=scope)
    assert total.collected == scores.count() < run.enterprise_count
    assert total.recommended == scores.filter(eligible=True).count() > 0
    assert total.list_rows == listed.count() < Recommendation.objects.filter(run=run).count()
    assert total.banks == listed.values("bank").distinct().count()
    assert (total.contract_firms, total.contract_amount, total.guarantees) == (1, D(100), 1)
    for_bank = client.get(reverse("dashboard:funnel"), {"bank": icbc.pk}).context["data"].total
    assert for_bank.recommended == for_bank.list_rows == listed.filter(bank=icbc).count()


def test_the_funnel_counts_loans_of_the_batch_once_its_list_is_superseded(client, guaranteed_loan, bureau_user):
    from banks.services import recommendation_list_push

    rec = guaranteed_loan.recommendation
    newer = publish_new_run(rec.run.batch)
    recommendation_list_push(run=newer, bank=rec.bank)
    client.force_login(bureau_user)
    total = client.get(reverse("dashboard:funnel")).context["data"].total
    assert (total.contract_firms, total.contract_amount, total.guarantees) == (1, D(100), 1)
    carried = Recommendation.objects.get(run=newer, bank=rec.bank, enterprise=rec.enterprise)
    assert carried.status == "contracted" and not hasattr(carried, "loan")  # the loan stays on the list it was made on


def test_bank_officers_have_no_dashboard(client, pushed, icbc_officer):
    client.force_login(icbc_officer)
    assert client.get(reverse("dashboard:funnel")).status_code == 404
