"""A bank's own API clients: only the bank's administrator issues and revokes the tokens that act for the bank, inside
the administrator's area; the token is shown once on the response; every issue and revocation is audited; other
officers see the list; another bank's clients are 404; the admin site issues nothing."""

import re

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from rest_framework.test import APIClient

from core.exceptions import ApplicationError
from core.models import ApiClient, Bank, BankOfficer, Branch
from core.services import bank_api_client_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LIST, NEW = reverse("banks:api-clients"), reverse("banks:api-client-create")


def _officer(bank_code="icbc", *, admin=False, branch_region=None):
    bank = Bank.objects.get(code=bank_code)
    branch = Branch.objects.create(bank=bank, name="深圳分行", region_scope=branch_region) if branch_region else None
    return BankOfficer.objects.create(user=UserFactory(), bank=bank, branch=branch, is_admin=admin)


def _token(response) -> str:
    return re.search(r'<code id="token">([^<]+)</code>', response.content.decode()).group(1)


def test_the_banks_administrator_issues_a_token_for_the_bank_shown_once(client):
    admin = _officer(admin=True)
    client.force_login(admin.user)
    response = client.post(NEW, {"name": "工行信贷系统", "scopes": ["recommendations:read", "loans:write"]})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    token = _token(response)
    record = ApiClient.objects.get(name="工行信贷系统")
    assert (record.bank, record.region_scope, record.created_by) == (admin.bank, "", admin.user)
    assert record.token_digest == ApiClient.digest(token) and record.service_user.bank_officer.bank == admin.bank
    assert not list(response.context["messages"]) and token not in str(client.cookies)
    listed = client.get(LIST).content.decode()
    assert "工行信贷系统" in listed and record.token_prefix in listed and token not in listed
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(reverse("api:recommendation-list")).status_code == 200


def test_the_form_offers_bank_scopes_only_and_refuses_others_naming_the_field(client):
    admin = _officer(admin=True)
    client.force_login(admin.user)
    offered = {value for value, _label in client.get(NEW).context["form"].fields["scopes"].choices}
    assert offered == {"scores:read", "recommendations:read", "loans:write", "guarantees:write"}
    refused = client.post(NEW, {"name": "x", "scopes": ["statistics:read"]})
    assert "scopes" in refused.context["form"].errors and not ApiClient.objects.exists()


def test_a_branch_administrator_issues_inside_the_branch_region_only(client):
    admin = _officer(admin=True, branch_region="4403")
    client.force_login(admin.user)
    refused = client.post(NEW, {"name": "x", "scopes": ["scores:read"], "region_scope": "44"})
    assert "4403" in " ".join(refused.context["form"].errors["region_scope"]) and not ApiClient.objects.exists()
    client.post(NEW, {"name": "深圳系统", "scopes": ["scores:read"]})
    assert ApiClient.objects.get().region_scope == "4403"


def test_an_officer_who_is_not_the_banks_administrator_sees_the_list_but_issues_and_revokes_nothing(client):
    admin, officer = _officer(admin=True), _officer()
    client.force_login(admin.user)
    client.post(NEW, {"name": "工行信贷系统", "scopes": ["scores:read"]})
    record = ApiClient.objects.get()
    client.force_login(officer.user)
    page = client.get(LIST).content.decode()
    assert "工行信贷系统" in page and 'id="new-client"' not in page and 'id="admins-issue"' in page
    refused = client.post(NEW, {"name": "私发", "scopes": ["scores:read"]}, follow=True)
    assert refused.redirect_chain[-1][0] == LIST and "只有本行管理员" in refused.content.decode()
    assert client.get(NEW).url == LIST  # no form to fill in for nothing
    with pytest.raises(ApplicationError, match="管理员"):  # the rule itself, whatever calls it
        bank_api_client_create(officer=officer, name="私发", scopes=["scores:read"], region_scope="")
    assert not ApiClient.objects.filter(name="私发").exists()
    client.post(reverse("banks:api-client-revoke", args=[record.pk]))
    record.refresh_from_db()
    assert record.revoked_at is None


def test_another_banks_clients_are_not_listed_and_404_to_revoke(client):
    icbc_admin, cmb_admin = _officer(admin=True), _officer("cmb", admin=True)
    client.force_login(icbc_admin.user)
    client.post(NEW, {"name": "工行信贷系统", "scopes": ["scores:read"]})
    record = ApiClient.objects.get()
    client.force_login(cmb_admin.user)
    assert "工行信贷系统" not in client.get(LIST).content.decode()
    assert client.post(reverse("banks:api-client-revoke", args=[record.pk])).status_code == 404
    record.refresh_from_db()
    assert record.revoked_at is None


def test_issue_and_revocation_are_audited_and_revoking_ends_the_token(client):
    admin = _officer(admin=True)
    client.force_login(admin.user)
    token = _token(client.post(NEW, {"name": "工行信贷系统", "scopes": ["recommendations:read"]}))
    record = ApiClient.objects.get()
    assert client.post(reverse("banks:api-client-revoke", args=[record.pk])).status_code == 302
    entries = LogEntry.objects.get_for_object(record).order_by("pk")
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert entries[0].actor == admin.user and "revoked_at" in entries[1].changes_dict
    assert token not in str([e.changes for e in entries])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(reverse("api:recommendation-list")).status_code == 401


def test_the_admin_site_issues_no_token(admin_client):
    assert admin_client.get(reverse("admin:core_apiclient_add")).status_code == 403
    assert "新令牌" not in admin_client.get(reverse("admin:core_apiclient_changelist")).content.decode()
