"""The guarantee API under the special guarantee plan: every endpoint × every role (allowed, 404 for what is not
theirs, 403 without the scope, 401 without credentials), the plan's rules through ``guarantees.services``,
compensation events (the guarantor's), and query counts."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from banks.tests.api_fixtures import ROLES, approved_recommendation, guarantee_on, ids, loan_on
from guarantees.models import CompensationEvent, GuaranteeContract
from loans.models import LoanContract
from tests.api_support import fresh_throttle_counters  # noqa: F401 (fixture)

LIST = reverse("api:guarantee-list")
SEES_IT = {"bank-a", "guarantor", "client-a-guarantees", "client-guarantor"}  # bank A's loan, guarantor's guarantee
GUARANTOR = {"guarantor", "client-guarantor"}
BANK_A = {"bank-a", "client-a-guarantees"}
NO_SCOPE = {"client-a-read", "client-a-loans", "client-a-scores"}


@pytest.fixture
def guarantee(callers, icbc, icbc_officer, institutions):
    loan = loan_on(approved_recommendation(icbc_officer, icbc), icbc_officer)
    LoanContract.objects.filter(pk=loan.pk).update(repayment_status="overdue")  # a compensation may follow
    return guarantee_on(loan, icbc_officer, *institutions)


def plan_body(institutions, **overrides):
    provincial, local = institutions
    return {
        "guarantor": local.pk, "reguarantor": provincial.pk, "amount": "100.00", "bank_share": "20",
        "national_fund_share": "30", "provincial_share": "25", "local_share": "25", "guarantee_fee_rate": "1.000",
        "reguarantee_fee_rate": "0.300", "signed_on": date.today().isoformat(), **overrides,
    }  # fmt: skip


def expected(role: str, allowed_roles: set, allowed: int) -> int:
    if role == "anonymous":
        return 401
    if role in NO_SCOPE:
        return 403
    return allowed if role in allowed_roles else 404


@pytest.mark.parametrize("role", ROLES)
def test_every_role_on_every_guarantee_endpoint(callers, guarantee, icbc, icbc_officer, institutions, role):
    client = callers[role]
    response = client.get(LIST)
    if expected(role, SEES_IT, 200) in (401, 403):
        assert response.status_code == expected(role, SEES_IT, 200)
    else:
        assert ids(response) == ([guarantee.pk] if role in SEES_IT else [])
    detail = reverse("api:guarantee-detail", args=[guarantee.pk])
    assert client.get(detail).status_code == expected(role, SEES_IT, 200)
    response = client.post(
        reverse("api:guarantee-compensations", args=[guarantee.pk]),
        {"amount": "40.00", "occurred_on": date.today().isoformat(), "recovered_amount": "5.00"},
        format="json",
    )
    assert response.status_code == expected(role, GUARANTOR, 201), response.content[:300]
    assert CompensationEvent.objects.exists() == (role in GUARANTOR)
    response = client.patch(detail, {"released_on": date.today().isoformat()}, format="json")
    assert response.status_code == expected(role, SEES_IT, 200), response.content[:300]
    # a second special-plan loan of bank A, without a guarantee yet: recorded from the bank side, as on the pages
    loan = loan_on(approved_recommendation(icbc_officer, icbc, status="new"), icbc_officer)
    GuaranteeContract.objects.filter(pk=guarantee.pk).update(released_on=date.today())  # the firm's cap is free
    response = client.post(reverse("api:loan-guarantee", args=[loan.pk]), plan_body(institutions), format="json")
    assert response.status_code == expected(role, BANK_A, 201), response.content[:300]
    assert GuaranteeContract.objects.filter(loan=loan).exists() == (role in BANK_A)


def test_a_guarantee_breaking_the_plan_is_refused_naming_each_rule(callers, icbc, icbc_officer, institutions):
    loan = loan_on(approved_recommendation(icbc_officer, icbc), icbc_officer)
    client = callers["client-a-guarantees"]
    url = reverse("api:loan-guarantee", args=[loan.pk])
    cases = {
        "bank_share": {"bank_share": "10", "local_share": "35"},  # the bank carries at least 20 %
        "national_fund_share": {"national_fund_share": "45", "local_share": "10"},  # above every fund cap
        "provincial_share": {"provincial_share": "10", "local_share": "40"},
        "reguarantee_fee_rate": {"reguarantee_fee_rate": "0.400"},  # 0.3 % for loans of 500万 or less
        "amount": {"amount": "150.00"},  # above the loan
        "reguarantor": {"reguarantor": institutions[1].pk},  # a local guarantor is no provincial re-guarantor
    }
    for field, overrides in cases.items():
        response = client.post(url, plan_body(institutions, **overrides), format="json")
        assert response.status_code == 400 and field in response.json()["fields"], (field, response.content)
    assert not GuaranteeContract.objects.exists()
    credit = loan_on(approved_recommendation(icbc_officer, icbc, status="new"), icbc_officer, mode="credit")
    response = client.post(reverse("api:loan-guarantee", args=[credit.pk]), plan_body(institutions), format="json")
    assert response.status_code == 400 and response.json()["fields"]["non_field_errors"]
    created = client.post(url, plan_body(institutions), format="json")
    assert created.status_code == 201 and created.json()["loan"] == loan.pk
    assert client.post(url, plan_body(institutions), format="json").status_code == 400  # one guarantee per loan


def test_compensations_follow_the_rules_and_put_the_loan_in_default(callers, guarantee):
    client = callers["client-guarantor"]
    url = reverse("api:guarantee-compensations", args=[guarantee.pk])
    today = date.today().isoformat()
    too_much = client.post(url, {"amount": "100.01", "occurred_on": today}, format="json")
    assert too_much.status_code == 400 and "amount" in too_much.json()["fields"]
    early = (guarantee.signed_on - timedelta(days=1)).isoformat()
    assert "occurred_on" in client.post(url, {"amount": "1", "occurred_on": early}, format="json").json()["fields"]
    assert client.post(url, {"amount": "60", "occurred_on": today}, format="json").status_code == 201
    assert client.post(url, {"amount": "50", "occurred_on": today}, format="json").status_code == 400  # 110 > 100
    body = client.get(reverse("api:guarantee-detail", args=[guarantee.pk])).json()
    assert [c["amount"] for c in body["compensations"]] == ["60.00"]
    guarantee.loan.refresh_from_db()
    assert guarantee.loan.repayment_status == "default"


def test_a_release_before_the_signature_is_refused(callers, guarantee):
    url = reverse("api:guarantee-detail", args=[guarantee.pk])
    early = (guarantee.signed_on - timedelta(days=1)).isoformat()
    response = callers["bank-a"].patch(url, {"released_on": early}, format="json")
    assert response.status_code == 400 and "released_on" in response.json()["fields"]


def test_the_guarantee_list_filters(callers, guarantee):
    client = callers["guarantor"]
    assert ids(client.get(LIST, {"released": "false"})) == [guarantee.pk]
    assert ids(client.get(LIST, {"released": "true"})) == []
    assert ids(client.get(LIST, {"guarantor": guarantee.guarantor_id})) == [guarantee.pk]
    assert ids(client.get(LIST, {"region": "11"})) == [] and guarantee.loan.enterprise.region_code[:2] != "11"


@pytest.mark.parametrize("role", ["guarantor", "client-a-guarantees"])
def test_the_guarantee_list_runs_a_fixed_number_of_queries(callers, guarantee, role, django_assert_max_num_queries):
    client = callers[role]
    client.get(LIST)
    for page_size in (1, 500):
        # session, user, role record (+ its institution), page, compensations / token, service account, page, ...
        with django_assert_max_num_queries(6):
            assert client.get(LIST, {"page_size": page_size}).status_code == 200
