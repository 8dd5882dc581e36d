"""Methodology §7, consent is per bank: a firm is on a bank's list only with an active consent covering that bank."""

from datetime import timedelta

import pytest
from django.utils import timezone

from banks.models import Recommendation
from banks.services import recommendation_list_push, recommendation_rows
from enterprises.models import Consent
from enterprises.services import consent_grant

pytestmark = pytest.mark.django_db


def _listed(run, bank) -> set[int]:
    rows = recommendation_rows(run=run, bank=bank)
    return set(rows["enterprise_id"].tolist()) if len(rows) else set()


def test_a_consent_naming_one_bank_puts_the_firm_on_that_banks_list_alone(run, icbc, cmb):
    both = sorted(_listed(run, icbc) & _listed(run, cmb))
    assert len(both) >= 2, "the fixture population must hold firms that fit both banks"
    named, withdrawn = both[0], both[1]
    Consent.objects.filter(enterprise_id__in=[named, withdrawn]).update(revoked_at=timezone.now())
    consent_grant(enterprise=Consent.objects.filter(enterprise_id=named).first().enterprise, bank=cmb, user=None)

    recommendation_list_push(run=run, bank=icbc)
    recommendation_list_push(run=run, bank=cmb)
    on_icbc = set(Recommendation.objects.filter(run=run, bank=icbc).values_list("enterprise_id", flat=True))
    on_cmb = set(Recommendation.objects.filter(run=run, bank=cmb).values_list("enterprise_id", flat=True))
    assert named in on_cmb and named not in on_icbc
    assert withdrawn not in on_cmb and withdrawn not in on_icbc  # no consent left at all
    assert len(on_icbc) == len(_listed(run, icbc)) > 0  # the others are still listed


def test_is_active_and_the_sql_rule_agree(run):
    now = timezone.now()
    firm = Consent.objects.first().enterprise
    cases = [
        {"granted_at": now - timedelta(days=1)},
        {"granted_at": now + timedelta(days=1)},  # not yet in force
        {"granted_at": now - timedelta(days=2), "expires_at": now - timedelta(days=1)},  # expired
        {"granted_at": now - timedelta(days=2), "expires_at": now + timedelta(days=1)},
        {"granted_at": now - timedelta(days=2), "revoked_at": now - timedelta(hours=1)},  # revoked
    ]
    consents = [Consent.objects.create(enterprise=firm, scope="profile", **case) for case in cases]
    in_sql = set(Consent.objects.active().filter(pk__in=[c.pk for c in consents]).values_list("pk", flat=True))
    assert {c.pk for c in consents if c.is_active()} == in_sql == {consents[0].pk, consents[3].pk}
