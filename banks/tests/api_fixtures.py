"""Callers of every role for the bank-side API tests (recommendations, loans, guarantees, statistics).

Bank A is ICBC (branches in Guangdong and Jiangsu), bank B is CMB (Guangdong), as in ``banks.tests.fixtures``; the
guarantor is the local guarantor of ``guaranteed_loan``. Token clients are made as the admin makes them (no service
account yet), so every test also covers the account's provisioning on first use.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from banks.models import LoanProduct, Recommendation
from banks.tests.fixtures import approved_recommendation
from core.models import ApiClient, GuaranteeInstitution, GuarantorStaff
from enterprises.models import Consent, EnterpriseMembership
from loans.services import loan_contract_create
from tests.api_support import session_client
from tests.factories import BureauStaffFactory, UserFactory

D = Decimal
ALL_SCOPES = ("scores:read", "recommendations:read", "loans:write", "guarantees:write", "statistics:read")

ROLES = [
    "anonymous", "enterprise", "bureau-home", "bureau-other", "bank-a", "bank-b", "guarantor", "client-a-read",
    "client-a-loans", "client-a-guarantees", "client-a-scores", "client-b", "client-guarantor", "client-platform",
]  # fmt: skip


def target_recommendation(bank) -> Recommendation:
    """Bank A's best current recommendation of a Guangdong firm consenting to share with it."""
    rows = Recommendation.objects.filter(bank=bank, superseded=False, region_code__startswith="44")
    for rec in rows.order_by("list_rank"):
        if Consent.objects.filter(enterprise_id=rec.enterprise_id, revoked_at__isnull=True).exists():
            return rec
    raise AssertionError("no consenting firm on the list")


def loan_on(rec, user, *, mode="special_plan"):
    product = LoanProduct.objects.get(pk=rec.product_ids[0])
    return loan_contract_create(
        recommendation=rec, user=user, product=product, amount=D(100), rate=D(3), term_months=6,
        signed_on=date.today(), guarantee_mode=mode,
    )  # fmt: skip


def token_client(*, scopes, bank=None, guarantor=None, region_scope=""):
    """An APIClient with the token of a new ApiClient made as the admin makes one (no service account yet)."""
    record = ApiClient(name="client", scopes=list(scopes), region_scope=region_scope, bank=bank, guarantor=guarantor)
    token = record.issue_token()
    record.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    client.api_client = record
    return client


@pytest.fixture
def institutions(db):
    provincial = GuaranteeInstitution.objects.create(name="某省再担保", kind="provincial", region_scope="44")
    local = GuaranteeInstitution.objects.create(name="某市担保", kind="local", region_scope="44")
    return provincial, local


def guarantee_on(loan, user, provincial, local):
    from guarantees.services import guarantee_contract_create

    return guarantee_contract_create(
        loan=loan, user=user, guarantor=local, reguarantor=provincial, amount=D(100), bank_share=D(20),
        national_fund_share=D(30), provincial_share=D(25), local_share=D(25), guarantee_fee_rate=D(1),
        reguarantee_fee_rate=D("0.3"), signed_on=date.today(),
    )  # fmt: skip


@pytest.fixture
def callers(pushed, icbc, cmb, icbc_officer, cmb_officer, institutions):
    """One API caller per role; ``callers.records`` keeps what the tests compare against."""
    rec = target_recommendation(icbc)
    member = UserFactory(username="firm-member")
    EnterpriseMembership.objects.create(user=member, enterprise=rec.enterprise, role="admin", approved=True)
    guarantor = UserFactory(username="guarantor-staff")
    GuarantorStaff.objects.create(user=guarantor, institution=institutions[1])
    roles = {
        "anonymous": APIClient(),
        "enterprise": session_client(member),
        "bureau-home": session_client(BureauStaffFactory(region_scope="44").user),
        "bureau-other": session_client(BureauStaffFactory(region_scope="11").user),
        "bank-a": session_client(icbc_officer),
        "bank-b": session_client(cmb_officer),
        "guarantor": session_client(guarantor),
        "client-a-read": token_client(scopes=["recommendations:read"], bank=icbc),
        "client-a-loans": token_client(scopes=["loans:write"], bank=icbc),
        "client-a-guarantees": token_client(scopes=["guarantees:write"], bank=icbc),
        "client-a-scores": token_client(scopes=["scores:read", "statistics:read"], bank=icbc),
        "client-b": token_client(scopes=ALL_SCOPES, bank=cmb),
        "client-guarantor": token_client(scopes=ALL_SCOPES, guarantor=institutions[1]),
        "client-platform": token_client(scopes=ALL_SCOPES, region_scope="44"),
    }
    assert set(roles) == set(ROLES)
    return roles


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


__all__ = [
    "ALL_SCOPES", "D", "ROLES", "approved_recommendation", "callers", "guarantee_on", "ids", "institutions",
    "loan_on", "target_recommendation", "token_client",
]  # fmt: skip
