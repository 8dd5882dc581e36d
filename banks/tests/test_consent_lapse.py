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

    visible = Recommendation.objects.visible_to(icbc_officer)
    listed, masked = Recommendation.objects.listed_to(icbc_officer), Recommendation.objects.masked_to(icbc_officer)
    assert set(masked) == set(visible.filter(consented=False)) == {worked}  # the two fast paths, the one rule
    assert set(listed) == set(visible.consented()) and untouched not in listed and worked not in listed
    assert all(rec.masked for rec in masked) and not any(rec.masked for rec in listed[:20])

    client.force_login(icbc_officer)
    page = client.get(reverse("banks:list")).content.decode()
    main, withdrawn = page.split('id="withdrawn"')
    assert worked.enterprise.name in withdrawn and worked.enterprise.name not in main  # listed apart, masked
    assert untouched.enterprise.name not in page
    assert f'href="{reverse("banks:detail", args=[worked.pk])}"' not in page
    grade_a = client.get(reverse("banks:list"), {"grade": worked.grade}).content.decode()
    assert worked.enterprise.name not in grade_a.split('id="withdrawn"')[0]  # no filter matches a masked row
    body = b"".join(client.get(reverse("banks:export")).streaming_content).decode("utf-8-sig")
    assert worked.enterprise.credit_code not in body and untouched.enterprise.credit_code not in body
    assert client.get(reverse("banks:detail", args=[worked.pk])).status_code == 404
    assert client.get(reverse("loans:create", args=[worked.pk])).status_code == 404

    api = session_client(icbc_officer)
    listed = {row["id"]: row for row in api.get("/api/v1/recommendations/", {"page_size": 500}).json()["results"]}
    assert untouched.pk not in listed and worked.pk not in listed  # lists and filters match consenting firms only
    assert listed and not any(row["consent_withdrawn"] for row in listed.values())  # the others are whole
    assert api.get("/api/v1/recommendations/", {"grade": worked.grade}).json()["results"][0]["id"] != worked.pk
    masked = api.get(f"/api/v1/recommendations/{worked.pk}/").json()  # the bank's own record, by id
    assert masked["consent_withdrawn"] is True and masked["status"] == "contacted" and masked["notes"] == "已电话联系"
    assert all(masked[f] is None for f in Recommendation.MASKED_FIELDS)
    assert api.get(f"/api/v1/recommendations/{untouched.pk}/").status_code == 404
    loan = api.post(f"/api/v1/recommendations/{worked.pk}/loan/", {"product": masked["id"]}, format="json")
    assert loan.status_code == 404  # no loan, and no hint of its products, once the consent is gone
