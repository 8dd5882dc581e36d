"""Browser tests of watching loans (Debian's Chromium through Playwright, against pytest-django's live server).

After a second published run scores a borrower lower, the lending officer finds the post-loan warning on the watch
list, acknowledges it with a note (the confirmation dialog states the consequence), and cannot acknowledge it twice.
On the demo's population and loan book (20,000 firms, seed 2024, as ``make demo``), the bureau's back-test page
shows the default rate falling from grade E to grade A. Both pages hold at 390 px.
"""

import re

import pytest

from banks.tests.fixtures import officer_of, publish_new_run
from enterprises.models import Submission
from loans.models import LoanWarning
from loans.services import loan_warnings_for_run
from tests.test_bank_browser import ARTIFACTS, login, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WEAK = dict.fromkeys(("rd_expense", "invention_patents", "tech_contract_turnover", "high_tech_revenue",
                      "vc_investment", "standards", "rd_staff", "rd_platform_level"), 0)  # fmt: skip


def fits_390(browser_page) -> bool:
    browser_page.set_viewport_size({"width": 390, "height": 844})
    fits = browser_page.evaluate("document.documentElement.scrollWidth <= 390")
    browser_page.set_viewport_size({"width": 1280, "height": 900})
    return fits


def test_an_officer_acknowledges_a_post_loan_warning_once(page, live_server, population, icbc):
    from banks.services import recommendation_list_push
    from banks.tests.api_fixtures import approved_recommendation, loan_on

    run = publish_new_run(population)
    recommendation_list_push(run=run, bank=icbc)
    officer = officer_of(icbc, "officer", is_admin=True)
    loan = loan_on(approved_recommendation(officer, icbc, status="new"), officer, mode="credit")
    Submission.objects.filter(enterprise_id=loan.enterprise_id, batch=population).update(**WEAK)
    newer = publish_new_run(population)  # committed: the publication signal has warned already (eager Celery)
    assert LoanWarning.objects.filter(loan=loan, run=newer).count() >= 2
    assert loan_warnings_for_run(run=newer) == 0  # and a second delivery writes nothing

    login(page, live_server, "officer")
    page.goto(f"{live_server.url}/loans/warnings/")
    rows = page.locator("#warnings tbody tr")
    assert rows.count() == LoanWarning.objects.filter(loan=loan).count()
    assert loan.contract_no in rows.first.inner_text() and "总分下降10分及以上" in page.inner_text("#warnings")
    assert fits_390(page)
    first = rows.first
    warning_id = int(first.get_attribute("id").removeprefix("warning-"))
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    first.locator("textarea[name=note]").fill("已电话核实经营情况,提高贷后检查频率")
    submit(page, f"#warning-{warning_id} button[type=submit]")
    assert dialogs and "不可修改" in dialogs[0]
    assert "预警已确认" in page.inner_text("body")
    assert page.locator(f"#warning-{warning_id}").count() == 0  # gone from the open ones
    page.goto(f"{live_server.url}/loans/warnings/?show=done")
    done = page.locator(f"#warning-{warning_id}")
    assert "已电话核实经营情况" in done.inner_text() and done.locator("form").count() == 0
    page.screenshot(path=str(ARTIFACTS / "loan-warnings.png"), full_page=True)
    # The same form posted again (a second tab, a double click): refused with the rule, nothing changed.
    page.goto(f"{live_server.url}/loans/warnings/?show=all")
    token = page.eval_on_selector("input[name=csrfmiddlewaretoken]", "e => e.value")
    with page.expect_navigation():  # the scripted submit navigates after evaluate returns
        page.evaluate(
            """([url, token]) => { const f = document.createElement('form'); f.method = 'post'; f.action = url;
               for (const [k, v] of [['note', '再次确认'], ['csrfmiddlewaretoken', token]]) {
                 const i = document.createElement('input'); i.name = k; i.value = v; f.appendChild(i); }
               document.body.appendChild(f); f.submit(); }""",
            [f"/loans/warnings/{warning_id}/acknowledge/", token],
        )  # fmt: skip
    assert "不能重复确认" in page.inner_text("body")
    assert LoanWarning.objects.get(pk=warning_id).note == "已电话核实经营情况,提高贷后检查频率"


def test_the_bureaus_back_test_shows_default_falling_from_e_to_a_on_the_demo(page, live_server, batch):
    from demo.loans import demo_loan_book_create
    from demo.services import demo_firms_create, demo_organisations_create
    from tests.factories import BureauStaffFactory

    demo_organisations_create()
    report = demo_firms_create(firms=20_000, seed=2024, batch=batch)  # the make-demo population
    demo_loan_book_create(enterprise_ids=report.enterprise_ids, strength=report.strength, seed=2024)
    publish_new_run(batch)
    BureauStaffFactory(user__username="bureau-user", region_scope="")

    login(page, live_server, "bureau-user")
    page.goto(f"{live_server.url}/dashboard/backtest/")
    rates = {}
    for grade in "ABCDE":
        cell = page.locator(f"#by-grade tr[data-key='{grade}'] td.default-rate").inner_text()
        rates[grade] = float(cell)
    assert rates["E"] > rates["D"] > rates["C"] > rates["B"] > rates["A"], rates
    assert all(re.fullmatch(r"\d+\.\d\d", page.locator(f"#by-grade tr[data-key='{g}'] td.default-rate")
                            .inner_text()) for g in "ABCDE")  # fmt: skip
    assert "单调" in page.inner_text("#monotonic") and "不单调" not in page.inner_text("#monotonic")
    assert float(page.inner_text("#auc")) > 0.7
    page.wait_for_function("document.querySelector('#chart-grades canvas') !== null")
    assert fits_390(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "backtest-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "backtest-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_download() as download:
        page.click("text=导出 CSV")
    assert download.value.suggested_filename.startswith("backtest-")
