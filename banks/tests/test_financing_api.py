"""The financing API (issue #15): a firm's member posts needs and applies; a bank's client reads the applications
addressed to it and moves them along; bad input is a 400 naming the field, and nothing is saved."""

from datetime import date, timedelta

import pytest
from rest_framework.test import APIClient

from banks.models import FinancingApplication, FinancingNeed
from banks.tests.api_fixtures import token_client
from enterprises.tests.factories import ConsentFactory, EnterpriseFactory, MembershipFactory

pytestmark = pytest.mark.django_db
TOMORROW = (date.today() + timedelta(days=1)).isoformat()
NEED = {"amount": "500", "term_months": 12, "purpose": "采购", "valid_until": TOMORROW}


@pytest.fixture
def member():
    return MembershipFactory(enterprise=EnterpriseFactory(region_code="440305"))


@pytest.fixture
def firm_api(member):
    client = APIClient()
    client.force_login(member.user)
    return client


@pytest.mark.parametrize(
    ("field", "value"), [("amount", "100000.01"), ("valid_until", (date.today() - timedelta(days=1)).isoformat())]
)
def test_a_bad_need_is_a_400_naming_the_field_and_nothing_is_saved(firm_api, field, value):
    response = firm_api.post("/api/v1/financing-needs/", {**NEED, field: value}, format="json")
    assert response.status_code == 400 and field in str(response.json())
    assert not FinancingNeed.objects.exists()


def test_a_firm_posts_a_need_applies_and_reads_a_decline_by_its_category_only(firm_api, member, icbc, icbc_officer):
    need = firm_api.post("/api/v1/financing-needs/", NEED, format="json")
    assert need.status_code == 201, need.json()
    refused = firm_api.post("/api/v1/financing-applications/", {"need": need.json()["id"], "bank": icbc.pk})
    assert refused.status_code == 400 and "bank" in str(refused.json())  # no consent to ICBC yet
    assert not FinancingApplication.objects.exists()
    ConsentFactory(enterprise=member.enterprise, bank=icbc)
    applied = firm_api.post("/api/v1/financing-applications/", {"need": need.json()["id"], "bank": icbc.pk})
    assert applied.status_code == 201, applied.json()

    bank = token_client(scopes=["recommendations:read", "loans:write"], bank=icbc)
    incoming = bank.get("/api/v1/incoming-applications/").json()["results"]
    assert [row["enterprise_name"] for row in incoming] == [member.enterprise.name]
    pk = incoming[0]["id"]
    assert bank.get(f"/api/v1/incoming-applications/{pk}/").json()["status"] == "viewed"
    missing = bank.post(f"/api/v1/incoming-applications/{pk}/status/", {"status": "declined"})
    assert missing.status_code == 400 and "decline_category" in str(missing.json())
    declined = bank.post(
        f"/api/v1/incoming-applications/{pk}/status/",
        {"status": "declined", "decline_category": "line", "decline_reason": "内部:额度已满"},
    )
    assert declined.status_code == 200 and declined.json()["status"] == "declined"

    mine = firm_api.get("/api/v1/financing-applications/")
    assert mine.json()["results"][0]["status_label"] == "已拒绝:额度不足"
    assert "额度已满" not in mine.content.decode() and "decline_reason" not in mine.content.decode()


def test_a_bank_client_reads_no_firm_need_and_no_application_of_another_bank(member, icbc, cmb):
    ConsentFactory(enterprise=member.enterprise)
    need = FinancingNeed.objects.create(enterprise=member.enterprise, amount=100, term_months=6, purpose="x",
                                        valid_until=date.today())  # fmt: skip
    FinancingApplication.objects.create(need=need, bank=cmb)
    bank = token_client(scopes=["recommendations:read"], bank=icbc)
    assert bank.get("/api/v1/financing-needs/").status_code == 403
    assert bank.get("/api/v1/incoming-applications/").json()["results"] == []
    assert bank.post(f"/api/v1/incoming-applications/{need.applications.get().pk}/status/",
                     {"status": "contacted"}).status_code in (403, 404)  # fmt: skip
