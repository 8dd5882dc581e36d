"""Consent governs every bank read (issue "Trust holds", item 1): when a firm's consent to the bank lapses, the next
request shows nothing of the firm — page, CSV, API list and detail, loan form — and a row the bank already worked
stays in its records as a masked line ("授权已撤销") without a single figure of the firm."""

import pytest
from django.urls import reverse
from django.utils import timezone

from banks.models import Recommendation
from banks.services import recommendation_list_push, recommendation_transition
from enterprises.models import Consent
from tests.api_support import session_client

pytestmark = pytest.mark.django_db


def test_a_lapsed_consent_hides_the_firm_and_masks_the_bank_s_own_work(client, run, icbc, icbc_officer):
    recommendation_list_push(run=run, bank=icbc)
    rows = Recommendation.objects.filter(run=run, bank=icbc).order_by("list_rank")
    worked, untouched = rows[0], rows[1]
    recommendation_transition(recommendation=worked, user=icbc_officer, status="contacted", notes="已电话联系")
    Consent.objects.filter(enterprise_id__in=[worked.enterprise_id, untouched.enterprise_id]).update(
        revoked_at=timezone.now()
    )

    client.force_login(icbc_officer)
    page = client.get(reverse("banks:list")).content.decode()
    assert worked.enterprise.name in page and untouched.enterprise.name not in page
    assert page.count("授权已撤销") == 1 and f'href="{reverse("banks:detail", args=[worked.pk])}"' not in page
    body = b"".join(client.get(reverse("banks:export")).streaming_content).decode("utf-8-sig")
    assert worked.enterprise.credit_code not in body and untouched.enterprise.credit_code not in body
    assert client.get(reverse("banks:detail", args=[worked.pk])).status_code == 404
    assert client.get(reverse("loans:create", args=[worked.pk])).status_code == 404

    api = session_client(icbc_officer)
    listed = {row["id"]: row for row in api.get("/api/v1/recommendations/", {"page_size": 500}).json()["results"]}
    assert untouched.pk not in listed
    masked = listed[worked.pk]
    assert masked["consent_withdrawn"] is True and masked["status"] == "contacted" and masked["notes"] == "已电话联系"
    assert all(masked[f] is None for f in Recommendation.MASKED_FIELDS)
    assert api.get(f"/api/v1/recommendations/{untouched.pk}/").status_code == 404
    others = [row for row in listed.values() if row["id"] != worked.pk]
    assert others and not any(row["consent_withdrawn"] for row in others)  # the others are whole
