"""The bureau's API-client page: listing the clients of the officer's region, issuing one (the token shown once,
only its digest stored, the scopes fitting the kind of client), revoking one (401 at the next request), and 404 for
everyone else and for another region's clients."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import ApiClient, Bank, BankOfficer, GuaranteeInstitution, GuarantorStaff
from core.services import api_client_create, api_client_service_user
from tests.factories import BureauStaffFactory, UserFactory

LIST, NEW = reverse("api-clients:list"), reverse("api-clients:create")


@pytest.fixture
def gd_staff(db):
    return BureauStaffFactory(region_scope="44")


@pytest.fixture
def clients(gd_staff):
    """One client inside Guangdong, one in Beijing (issued by a national officer)."""
    national = BureauStaffFactory(region_scope="")
    home, _ = api_client_create(staff=gd_staff, name="广东省平台", scopes=["scores:read"], region_scope="4403")
    away, _ = api_client_create(staff=national, name="北京平台", scopes=["scores:read"], region_scope="11")
    return home, away


def test_bureau_staff_list_the_clients_of_their_region_only(client, gd_staff, clients, django_assert_max_num_queries):
    client.force_login(gd_staff.user)
    with django_assert_max_num_queries(8):
        page = client.get(LIST)
    html = page.content.decode()
    assert page.status_code == 200 and "广东省平台" in html and "北京平台" not in html
    assert clients[0].token_prefix in html
    assert 'href="/bureau/api-clients/"' in client.get(reverse("scoring:batch-list")).content.decode()  # the nav link


def test_issuing_a_client_shows_its_token_once_and_stores_only_its_digest(client, gd_staff):
    client.force_login(gd_staff.user)
    data = {"name": "广东省平台", "scopes": ["scores:read", "statistics:read"], "region_scope": "44"}
    response = client.post(NEW, data)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    token = re.search(r'<code id="token">([^<]+)</code>', response.content.decode()).group(1)
    record = ApiClient.objects.get(name="广东省平台")
    assert record.token_digest == ApiClient.digest(token) and token not in str(record.__dict__)
    assert (record.bank, record.region_scope, record.created_by) == (None, "44", gd_staff.user)
    assert sorted(record.scopes) == ["scores:read", "statistics:read"]
    assert token not in client.get(LIST).content.decode()  # never again
    assert token not in str(client.cookies) and not list(response.context["messages"])  # nor in a cookie or message
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(reverse("api:batch-list")).status_code == 200


def test_a_bureau_issues_no_token_for_a_bank(client, gd_staff):
    """A token that acts for a bank is the bank's own decision (``banks.client_views``): the bureau's form has no bank
    field, and a posted bank is ignored — a bank scope without a bank is then refused."""
    client.force_login(gd_staff.user)
    icbc = Bank.objects.get(code="icbc")
    response = client.post(NEW, {"name": "工行系统", "scopes": ["recommendations:read"], "region_scope": "44",
                                 "bank": icbc.pk})  # fmt: skip
    assert "bank" not in response.context["form"].fields and "scopes" in response.context["form"].errors
    assert not ApiClient.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "x", "scopes": ["scores:read"], "region_scope": "11"}, "region_scope"),  # outside Guangdong
        ({"name": "x", "scopes": ["scores:read"], "region_scope": "4x"}, "region_scope"),
        ({"name": "x", "scopes": ["loans:write"], "region_scope": "44"}, "scopes"),  # a bank's scope, no bank
        ({"name": "x", "scopes": ["statistics:read"], "region_scope": "44", "guarantor": "g"}, "scopes"),
        ({"name": " ", "scopes": ["scores:read"], "region_scope": "44"}, "name"),
        ({"name": "x", "scopes": [], "region_scope": "44"}, "scopes"),
    ],
)
def test_a_client_that_does_not_fit_is_refused_naming_the_field(client, gd_staff, data, field):
    data = dict(data)
    if data.get("guarantor") == "g":
        data["guarantor"] = GuaranteeInstitution.objects.create(name="某担保", kind="local").pk
    client.force_login(gd_staff.user)
    response = client.post(NEW, data)
    assert response.status_code == 200 and field in response.context["form"].errors, response.context["form"].errors
    assert not ApiClient.objects.exists()


def test_a_blank_region_means_the_officers_whole_region(gd_staff):
    record, _token = api_client_create(staff=gd_staff, name="广东省平台", scopes=["statistics:read"], region_scope="")
    assert record.region_scope == "44"


def test_revoking_takes_effect_at_the_next_request(client, gd_staff):
    record, token = api_client_create(staff=gd_staff, name="广东省平台", scopes=["scores:read"], region_scope="44")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(reverse("api:batch-list")).status_code == 200
    client.force_login(gd_staff.user)
    assert client.post(reverse("api-clients:revoke", args=[record.pk])).status_code == 302
    record.refresh_from_db()
    assert record.revoked_at is not None
    assert api.get(reverse("api:batch-list")).status_code == 401
    assert "已吊销" in client.get(LIST).content.decode()


def test_another_regions_client_is_404_to_revoke(client, gd_staff, clients):
    client.force_login(gd_staff.user)
    assert client.post(reverse("api-clients:revoke", args=[clients[1].pk])).status_code == 404
    clients[1].refresh_from_db()
    assert clients[1].revoked_at is None


@pytest.mark.parametrize("role", ["anonymous", "officer", "guarantor", "nobody"])
def test_people_without_a_bureau_role_get_404(client, clients, role):
    if role != "anonymous":
        user = UserFactory()
        if role == "officer":
            BankOfficer.objects.create(user=user, bank=Bank.objects.get(code="icbc"))
        elif role == "guarantor":
            GuarantorStaff.objects.create(
                user=user, institution=GuaranteeInstitution.objects.create(name="g", kind="local")
            )
        client.force_login(user)
    for method, url in (
        ("get", LIST),
        ("get", NEW),
        ("post", NEW),
        ("post", reverse("api-clients:revoke", args=[clients[0].pk])),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == (302 if role == "anonymous" else 404), (role, url)
    clients[0].refresh_from_db()
    assert clients[0].revoked_at is None


def test_a_service_account_follows_the_clients_institution(db):
    from core.services import bank_api_client_create

    icbc, cmb = Bank.objects.get(code="icbc"), Bank.objects.get(code="cmb")
    admin = BankOfficer.objects.create(user=UserFactory(), bank=icbc, is_admin=True)
    record, _ = bank_api_client_create(officer=admin, name="银行系统", scopes=["loans:write"])
    user = record.service_user
    assert not user.is_active and not user.has_usable_password()
    ApiClient.objects.filter(pk=record.pk).update(bank=cmb)  # changed in the admin
    record.refresh_from_db()
    assert api_client_service_user(client=record).bank_officer.bank == cmb
    assert BankOfficer.objects.filter(user=user).count() == 1


def test_a_reviewer_issues_and_revokes_no_token_and_each_issue_and_revocation_is_audited(client, db):
    from auditlog.models import LogEntry

    from core.exceptions import ApplicationError
    from core.services import api_client_create, api_client_revoke

    reviewer = BureauStaffFactory(region_scope="44", role="reviewer")
    with pytest.raises(ApplicationError):
        api_client_create(staff=reviewer, name="省平台", scopes=["scores:read"])
    client.force_login(reviewer.user)
    page = client.get(reverse("api-clients:list")).content.decode()
    assert 'id="new-client"' not in page and 'id="admins-issue"' in page
    refused = client.post(reverse("api-clients:create"), {"name": "x", "scopes": ["scores:read"]})
    assert refused.status_code == 200 and not ApiClient.objects.filter(name="x").exists()

    admin = BureauStaffFactory(region_scope="44")
    issued, token = api_client_create(staff=admin, name="省平台", scopes=["scores:read"])
    with pytest.raises(ApplicationError):
        api_client_revoke(staff=reviewer, client=issued)
    api_client_revoke(staff=admin, client=issued)
    entries = LogEntry.objects.get_for_object(issued).order_by("pk")
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert "revoked_at" in entries[1].changes_dict and token not in str([e.changes for e in entries])
