"""In Chromium: an irreversible action states its consequence and asks first (issue 17 item 6). A firm revoking a
consent sees the confirmation; dismissing it keeps the consent, accepting it revokes."""

import os
from pathlib import Path

import pytest

from enterprises.models import Consent
from enterprises.tests.factories import ConsentFactory, EnterpriseFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "Confirm-pass-2024"


@pytest.fixture
def page():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but Chromium is missing")
        pytest.skip("needs /usr/bin/chromium")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        page = browser.new_page(locale="zh-CN")
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def test_revoking_a_consent_asks_first_and_says_what_it_does(page, live_server):
    firm = EnterpriseFactory(region_code="440305")
    user = MembershipFactory(enterprise=firm).user
    user.set_password(PASSWORD)
    user.save()
    consent = ConsentFactory(enterprise=firm)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/enterprise/consents/")

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("form[data-confirm] button")
    page.wait_for_timeout(300)
    assert asked and "看不到" in asked[0]
    consent.refresh_from_db()
    assert consent.revoked_at is None  # dismissed: nothing happened

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("form[data-confirm] button")
    assert not Consent.objects.active().filter(pk=consent.pk).exists()
