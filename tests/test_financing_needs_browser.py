"""Browser test of firms finding money (issue #15), at 1366 and 390 px: the firm posts a need and applies to a
product from the supermarket (granting the consent the bank needs on the way) → the bank sees the need, declines it
with a category → the firm reads "已拒绝:<category>" and never the bank's internal note."""

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from banks.models import FinancingApplication, FinancingNeed
from enterprises.tests.factories import EnterpriseFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
PASSWORD = "pass-word-123"


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but Chromium is missing")
        pytest.skip("needs /usr/bin/chromium")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


def login(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def submit(page, selector):
    with page.expect_navigation():
        page.click(selector)


@pytest.mark.parametrize("width", [1366, 390])
def test_a_firm_applies_from_the_supermarket_and_reads_the_banks_decline_category(
    browser, live_server, icbc, icbc_officer, width
):
    member = MembershipFactory(user__username="firm-admin", enterprise=EnterpriseFactory(region_code="440305"))
    page = browser.new_page(locale="zh-CN", viewport={"width": width, "height": 900})
    page.set_default_timeout(15_000)
    ARTIFACTS.mkdir(exist_ok=True)
    tag = f"{width}"

    login(page, live_server, "firm-admin")
    page.goto(f"{live_server.url}/enterprise/financing/")
    page.fill("input[name=amount]", "2000000")  # 200 亿: above the 10 亿 ceiling
    page.fill("input[name=term_months]", "12")
    page.fill("input[name=purpose]", "购置研发设备")
    page.fill("input[name=valid_until]", (date.today() + timedelta(days=60)).isoformat())
    submit(page, "#need-form button[type=submit]")
    assert "需求金额(万元):需求金额不能超过 10 亿元" in page.locator("#need-form").inner_text()
    assert not FinancingNeed.objects.exists()
    page.fill("input[name=amount]", "500")
    submit(page, "#need-form button[type=submit]")
    assert page.locator(".need").count() == 1

    page.goto(f"{live_server.url}/enterprise/financing/products/")
    product = icbc.products.get(name="积分贷")
    card = page.locator(f"#product-{product.pk}")
    assert "积分贷" in card.inner_text()
    page.screenshot(path=str(ARTIFACTS / f"financing-supermarket-{tag}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    submit(page, f"#product-{product.pk} button[type=submit]")
    page.wait_for_url("**/enterprise/consents/**")  # no consent to ICBC yet: the consent step, the bank chosen
    assert page.locator("select[name=bank]").input_value() == str(icbc.pk)
    page.select_option("select[name=scope]", "profile")
    submit(page, "#consent-form button[type=submit]")
    page.wait_for_url("**/enterprise/financing/products/")
    submit(page, f"#product-{product.pk} button[type=submit]")
    page.wait_for_url("**/enterprise/financing/")
    assert "已收到" in page.locator(".applications").inner_text()
    application = FinancingApplication.objects.get()

    login(page, live_server, icbc_officer.username)
    page.goto(f"{live_server.url}/bank/applications/")
    assert member.enterprise.name in page.locator("#applications").inner_text()
    page.click(f"#applications a[href='/bank/applications/{application.pk}/']")
    page.wait_for_url(f"**/bank/applications/{application.pk}/")
    assert page.locator("#status").inner_text() == "已查看"
    assert "购置研发设备" in page.locator("#need").inner_text()
    page.select_option("select[name=category]", "documents")
    page.fill("textarea[name=reason]", "内部备注:财报未盖章")
    submit(page, "button[data-status=declined]")
    assert page.locator("#status").inner_text() == "已拒绝"
    page.screenshot(path=str(ARTIFACTS / f"financing-bank-declined-{tag}.png"), full_page=True)

    login(page, live_server, "firm-admin")
    page.goto(f"{live_server.url}/enterprise/financing/")
    row = page.locator(f"#application-{application.pk}").inner_text()
    assert "已拒绝:资料不全" in row
    assert "财报未盖章" not in page.content()
    page.screenshot(path=str(ARTIFACTS / f"financing-firm-status-{tag}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.goto(f"{live_server.url}/enterprise/notices/")
    assert "已拒绝:资料不全" in page.locator("main").inner_text()
    page.close()
