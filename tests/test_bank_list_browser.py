"""Browser test of the bank list after a second published run (Debian's Chromium through Playwright, live server).

An officer sees where the list comes from, finds a firm by its credit code and sees that its grade rose, finds a
newcomer marked new, opens the dropped-from-the-list view, reopens a row declined on the previous list, and on a
390 px phone finds the filters folded so the table starts near the top.
"""

import pytest

from banks.models import Recommendation
from banks.services import recommendation_list_push, recommendation_transition
from banks.tests.fixtures import changed_filings, officer_of, publish_new_run
from enterprises.models import Enterprise
from tests.test_bank_browser import ARTIFACTS, login, page, submit  # noqa: F401 - the page fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def search(tab, live_server, text):
    tab.goto(f"{live_server.url}/bank/")
    tab.fill("input[name=q]", text)
    submit(tab, "#filters button[type=submit]")
    return tab.locator("#recommendations tbody tr")


def test_an_officer_sees_what_changed_finds_a_firm_by_credit_code_and_reopens_a_declined_row(
    page,  # noqa: F811
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
    second = publish_new_run(population)
    recommendation_list_push(run=second, bank=icbc)
    riser = Enterprise.objects.get(pk=firms["up"])
    newcomer = Enterprise.objects.get(pk=firms["new"])
    ARTIFACTS.mkdir(exist_ok=True)

    login(page, live_server, "officer")
    page.goto(f"{live_server.url}/bank/")
    source = page.locator("#list-source").inner_text()
    assert population.name in source and f"#{second.pk}" in source and f"#{first.pk}" in source

    rows = search(page, live_server, riser.credit_code)
    assert rows.count() == 1 and riser.name in rows.first.inner_text()
    assert rows.first.locator("[data-change=up]").count() == 1
    rows = search(page, live_server, newcomer.credit_code.lower())
    assert rows.count() == 1 and rows.first.locator("[data-change=new]").count() == 1
    page.screenshot(path=str(ARTIFACTS / "bank-list-changes.png"), full_page=True)

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

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/bank/")
    assert page.eval_on_selector("#filter-panel", "d => d.open") is False
    assert page.locator("#recommendations").bounding_box()["y"] < 844
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "bank-list-phone.png"), full_page=True)
