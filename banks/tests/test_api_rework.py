"""Reopening and reassigning over the API: the pages' services (``banks.services.recommendation_reopen`` /
``recommendation_reassign``), so the same refusals naming the rule, the scope in the 403 body, another bank's row a
404, nothing saved on a refusal, and the caller in the audit trail."""

from django.urls import reverse

from banks.models import Recommendation
from banks.services import recommendation_transition
from banks.tests.api_fixtures import target_recommendation, token_client
from core.audit import audit_entries_of
from tests.api_support import fresh_throttle_counters  # noqa: F401 (fixture)


def reopen_url(rec):
    return reverse("api:recommendation-reopen", args=[rec.pk])


def reassign_url(rec):
    return reverse("api:recommendation-reassign", args=[rec.pk])


def declined_by(user, bank):
    return recommendation_transition(
        recommendation=target_recommendation(bank), user=user, status="declined", category="risk", reason="内部说明"
    )


def snapshot(rec) -> tuple:
    rec.refresh_from_db()
    return rec.status, rec.officer_id, rec.decline_category, rec.decline_reason, audit_entries_of(rec).count()


def test_a_client_reopens_the_row_it_declined_and_the_audit_names_its_service_account(callers, icbc):
    client = callers["client-a-loans"]
    status = reverse("api:recommendation-transition", args=[target_recommendation(icbc).pk])
    body = client.post(status, {"status": "declined", "decline_category": "line"}, format="json").json()
    rec = Recommendation.objects.get(pk=body["id"])
    body = client.post(reopen_url(rec)).json()
    assert (body["status"], body["decline_category"], body["decline_reason"]) == ("viewed", None, "")
    client.api_client.refresh_from_db()
    entry = audit_entries_of(rec).first()
    assert entry.actor == client.api_client.service_user and entry.additional_data == {"action": "reopen"}
    assert entry.changes["decline_category"] == ["line", ""]


def test_a_row_neither_declined_nor_claimed_is_a_400_naming_the_rule_and_nothing_is_saved(callers, icbc):
    rec = target_recommendation(icbc)
    before = snapshot(rec)
    response = callers["bank-a"].post(reopen_url(rec))
    assert response.status_code == 400
    assert "只能重新打开已拒绝或已认领的推荐记录" in response.json()["fields"]["non_field_errors"][0]
    assert snapshot(rec) == before


def test_the_rule_is_told_in_english_to_an_english_caller(callers, icbc):
    rec = target_recommendation(icbc)
    response = callers["bank-a"].post(reopen_url(rec), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "declined or claimed" in response.json()["fields"]["non_field_errors"][0]


def test_another_banks_officer_or_client_gets_404_and_nothing_changes(callers, icbc, icbc_officer, cmb_officer):
    rec = declined_by(icbc_officer, icbc)
    before = snapshot(rec)
    for caller in ("bank-b", "client-b"):
        assert callers[caller].post(reopen_url(rec)).json()["code"] == "not_found"
        response = callers[caller].post(reassign_url(rec), {"officer": cmb_officer.username}, format="json")
        assert response.status_code == 404
    assert snapshot(rec) == before


def test_a_token_without_loans_write_is_403_naming_the_scope(callers, icbc, icbc_officer):
    rec = declined_by(icbc_officer, icbc)
    before = snapshot(rec)
    for url in (reopen_url(rec), reassign_url(rec)):
        response = callers["client-a-read"].post(url, {"officer": "icbc-gd"}, format="json")
        assert response.status_code == 403 and response.json()["required_scopes"] == ["loans:write"]
    assert snapshot(rec) == before


def test_a_colleague_who_cannot_reopen_is_told_who_can(pushed, icbc, icbc_gd_officer):
    rec = declined_by(icbc_gd_officer, icbc)
    client = token_client(scopes=["loans:write"], bank=icbc)  # its service account follows nothing, is no admin
    before = snapshot(rec)
    response = client.post(reopen_url(rec))
    assert response.status_code == 400 and "本行管理员" in response.json()["fields"]["non_field_errors"][0]
    assert snapshot(rec) == before


def test_the_admin_reassigns_a_declined_row_to_a_colleague_by_username(callers, icbc, icbc_officer, icbc_gd_officer):
    rec = declined_by(icbc_officer, icbc)  # a Guangdong firm: the Guangdong officer sees it
    body = callers["bank-a"].post(reassign_url(rec), {"officer": icbc_gd_officer.username}, format="json").json()
    assert (body["officer"], body["status"]) == (icbc_gd_officer.username, "declined")
    entry = audit_entries_of(rec).first()
    assert entry.actor == icbc_officer and entry.additional_data == {"action": "reassign"}
    assert entry.changes["officer_id"] == [str(icbc_officer.pk), str(icbc_gd_officer.pk)]


def test_reassigning_to_nobody_or_to_an_officer_of_another_bank_is_a_400_on_officer(
    callers, icbc, icbc_officer, cmb_officer
):
    rec = declined_by(icbc_officer, icbc)
    before = snapshot(rec)
    for body in ({"officer": "no-such-user"}, {"officer": cmb_officer.username}, {}):
        response = callers["bank-a"].post(reassign_url(rec), body, format="json")
        assert response.status_code == 400 and "officer" in response.json()["fields"], body
    response = callers["bank-a"].post(reassign_url(rec), {"officer": cmb_officer.username}, format="json")
    assert "能看到该企业的本行客户经理" in response.json()["fields"]["officer"][0]
    assert snapshot(rec) == before
