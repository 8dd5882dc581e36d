"""Browser test of firms finding money (issue #15), at 1366 and 390 px: the firm posts a need and applies to a
product from the supermarket (granting the consent the bank needs on the way) → the bank sees the need, declines it
with a category → the firm reads "已拒绝:<category>" and never the bank's internal note."""

import pytest

from banks.models import FinancingApplication
from enterprises.tests.factories import EnterpriseFactory, MembershipFactory
from tests.browser import fits, new_tab, screenshot, sign_in
from tests.browser_steps import applied_with_consent, decline_read_by_firm, declined_by_bank, need_posted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "pass-word-123"


@pytest.mark.parametrize("width", [1366, 390])
def test_a_firm_applies_from_the_supermarket_and_reads_the_banks_decline_category(
    browser, live_server, icbc, icbc_officer, width
):
    member = MembershipFactory(user__username="firm-admin", enterprise=EnterpriseFactory(region_code="440305"))
    page = new_tab(browser, viewport={"width": width, "height": 900})
    base = live_server.url

    sign_in(page, base, "firm-admin", PASSWORD)
    need_posted(page, base)

    def shelf(page):
        screenshot(page, f"financing-supermarket-{width}")
        fits(page, width)

    applied_with_consent(page, base, icbc.products.get(name="积分贷"), on_shelf=shelf)
    application = FinancingApplication.objects.get()

    sign_in(page, base, icbc_officer.username, PASSWORD)
    declined_by_bank(page, base, application, enterprise_name=member.enterprise.name, purpose="购置研发设备")
    screenshot(page, f"financing-bank-declined-{width}")

    sign_in(page, base, "firm-admin", PASSWORD)
    decline_read_by_firm(page, base, application, width,
                         on_status=lambda p: screenshot(p, f"financing-firm-status-{width}"))  # fmt: skip
    page.close()


@pytest.mark.parametrize("width", [1366, 390])
def test_a_firm_that_cannot_borrow_yet_sees_every_product_of_its_region_with_why_and_no_apply(
    browser, live_server, run, icbc, cmb, width
):
    from scoring.models import Score

    score = Score.objects.filter(run=run, grade="E", enterprise__region_code__startswith="44").first()
    MembershipFactory(user__username="firm-e", enterprise=score.enterprise)
    page = new_tab(browser, viewport={"width": width, "height": 900})
    base = live_server.url
    sign_in(page, base, "firm-e", PASSWORD)
    need_posted(page, base)
    page.goto(f"{base}/enterprise/financing/products/")
    cards = page.locator("#shelf .product")
    assert cards.count() == 3 and page.locator("#shelf .product.unavailable").count() == 3
    assert page.locator("#shelf button[type=submit]").count() == 0  # nothing to apply for yet
    basic = icbc.products.get(name="积分贷")
    assert "等级 E 低于本产品的最低等级 D" in page.locator(f"#product-{basic.pk}").inner_text()
    fits(page, width)
    screenshot(page, f"financing-supermarket-grade-e-{width}")
    page.close()
