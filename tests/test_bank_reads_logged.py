"""Every read of a named firm by a bank is in that firm's access log (issue "Trust holds", item 2): the score lookup
by credit code, the enterprise lookup, a page of scores or rankings, the scores CSV and the list export — by an
officer or a bank's API client — while the bureau's and a platform's reads are not the firm's business to audit."""

import pytest
from django.urls import reverse

from banks.models import Recommendation
from enterprises.models import ProfileAccessLog
from tests.api_support import token_client

pytestmark = pytest.mark.django_db


def _reads(enterprise_id, read):
    return ProfileAccessLog.objects.filter(enterprise_id=enterprise_id, read=read)


def test_a_banks_lookups_pages_and_exports_are_logged_per_firm(client, pushed, icbc, icbc_officer):
    rec = Recommendation.objects.filter(run=pushed, bank=icbc).order_by("list_rank").first()
    code, batch = rec.enterprise.credit_code, pushed.batch_id
    bank = token_client(scopes=["scores:read"], bank=icbc)
    platform = token_client(scopes=["scores:read"])

    assert bank.get(f"/api/v1/batches/{batch}/scores/{code}/").status_code == 200
    assert platform.get(f"/api/v1/batches/{batch}/scores/{code}/").status_code == 200  # not a bank: not logged
    assert _reads(rec.enterprise_id, "score").count() == 1
    assert bank.get(f"/api/v1/enterprises/{code}/").status_code == 200
    assert _reads(rec.enterprise_id, "enterprise").count() == 1

    page = bank.get(f"/api/v1/batches/{batch}/scores/", {"page_size": 5}).json()["results"]
    named = {row["credit_code"] for row in page}
    logged = set(ProfileAccessLog.objects.filter(read="score_list").values_list("enterprise__credit_code", flat=True))
    assert named and logged == named  # exactly the page's firms

    csv = b"".join(bank.get(f"/api/v1/batches/{batch}/scores.csv").streaming_content).decode()
    exported = len(csv.strip().splitlines()) - 1
    assert exported > 0 and ProfileAccessLog.objects.filter(read="score_export").count() == exported

    client.force_login(icbc_officer)
    b"".join(client.get(reverse("banks:export")).streaming_content)
    listed = Recommendation.objects.visible_to(icbc_officer).current().consented().count()
    assert ProfileAccessLog.objects.filter(read="list_export", user=icbc_officer).count() == listed > 0

    assert not ProfileAccessLog.objects.exclude(bank=icbc).exists()  # every entry names the bank that read


def test_the_list_page_and_the_api_list_and_detail_are_logged_per_firm_shown(client, pushed, icbc, icbc_officer):
    """The list names firms with their score, grade and need: each page shown is in each listed firm's log."""
    client.force_login(icbc_officer)
    page = client.get(reverse("banks:list"))
    shown = {rec.enterprise_id for rec in page.context["page"]}
    logged = set(
        ProfileAccessLog.objects.filter(read="list", user=icbc_officer).values_list("enterprise_id", flat=True)
    )
    assert shown and logged == shown

    bank = token_client(scopes=["recommendations:read"], bank=icbc)
    rows = bank.get("/api/v1/recommendations/", {"page_size": 5}).json()["results"]
    via_api = ProfileAccessLog.objects.filter(read="list").exclude(user=icbc_officer)
    assert {r["credit_code"] for r in rows} == set(via_api.values_list("enterprise__credit_code", flat=True))
    one = Recommendation.objects.get(pk=rows[0]["id"])
    assert bank.get(f"/api/v1/recommendations/{one.pk}/").status_code == 200
    assert _reads(one.enterprise_id, "recommendation").count() == 1
