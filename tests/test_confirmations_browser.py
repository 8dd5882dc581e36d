"""In Chromium: an irreversible action states its consequence and asks first (issue 17 item 6). A firm revoking a
consent sees the confirmation; dismissing it keeps the consent, accepting it revokes."""

import pytest

from enterprises.models import Consent
from enterprises.tests.factories import ConsentFactory, EnterpriseFactory, MembershipFactory
from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "Confirm-pass-2024"


def test_revoking_a_consent_asks_first_and_says_what_it_does(page, live_server):
    firm = EnterpriseFactory(region_code="440305")
    user = MembershipFactory(enterprise=firm).user
    user.set_password(PASSWORD)
    user.save()
    consent = ConsentFactory(enterprise=firm)
    sign_in(page, live_server.url, user.username, PASSWORD)
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
