"""Consent per bank (grant, replace, revoke, expiry) and the append-only log of bank reads of the profile."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import Bank
from enterprises.models import Consent, ProfileAccessLog
from enterprises.services import consent_grant, consent_revoke, profile_access_record
from enterprises.tests.factories import EnterpriseFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank():
    return Bank.objects.order_by("code").first()


def test_granting_again_replaces_the_active_consent_for_that_bank(firm, bank):
    first = consent_grant(enterprise=firm, bank=bank, user=None)
    second = consent_grant(enterprise=firm, bank=bank, user=None, scope="financials")
    first.refresh_from_db()
    assert not first.is_active() and second.is_active()
    consent_grant(enterprise=firm, bank=None, user=None)
    assert Consent.objects.active().filter(enterprise=firm).count() == 2


def test_an_expiry_in_the_past_is_refused(firm, bank):
    with pytest.raises(ValidationError) as info:
        consent_grant(enterprise=firm, bank=bank, user=None, expires_at=timezone.now() - timedelta(days=1))
    assert "expires_at" in info.value.message_dict
    assert not Consent.objects.exists()


def test_revoking_keeps_the_first_revocation_time(firm, bank):
    consent = consent_grant(enterprise=firm, bank=bank, user=None)
    consent_revoke(consent=consent, user=None)
    first = consent.revoked_at
    consent_revoke(consent=consent, user=None)
    assert consent.revoked_at == first and not consent.is_active()


def test_access_records_are_append_only(firm, bank):
    officer = UserFactory()
    log = profile_access_record(enterprise=firm, bank=bank, user=officer, scope="profile", ip="10.0.0.8")
    assert (log.user, log.scope, log.ip_address) == (officer, "profile", "10.0.0.8")
    with pytest.raises(ValueError):
        log.save()
    with pytest.raises(ValueError):
        profile_access_record(enterprise=firm, bank=bank, user=officer, scope="everything", ip=None)


def test_the_consent_page_grants_and_revokes(firm_client, firm, bank):
    url = reverse("enterprises:consents")
    assert firm_client.get(url).status_code == 200
    firm_client.post(url, {"bank": bank.pk, "scope": "profile", "expires_on": ""})
    consent = Consent.objects.get(enterprise=firm)
    assert consent.bank == bank and consent.is_active()
    firm_client.post(reverse("enterprises:consent-revoke", args=[consent.pk]))
    consent.refresh_from_db()
    assert not consent.is_active()


def test_another_firms_consent_cannot_be_revoked(firm_client, bank):
    other = consent_grant(enterprise=EnterpriseFactory(), bank=bank, user=None)
    assert firm_client.post(reverse("enterprises:consent-revoke", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.is_active()


def test_who_viewed_lists_only_our_own_reads_in_fixed_queries(firm_client, firm, bank):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("enterprises:access-log")
    officer = UserFactory(first_name="王经理")
    profile_access_record(enterprise=firm, bank=bank, user=officer, scope="profile", ip="10.1.1.1")
    profile_access_record(enterprise=EnterpriseFactory(), bank=bank, user=officer, scope="profile", ip="10.9.9.9")
    firm_client.get(url)
    with CaptureQueriesContext(connection) as one:
        html = firm_client.get(url).content.decode()
    assert "10.1.1.1" in html and "王经理" in html and "10.9.9.9" not in html
    for _ in range(5):
        profile_access_record(enterprise=firm, bank=bank, user=UserFactory(), scope="financials", ip=None)
    with CaptureQueriesContext(connection) as many:
        firm_client.get(url)
    assert len(one) == len(many)
    assert ProfileAccessLog.objects.filter(enterprise=firm).count() == 6


def test_only_the_firms_administrator_grants_a_consent_members_see_and_may_revoke(client, firm):
    from django.urls import reverse

    from core.exceptions import ApplicationError
    from enterprises.tests.factories import MembershipFactory

    member = MembershipFactory(enterprise=firm, role="member").user
    with pytest.raises(ApplicationError):
        consent_grant(enterprise=firm, bank=None, user=member)
    assert not Consent.objects.filter(enterprise=firm).exists()

    client.force_login(member)
    page = client.get(reverse("enterprises:consents"))
    assert page.status_code == 200 and 'id="consent-admin-only"' in page.content.decode()
    refused = client.post(reverse("enterprises:consents"), {"scope": "profile"})
    assert refused.status_code == 400 and not Consent.objects.filter(enterprise=firm).exists()

    admin = MembershipFactory(enterprise=firm).user  # role admin by default
    consent = consent_grant(enterprise=firm, bank=None, user=admin)
    client.post(reverse("enterprises:consent-revoke", args=[consent.pk]))
    consent.refresh_from_db()
    assert consent.revoked_at is not None
