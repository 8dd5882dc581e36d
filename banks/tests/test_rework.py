"""Reopening and reassigning a declined or claimed row, and the fixed decline categories (pages and services)."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from banks.models import Recommendation
from banks.services import (
    recommendation_claim,
    recommendation_reassign,
    recommendation_reopen,
    recommendation_transition,
)
from banks.tests.fixtures import officer_of
from core.audit import audit_entries_of
from core.exceptions import ApplicationError


def first(bank, **filters):
    return Recommendation.objects.filter(bank=bank, superseded=False, **filters).order_by("list_rank").first()


def declined(user, bank, **filters):
    return recommendation_transition(
        recommendation=first(bank, status="new", **filters), user=user, status="declined", category="risk",
        reason="内部:负债率偏高",
    )  # fmt: skip


def test_an_officer_reopens_a_declined_row_and_the_audit_trail_names_them(client, pushed, icbc, icbc_officer):
    rec = declined(icbc_officer, icbc)
    client.force_login(icbc_officer)
    page = client.get(reverse("banks:detail", args=[rec.pk])).content.decode()
    assert "风险偏高" in page and 'id="reopen"' in page
    response = client.post(reverse("banks:reopen", args=[rec.pk]), follow=True)
    assert "已保存" in response.content.decode()
    rec.refresh_from_db()
    assert (rec.status, rec.decline_category, rec.decline_reason, rec.officer) == ("viewed", "", "", icbc_officer)
    entry = audit_entries_of(rec).first()
    assert entry.actor == icbc_officer and entry.additional_data == {"action": "reopen"}
    assert entry.changes["status"] == ["declined", "viewed"] and entry.changes["decline_category"] == ["risk", ""]
    # it can be worked again
    rec = recommendation_transition(recommendation=rec, user=icbc_officer, status="contacted")
    assert rec.status == "contacted"


def test_reopening_a_claimed_row_releases_the_claim(pushed, icbc, icbc_officer):
    rec = recommendation_claim(recommendation=first(icbc), user=icbc_officer)
    rec = recommendation_reopen(recommendation=rec, user=icbc_officer)
    assert rec.officer is None and rec.status == "new"
    assert audit_entries_of(rec).first().changes["officer_id"] == [str(icbc_officer.pk), "None"]


def test_a_row_neither_declined_nor_claimed_is_not_reopened_and_the_message_names_the_rule(
    client, pushed, icbc, icbc_officer
):
    rec = first(icbc)
    with pytest.raises(ApplicationError, match="只能重新打开已拒绝或已认领的推荐记录"):
        recommendation_reopen(recommendation=rec, user=icbc_officer)
    client.force_login(icbc_officer)
    response = client.post(reverse("banks:reopen", args=[rec.pk]), follow=True)
    assert "只能重新打开已拒绝或已认领的推荐记录" in response.content.decode()
    assert not LogEntry.objects.get_for_object(rec).exists()


def test_an_officer_of_another_bank_gets_404_and_nothing_changes(client, pushed, icbc, icbc_officer, cmb_officer):
    rec = declined(icbc_officer, icbc)
    client.force_login(cmb_officer)
    assert client.post(reverse("banks:reopen", args=[rec.pk])).status_code == 404
    assert client.post(reverse("banks:reassign", args=[rec.pk]), {"officer": cmb_officer.pk}).status_code == 404
    rec.refresh_from_db()
    assert (rec.status, rec.officer) == ("declined", icbc_officer)


def test_only_the_following_officer_or_the_banks_admin_reopens_a_colleagues_row(
    pushed, icbc, icbc_officer, icbc_gd_officer
):
    rec = declined(icbc_gd_officer, icbc, region_code__startswith="44")
    plain = officer_of(icbc, "icbc-plain")
    with pytest.raises(ApplicationError, match="本行管理员"):
        recommendation_reopen(recommendation=rec, user=plain)
    rec = recommendation_reopen(recommendation=rec, user=icbc_officer)  # the admin
    assert rec.status == "viewed"


def test_a_row_is_reassigned_to_a_colleague_who_can_see_it(client, pushed, icbc, icbc_officer, icbc_gd_officer):
    jiangsu = declined(icbc_officer, icbc, region_code__startswith="32")
    with pytest.raises(ValidationError, match="能看到该企业"):  # the Guangdong branch officer cannot see a Jiangsu firm
        recommendation_reassign(recommendation=jiangsu, user=icbc_officer, officer=icbc_gd_officer)
    rec = recommendation_claim(recommendation=first(icbc, region_code__startswith="44"), user=icbc_officer)
    client.force_login(icbc_officer)
    page = client.get(reverse("banks:detail", args=[rec.pk])).content.decode()
    assert 'id="reassign"' in page and f'value="{icbc_gd_officer.pk}"' in page
    client.post(reverse("banks:reassign", args=[rec.pk]), {"officer": icbc_gd_officer.pk})
    rec.refresh_from_db()
    assert rec.officer == icbc_gd_officer
    entry = audit_entries_of(rec).first()
    assert entry.actor == icbc_officer and entry.changes["officer_id"] == [
        str(icbc_officer.pk),
        str(icbc_gd_officer.pk),
    ]


def test_a_contracted_or_superseded_row_is_neither_reopened_nor_reassigned(pushed, icbc, icbc_officer):
    rec = first(icbc)
    Recommendation.objects.filter(pk=rec.pk).update(status="contracted", officer=icbc_officer)
    with pytest.raises(ApplicationError, match="已签约"):
        recommendation_reopen(recommendation=rec, user=icbc_officer)
    other = declined(icbc_officer, icbc)
    Recommendation.objects.filter(pk=other.pk).update(superseded=True)
    with pytest.raises(ApplicationError, match="取代"):
        recommendation_reopen(recommendation=other, user=icbc_officer)


def test_the_decline_form_offers_the_fixed_categories_and_an_internal_note(client, pushed, icbc, icbc_officer):
    rec = first(icbc)
    client.force_login(icbc_officer)
    page = client.get(reverse("banks:detail", args=[rec.pk])).content.decode()
    for label in ("资质不符", "额度不足", "风险偏高", "企业无意向", "资料不全", "其他"):
        assert label in page
    client.post(reverse("banks:status", args=[rec.pk]), {"status": "declined", "category": "line", "reason": "内部"})
    rec.refresh_from_db()
    assert (rec.status, rec.decline_category, rec.decline_reason) == ("declined", "line", "内部")
