"""Browser test of the bank journey (Debian's Chromium through Playwright, against pytest-django's live server).

An officer logs in, filters the list, opens a consented profile, moves the firm to contract signed by recording the
loan and its special-plan guarantee; the bureau's dashboard then shows the new contract.
"""

from datetime import date

import pytest

from banks.models import Recommendation
from banks.tests.fixtures import officer_of, publish_new_run
from core.models import GuaranteeInstitution
from guarantees.models import GuaranteeContract
from loans.models import LoanContract
from tests.browser import ARTIFACTS, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "pass-word-123"


def login(page, live_server, username):
    sign_in(page, live_server.url, username, PASSWORD)


def test_an_officer_works_a_firm_to_a_guaranteed_loan_and_the_dashboard_shows_it(page, live_server, population, icbc):
    from banks.services import recommendation_list_push
    from tests.factories import BureauStaffFactory

    run = publish_new_run(population)
    recommendation_list_push(run=run, bank=icbc)
    officer_of(icbc, "officer", is_admin=True)
    BureauStaffFactory(user__username="bureau-user", region_scope="")
    provincial = GuaranteeInstitution.objects.create(name="广东省再担保", kind="provincial", region_scope="44")
    target = (
        Recommendation.objects.filter(bank=icbc, grade__in="ABC", region_code__startswith="44")
        .order_by("list_rank")
        .first()
    )

    login(page, live_server, "officer")
    page.goto(f"{live_server.url}/bank/")
    page.check(f"input[name=grade][value={target.grade}]")
    page.fill("input[name=region]", "44")
    submit(page, "#filters button[type=submit]")
    rows = page.locator("#recommendations tbody tr")
    assert rows.count() >= 1
    assert all(f"<td>{target.grade}</td>" in rows.nth(i).inner_html() for i in range(rows.count()))
    page.click(f"#recommendations a[href='/bank/r/{target.pk}/']")
    page.wait_for_url(f"**/bank/r/{target.pk}/")
    assert target.enterprise.name in page.locator("h1").inner_text()
    assert page.locator("#status").inner_text() == "已查看"

    submit(page, "button[data-status=contacted]")
    submit(page, "button[data-status=approved]")
    page.click("#contract")
    page.wait_for_url(f"**/loans/new/{target.pk}/")
    page.select_option("select[name=product]", index=1)
    page.fill("input[name=amount]", "99999")
    page.fill("input[name=rate]", "3.5")
    page.fill("input[name=term_months]", "12")
    page.select_option("select[name=guarantee_mode]", "special_plan")
    submit(page, "#loan-form button[type=submit]")
    assert "超过产品最高额度" in page.locator("#loan-form").inner_text()
    assert not LoanContract.objects.exists()
    page.fill("input[name=amount]", "100")
    page.fill("textarea[name=over_line_reason]", "订单充足")
    submit(page, "#loan-form button[type=submit]")
    page.wait_for_url("**/for-loan/*/")
    page.select_option("select[name=guarantor]", str(provincial.pk))
    page.select_option("select[name=reguarantor]", str(provincial.pk))
    page.fill("input[name=amount]", "100")
    page.fill("input[name=local_share]", "10")
    submit(page, "#guarantee-form button[type=submit]")
    assert "合计须为 100" in page.locator("#guarantee-form").inner_text()
    page.fill("input[name=local_share]", "20")
    submit(page, "#guarantee-form button[type=submit]")
    page.wait_for_selector("#guarantee")
    page.screenshot(path=str(ARTIFACTS / "bank-journey-loan.png"), full_page=True)
    loan = LoanContract.objects.get()
    assert GuaranteeContract.objects.get().loan == loan and loan.signed_on == date.today()
    target.refresh_from_db()
    assert target.status == "contracted"

    login(page, live_server, "bureau-user")
    page.goto(f"{live_server.url}/dashboard/")
    assert page.locator("#contract-firms").inner_text() == "1"
    assert page.locator("#guarantee-count").inner_text() == "1"
    page.wait_for_function("document.querySelector('#chart-funnel canvas') !== null")
    page.screenshot(path=str(ARTIFACTS / "bank-journey-dashboard.png"), full_page=True)
