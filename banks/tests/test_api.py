"""The recommendations API: every endpoint × every role (allowed, 404 for what is not theirs, 403 without the scope,
401 without credentials), the shared FilterSet, the consent-gated profile and its access log, the workflow through
the pages' services, and query counts."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from banks.models import Recommendation
from banks.tests.api_fixtures import ROLES, ids, target_recommendation, token_client
from enterprises.models import Consent, ProfileAccessLog
from tests.api_support import fresh_throttle_counters  # noqa: F401 (fixture)

LIST = reverse("api:recommendation-list")


def urls(rec) -> dict[str, tuple[str, str, dict]]:
    return {
        "detail": ("get", reverse("api:recommendation-detail", args=[rec.pk]), {}),
        "profile": ("get", reverse("api:recommendation-profile", args=[rec.pk]), {}),
        "claim": ("post", reverse("api:recommendation-claim", args=[rec.pk]), {}),
        "status": ("post", reverse("api:recommendation-transition", args=[rec.pk]), {"status": "contacted"}),
        "notes": ("post", reverse("api:recommendation-notes", args=[rec.pk]), {"notes": "电话已联系"}),
        "reopen": ("post", reverse("api:recommendation-reopen", args=[rec.pk]), {}),  # releases the claim above
    }


READS, WRITES = ("detail", "profile"), ("claim", "status", "notes", "reopen")
# What each role gets on bank A's recommendation (list: the banks whose rows it lists; None = empty list).
EXPECTED = {
    "anonymous": (401, dict.fromkeys(READS + WRITES, 401)),
    "enterprise": (None, dict.fromkeys(READS + WRITES, 404)),
    "bureau-home": (None, dict.fromkeys(READS + WRITES, 404)),
    "bureau-other": (None, dict.fromkeys(READS + WRITES, 404)),
    "bank-a": ("icbc", dict.fromkeys(READS + WRITES, 200)),
    "bank-b": ("cmb", dict.fromkeys(READS + WRITES, 404)),
    "guarantor": (None, dict.fromkeys(READS + WRITES, 404)),
    "client-a-read": ("icbc", {**dict.fromkeys(READS, 200), **dict.fromkeys(WRITES, 403)}),
    "client-a-loans": (403, {**dict.fromkeys(READS, 403), **dict.fromkeys(WRITES, 200)}),
    "client-a-guarantees": (403, dict.fromkeys(READS + WRITES, 403)),
    "client-a-scores": (403, dict.fromkeys(READS + WRITES, 403)),
    "client-b": ("cmb", dict.fromkeys(READS + WRITES, 404)),
    "client-guarantor": (None, dict.fromkeys(READS + WRITES, 404)),
    "client-platform": (None, dict.fromkeys(READS + WRITES, 404)),
}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_on_every_recommendation_endpoint(callers, icbc, cmb, role):
    client = callers[role]
    listed, expected = EXPECTED[role]
    response = client.get(LIST, {"page_size": 500})
    if isinstance(listed, int):
        assert response.status_code == listed
        assert response.json()["code"] in ("not_authenticated", "permission_denied")
    else:
        rows = ids(response)
        bank = {"icbc": icbc, "cmb": cmb}.get(listed)
        current = Recommendation.objects.filter(bank=bank, superseded=False) if bank else Recommendation.objects.none()
        assert sorted(rows) == sorted(current.values_list("pk", flat=True))
        assert bank is None or rows, "the list should not be empty, or the comparison proves nothing"
    rec = target_recommendation(icbc)
    for name, (method, url, body) in urls(rec).items():
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == expected[name], (role, name, response.content[:300])
        if expected[name] >= 400:
            # a token refused for its scope is also told which scopes would do (core.api.auth.HasApiScope)
            extra = {"required_scopes"} if expected[name] == 403 else set()
            assert set(response.json()) == {"code", "message", "fields"} | extra
        if expected[name] == 404:
            assert response.json()["code"] == "not_found"


def test_the_list_takes_the_pages_filters(callers, icbc):
    client = callers["bank-a"]
    rows = Recommendation.objects.filter(bank=icbc, superseded=False)
    narrow = icbc.products.get(name="科创成长贷")
    cases = {
        "grade": ({"grade": rows[0].grade}, rows.filter(grade=rows[0].grade)),
        "region": ({"region": "32"}, rows.filter(region_code__startswith="32")),
        "stage": ({"stage": "growth"}, rows.filter(stage="growth")),
        "section": ({"section": rows[0].section}, rows.filter(section=rows[0].section)),
        "status": ({"status": "new"}, rows.filter(status="new")),
        "product": ({"product": narrow.pk}, [r for r in rows if narrow.pk in r.product_ids]),
        "preferred=false": ({"preferred": "false"}, rows.filter(preferred=False)),
        "grade=B&grade=C": ({"grade": ["B", "C"]}, rows.filter(grade__in="BC")),
        "stage, two": ({"stage": ["startup", "stable"]}, rows.filter(stage__in=["startup", "stable"])),
        "section, two": ({"section": [rows[0].section, "C"]}, rows.filter(section__in=[rows[0].section, "C"])),
        "q=credit code": ({"q": rows[0].enterprise.credit_code}, [rows[0]]),
        "q=name": (
            {"q": rows[0].enterprise.name[2:6]},
            rows.filter(enterprise__name__contains=rows[0].enterprise.name[2:6]),
        ),
    }
    for name, (params, expected) in cases.items():
        got = ids(client.get(LIST, {**params, "page_size": 500}))
        want = [r.pk for r in expected]
        assert want, f"the {name} case selects nothing: the test would prove nothing"
        assert sorted(got) == sorted(want), name


def test_mine_means_the_caller_or_the_clients_service_account(callers, icbc):
    rec = target_recommendation(icbc)
    client = callers["client-a-loans"]
    assert client.post(reverse("api:recommendation-claim", args=[rec.pk])).status_code == 200
    reader = token_client(scopes=["recommendations:read"], bank=icbc)
    assert ids(reader.get(LIST, {"mine": "true"})) == []  # another client of the bank: another account
    claimed = callers["bank-a"].get(LIST, {"mine": "true"})
    assert ids(claimed) == []
    service = client.api_client
    service.refresh_from_db()
    rec.refresh_from_db()
    assert rec.officer_id == service.service_user_id
    assert service.service_user.bank_officer.bank_id == icbc.pk and not service.service_user.is_active


def test_an_invalid_filter_is_a_400_naming_the_field(callers):
    for params in ({"grade": "Z"}, {"grade": ["A", "Z"]}, {"stage": "teen"}, {"section": "Z"}, {"region": "4x"},
                   {"region": "99"}, {"preferred": "perhaps"}, {"product": "one"}):  # fmt: skip
        response = callers["bank-a"].get(LIST, params)
        assert response.status_code == 400, params
        assert list(response.json()["fields"]) == list(params), params


def test_pages_walk_the_list_in_list_order_without_repeats(callers, icbc):
    client = callers["client-a-read"]
    seen, page = [], client.get(LIST, {"page_size": 7})
    while True:
        seen += page.json()["results"]
        if not page.json()["next"]:
            break
        page = client.get(page.json()["next"])
    assert [r["list_rank"] for r in seen] == sorted(r["list_rank"] for r in seen)
    assert len({r["id"] for r in seen}) == len(seen) == Recommendation.objects.filter(bank=icbc).count()


def test_a_branch_officer_and_a_regional_client_see_only_their_regions(pushed, icbc, icbc_gd_officer):
    from tests.api_support import session_client

    for client, region in (
        (session_client(icbc_gd_officer), "44"),
        (token_client(scopes=["recommendations:read"], bank=icbc, region_scope="32"), "32"),
    ):
        rows = client.get(LIST, {"page_size": 500}).json()["results"]
        assert rows and {r["region_code"][:2] for r in rows} == {region}
        other = Recommendation.objects.filter(bank=icbc).exclude(region_code__startswith=region).first()
        assert client.get(reverse("api:recommendation-detail", args=[other.pk])).status_code == 404


def test_the_profile_needs_a_consent_for_the_bank_and_every_read_is_logged(callers, icbc, cmb):
    rec = target_recommendation(icbc)
    client = callers["client-a-read"]
    url = reverse("api:recommendation-profile", args=[rec.pk])
    body = client.get(url).json()
    assert body["credit_code"] == rec.enterprise.credit_code and body["financials"] is None
    assert body["consent_scope"] == "profile" and body["lines"]
    service_user = client.api_client.__class__.objects.get(pk=client.api_client.pk).service_user
    log = ProfileAccessLog.objects.get(enterprise=rec.enterprise)
    assert (log.bank, log.user, log.scope) == (icbc, service_user, "profile")
    rec.refresh_from_db()
    assert rec.status == "viewed"  # as opening the page does
    Consent.objects.create(enterprise=rec.enterprise, bank=icbc, scope="financials")
    assert client.get(url).json()["financials"]["revenue"]
    assert ProfileAccessLog.objects.filter(enterprise=rec.enterprise).count() == 2
    Consent.objects.filter(enterprise=rec.enterprise).delete()
    Consent.objects.create(enterprise=rec.enterprise, bank=cmb)  # for another bank only
    assert client.get(url).status_code == 404
    assert ProfileAccessLog.objects.filter(enterprise=rec.enterprise).count() == 2  # a refused read logs nothing


def test_the_workflow_runs_through_the_pages_rules(callers, icbc):
    rec = target_recommendation(icbc)
    client = callers["client-a-loans"]
    status = reverse("api:recommendation-transition", args=[rec.pk])
    response = client.post(status, {"status": "declined"}, format="json")
    assert response.status_code == 400 and "decline_category" in response.json()["fields"]
    response = client.post(status, {"status": "declined", "decline_category": "whim"}, format="json")
    assert response.status_code == 400 and "decline_category" in response.json()["fields"]
    response = client.post(status, {"status": "contracted"}, format="json")
    assert response.status_code == 400 and response.json()["fields"]["non_field_errors"]
    response = client.post(status, {"status": "nonsense"}, format="json")
    assert response.status_code == 400 and "status" in response.json()["fields"]
    body = client.post(status, {"status": "contacted", "notes": "已电话联系"}, format="json").json()
    client.api_client.refresh_from_db()
    assert (body["status"], body["notes"], body["officer"]) == (
        "contacted",
        "已电话联系",
        client.api_client.service_user.username,  # the client's service account, an unguessable "svc-…"
    )
    # now followed by the client: an officer of the bank cannot move it
    response = callers["bank-a"].post(status, {"status": "approved"}, format="json")
    assert response.status_code == 400
    decline = {"status": "declined", "decline_category": "risk", "decline_reason": "经营风险"}
    body = client.post(status, decline, format="json").json()
    assert (body["status"], body["decline_category"], body["decline_reason"]) == ("declined", "risk", "经营风险")


def test_a_superseded_recommendation_is_readable_but_not_workable(callers, icbc):
    rec = target_recommendation(icbc)
    Recommendation.objects.filter(pk=rec.pk).update(superseded=True)
    client = callers["bank-a"]
    assert client.get(reverse("api:recommendation-detail", args=[rec.pk])).json()["superseded"] is True
    assert rec.pk not in ids(client.get(LIST, {"page_size": 500}))
    response = client.post(reverse("api:recommendation-transition", args=[rec.pk]), {"status": "contacted"})
    assert response.status_code == 400


def test_no_credentials_is_401_with_a_token_challenge(pushed):
    response = APIClient().get(LIST)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize("role", ["bank-a", "client-a-read"])
def test_the_list_runs_a_fixed_number_of_queries_whatever_the_page_size(callers, django_assert_max_num_queries, role):
    client = callers[role]
    client.get(LIST)  # first use: the client's service account is provisioned, last_used_at recorded
    for page_size in (5, 500):
        # session, user, officer, page (a session) / token, service account with its role, page (a client); then
        # the page's firms into their access logs: one INSERT … SELECT
        with django_assert_max_num_queries(5):
            assert client.get(LIST, {"page_size": page_size}).status_code == 200


def test_the_officers_page_uses_the_same_filterset(client, pushed, icbc, icbc_officer):
    """The page renders the shared FilterSet's form: a checkbox for "preferred", the bank's products to choose."""
    client.force_login(icbc_officer)
    grade = Recommendation.objects.filter(bank=icbc).first().grade
    page = client.get(reverse("banks:list"), {"preferred": "on", "grade": grade})
    expected = Recommendation.objects.filter(bank=icbc, superseded=False, preferred=True, grade=grade)
    assert expected.count() <= 50, "more than a page: compare the first page only"
    assert sorted(r.pk for r in page.context["page"]) == sorted(expected.values_list("pk", flat=True))
    assert expected.count() < Recommendation.objects.filter(bank=icbc, grade=grade).count()  # the checkbox filtered
    html = page.content.decode()
    assert 'type="checkbox" name="preferred"' in html and "checked" in html
    assert "科创成长贷" in html


def test_the_browsable_api_renders_the_bank_side_for_a_signed_in_officer(callers, icbc):
    """People use the browsable API with their session: each bank-side page renders as HTML."""
    rec = target_recommendation(icbc)
    client = callers["bank-a"]
    for url in (
        LIST,
        reverse("api:recommendation-detail", args=[rec.pk]),
        reverse("api:recommendation-transition", args=[rec.pk]),
        reverse("api:loan-list"),
        reverse("api:guarantee-list"),
    ):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code in (200, 405), (url, response.status_code)
        assert response["Content-Type"].startswith("text/html"), url
