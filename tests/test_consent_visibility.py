"""Consent decides, request by request, whether a bank's officer sees a firm's profile; the firm sees every read.

Revoking (on the firm's consent page) or expiry hides the profile on the officer's very next request (a 404, and no
access-log row); every read that was allowed appears on the firm's "who viewed our data" page.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from banks.models import Recommendation
from enterprises.models import Consent, ProfileAccessLog
from enterprises.services import consent_grant
from enterprises.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rec(pushed, icbc):
    """ICBC's best current recommendation in Guangdong (its branch officer sees it too), whose firm now consents to
    ICBC alone (no blanket consent)."""
    rec = (
        Recommendation.objects.filter(bank=icbc, superseded=False, region_code__startswith="44")
        .order_by("list_rank")
        .first()
    )
    Consent.objects.filter(enterprise=rec.enterprise).delete()
    consent_grant(enterprise=rec.enterprise, bank=icbc, user=None)
    return rec


@pytest.fixture
def firm_client(client, rec):
    client.force_login(MembershipFactory(enterprise=rec.enterprise).user)
    return client


def profile(client, officer, rec, address="10.20.30.40"):
    client.force_login(officer)
    return client.get(reverse("banks:detail", args=[rec.pk]), REMOTE_ADDR=address)


def reads(rec) -> int:
    return ProfileAccessLog.objects.filter(enterprise=rec.enterprise).count()


def test_revoking_on_the_consent_page_hides_the_profile_on_the_next_request(client, rec, icbc, icbc_officer):
    from django.test import Client

    firm = Client()
    firm.force_login(MembershipFactory(enterprise=rec.enterprise).user)
    assert profile(client, icbc_officer, rec).status_code == 200
    consent = Consent.objects.active().get(enterprise=rec.enterprise, bank=icbc)
    assert firm.post(reverse("enterprises:consent-revoke", args=[consent.pk])).status_code == 302
    refused = profile(client, icbc_officer, rec)
    assert refused.status_code == 404  # the officer's very next request
    assert reads(rec) == 1  # the refused request read nothing and logged nothing
    # It says why, in the site's frame, and shows nothing of the firm but its name (which the list shows too).
    html = refused.content.decode()
    assert 'id="consent-withdrawn"' in html and rec.enterprise.name in html and str(rec.total) not in html


def test_revoking_the_blanket_consent_hides_the_firm_too(client, pushed, icbc, cmb, icbc_officer):
    rec = Recommendation.objects.filter(bank=icbc, superseded=False).order_by("list_rank").first()
    Consent.objects.filter(enterprise=rec.enterprise).delete()
    blanket = consent_grant(enterprise=rec.enterprise, bank=None, user=None)
    assert profile(client, icbc_officer, rec).status_code == 200
    firm = MembershipFactory(enterprise=rec.enterprise).user
    client.force_login(firm)
    client.post(reverse("enterprises:consent-revoke", args=[blanket.pk]))
    assert profile(client, icbc_officer, rec).status_code == 404


def test_an_expired_consent_hides_the_profile_on_the_next_request(client, rec, icbc, icbc_officer):
    Consent.objects.filter(enterprise=rec.enterprise).delete()
    now = timezone.now()
    consent = consent_grant(enterprise=rec.enterprise, bank=icbc, user=None, expires_at=now + timedelta(days=30))
    assert profile(client, icbc_officer, rec).status_code == 200
    # Time passes: move the consent's dates back past its expiry instead of mocking the clock.
    Consent.objects.filter(pk=consent.pk).update(
        granted_at=now - timedelta(days=31), expires_at=now - timedelta(seconds=1)
    )
    assert profile(client, icbc_officer, rec).status_code == 404
    assert reads(rec) == 1


def test_a_consent_about_to_expire_still_shows_the_profile(client, rec, icbc, icbc_officer):
    Consent.objects.filter(enterprise=rec.enterprise).delete()
    consent_grant(enterprise=rec.enterprise, bank=icbc, user=None, expires_at=timezone.now() + timedelta(minutes=1))
    assert profile(client, icbc_officer, rec).status_code == 200


def test_the_firm_sees_every_read_with_who_when_and_from_where(
    client, firm_client, rec, icbc, icbc_officer, icbc_gd_officer, cmb_officer
):
    from django.test import Client

    bank_side = Client()
    icbc_officer.first_name = "张行长"
    icbc_officer.save(update_fields=["first_name"])
    assert profile(bank_side, icbc_officer, rec, "10.0.0.1").status_code == 200
    assert profile(bank_side, icbc_officer, rec, "10.0.0.1").status_code == 200
    assert profile(bank_side, icbc_gd_officer, rec, "10.0.0.2").status_code == 200
    # CMB has no consent and no list row for this firm: a 404, nothing logged
    assert profile(bank_side, cmb_officer, rec, "10.0.0.3").status_code == 404

    assert reads(rec) == 3
    html = firm_client.get(reverse("enterprises:access-log")).content.decode()
    assert html.count("10.0.0.1") == 2 and "张行长" in html and "10.0.0.2" in html
    assert "10.0.0.3" not in html
    assert html.count("<tr><td>") == 3
