"""Browser test of the bank list after a second published run (Debian's Chromium through Playwright, live server).

The issue's "done when" journey: an officer sees where the list comes from, finds a firm by its credit code and
sees that its grade rose, finds a newcomer marked new, opens the dropped-from-the-list view, reopens a row declined on
the previous list, and acknowledges the post-loan warning the second run raised on a loan the bank signed to a firm
it no longer recommends; on a 390 px phone the filters fold so the table starts near the top. Screenshots of each
page at 1366 and 390 px in ``test-artifacts/``. (The bureau's back-test on the demo: ``test_loan_watch_browser``.)
"""

import pytest

from banks.models import Recommendation
from banks.services import recommendation_list_push, recommendation_transition
from banks.tests.api_fixtures import approved_recommendation, loan_on
from banks.tests.fixtures import changed_filings, officer_of, publish_new_run
from enterprises.models import Enterprise
from loans.models import LoanWarning
from tests.test_bank_browser import ARTIFACTS, login, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def search(tab, live_server, text):
    tab.goto(f"{live_server.url}/bank/")
    tab.fill("input[name=q]", text)
    submit(tab, "#filters button[type=submit]")
    return tab.locator("#recommendations tbody tr")


def test_an_officer_sees_what_changed_finds_a_firm_by_credit_code_and_reopens_a_declined_row(
    page,
    live_server,
    population,
    icbc,
):
    first = publish_new_run(population)
    recommendation_list_push(run=first, bank=icbc)
    officer = officer_of(icbc, "officer", is_admin=True)
    firms = changed_filings(population, icbc)
    worked = (
        Recommendation.objects.filter(bank=icbc, run=first)
        .exclude(enterprise_id__in=firms.values())
        .order_by("list_rank")[2]
    )
    recommendation_transition(recommendation=worked, user=officer, status="declined", category="risk", reason="内部")
    # A loan signed to the firm the second run vetoes: that run warns the bank (no longer recommendable).
    loan = loan_on(approved_recommendation(officer, icbc, enterprise_id=firms["dropped"]), officer, mode="credit")
    second = publish_new_run(population)
    recommendation_list_push(run=second, bank=icbc)
    riser = Enterprise.objects.get(pk=firms["up"])
    newcomer = Enterprise.objects.get(pk=firms["new"])

    login(page, live_server, "officer")
    page.goto(f"{live_server.url}/bank/")
    source = page.locator("#list-source").inner_text()
    assert population.name in source and f"#{second.pk}" in source and f"#{first.pk}" in source

    rows = search(page, live_server, riser.credit_code)
    assert rows.count() == 1 and riser.name in rows.first.inner_text()
    assert rows.first.locator("[data-change=up]").count() == 1
    rows = search(page, live_server, newcomer.credit_code.lower())
    assert rows.count() == 1 and rows.first.locator("[data-change=new]").count() == 1
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "bank-list-changes-1366.png"), full_page=True)

    page.click("#dropped-link")
    page.wait_for_url("**/bank/dropped/")
    assert Enterprise.objects.get(pk=firms["dropped"]).name in page.locator("#dropped").inner_text()

    declined = Recommendation.objects.get(run=second, bank=icbc, enterprise_id=worked.enterprise_id)
    assert declined.status == "declined"  # the work moved to the new list
    page.goto(f"{live_server.url}/bank/r/{declined.pk}/")
    assert "风险偏高" in page.locator("#decline").inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    submit(page, "#reopen")
    assert page.locator("#status").inner_text() == "已查看"
    declined.refresh_from_db()
    assert (declined.status, declined.decline_category) == ("viewed", "")

    warning = LoanWarning.objects.filter(loan=loan, run=second).order_by("pk").first()
    assert warning is not None, "the second run should warn about the loan to the vetoed firm"
    page.goto(f"{live_server.url}/loans/warnings/")
    row = page.locator(f"#warning-{warning.pk}")
    assert loan.contract_no in row.inner_text()
    page.screenshot(path=str(ARTIFACTS / "loan-warnings-1366.png"), full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("textarea[name=note]").fill("已联系企业核实失信情况")
    submit(page, f"#warning-{warning.pk} button[type=submit]")
    assert "预警已确认" in page.inner_text("body") and page.locator(f"#warning-{warning.pk}").count() == 0
    warning.refresh_from_db()
    assert (warning.acknowledged_by.username, warning.note) == ("officer", "已联系企业核实失信情况")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/bank/")
    assert page.eval_on_selector("#filter-panel", "d => d.open") is False
    assert page.locator("#recommendations").bounding_box()["y"] < 844
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "bank-list-390.png"), full_page=True)
    page.goto(f"{live_server.url}/loans/warnings/?show=all")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "loan-warnings-390.png"), full_page=True)
