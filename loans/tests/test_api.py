"""The loan-contract API and the funnel statistics: every endpoint × every role (allowed, 404 for what is not
theirs, 403 without the scope, 401 without credentials), the loan form's rules through ``loans.services``, the whole
flow of a bank's client from claim to contract, and query counts."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from banks.models import LoanProduct, Recommendation
from banks.tests.api_fixtures import ROLES, D, approved_recommendation, ids, loan_on
from dashboard.selectors import funnel
from enterprises.models import Batch
from loans.models import LoanContract
from scoring.services import batch_create
from tests.api_support import data_dependent_exclusions, fresh_throttle_counters  # noqa: F401 (fixture)

LIST = reverse("api:loan-list")
FUNNEL = reverse("api:statistics-funnel")
BANK_A_LOANS = {"bank-a", "client-a-loans"}
NO_LOAN_SCOPE = {"client-a-read", "client-a-guarantees", "client-a-scores"}


@pytest.fixture
def loan(callers, icbc, icbc_officer):
    return loan_on(approved_recommendation(icbc_officer, icbc), icbc_officer, mode="credit")


def expected_for(role: str, allowed: int) -> int:
    if role == "anonymous":
        return 401
    if role in NO_LOAN_SCOPE:
        return 403
    return allowed if role in BANK_A_LOANS else 404


@pytest.mark.parametrize("role", ROLES)
def test_every_role_on_every_loan_endpoint(callers, loan, icbc, icbc_officer, role):
    client = callers[role]
    response = client.get(LIST)
    if expected_for(role, 200) in (401, 403):
        assert response.status_code == expected_for(role, 200)
    else:
        assert ids(response) == ([loan.pk] if role in BANK_A_LOANS else [])
    detail = reverse("api:loan-detail", args=[loan.pk])
    response = client.get(detail)
    assert response.status_code == expected_for(role, 200), response.content[:300]
    response = client.patch(detail, {"repayment_status": "overdue"}, format="json")
    assert response.status_code == expected_for(role, 200), response.content[:300]
    if response.status_code == 200:
        assert response.json()["repayment_status"] == "overdue"
    # Recording a loan on an approved recommendation followed by bank A's officer: the officer may; bank A's client
    # may not (a colleague follows the firm), which is the page's rule; everyone else never sees it.
    rec = approved_recommendation(icbc_officer, icbc, status="new")
    product = LoanProduct.objects.get(pk=rec.product_ids[0])
    body = {"product": product.pk, "amount": "50.00", "rate": "3.000", "term_months": 6,
            "signed_on": date.today().isoformat()}  # fmt: skip
    response = client.post(reverse("api:recommendation-loan", args=[rec.pk]), body, format="json")
    allowed = 201 if role == "bank-a" else 400
    assert response.status_code == expected_for(role, allowed), response.content[:300]
    assert LoanContract.objects.filter(recommendation=rec).exists() == (role == "bank-a")


def test_a_bank_client_takes_a_firm_from_claim_to_contract(callers, icbc):
    client = callers["client-a-loans"]
    rec = Recommendation.objects.filter(bank=icbc, superseded=False, status="new").order_by("list_rank")[0]
    assert client.post(reverse("api:recommendation-claim", args=[rec.pk])).status_code == 200
    status = reverse("api:recommendation-transition", args=[rec.pk])
    for step in ("contacted", "approved"):
        assert client.post(status, {"status": step}, format="json").status_code == 200
    product = LoanProduct.objects.get(pk=rec.product_ids[0])
    url = reverse("api:recommendation-loan", args=[rec.pk])
    base = {"product": product.pk, "rate": "3.000", "term_months": 6, "signed_on": date.today().isoformat()}
    # the loan form's rules, each a 400 naming its field
    over_max = client.post(url, {**base, "amount": str(product.max_amount + 1)}, format="json")
    assert over_max.status_code == 400 and "amount" in over_max.json()["fields"]
    too_dear = client.post(url, {**base, "amount": "10", "rate": "9.000"}, format="json")
    assert too_dear.status_code == 400 and "rate" in too_dear.json()["fields"]
    future = client.post(url, {**base, "amount": "10", "signed_on": (date.today() + timedelta(days=3)).isoformat()},
                         format="json")  # fmt: skip
    assert future.status_code == 400 and "signed_on" in future.json()["fields"]
    foreign = LoanProduct.objects.exclude(bank=icbc).first()
    wrong = client.post(url, {**base, "amount": "10", "product": foreign.pk}, format="json")
    assert wrong.status_code == 400 and "product" in wrong.json()["fields"]
    assert not LoanContract.objects.exists()
    created = client.post(url, {**base, "amount": "10"}, format="json")
    assert created.status_code == 201, created.content
    loan = LoanContract.objects.get()
    assert created.json()["id"] == loan.pk and loan.officer.username.startswith("svc-")
    rec.refresh_from_db()
    assert rec.status == "contracted"
    # disbursement and repayment in one PATCH; a settled loan is final
    detail = reverse("api:loan-detail", args=[loan.pk])
    early = client.patch(detail, {"disbursed_on": (loan.signed_on - timedelta(days=1)).isoformat()}, format="json")
    assert early.status_code == 400 and "disbursed_on" in early.json()["fields"]
    body = client.patch(detail, {"disbursed_on": loan.signed_on.isoformat(), "repayment_status": "settled"},
                        format="json").json()  # fmt: skip
    assert (body["disbursed_on"], body["repayment_status"]) == (loan.signed_on.isoformat(), "settled")
    assert client.patch(detail, {"repayment_status": "normal"}, format="json").status_code == 400


def test_a_loan_list_filters_by_repayment_status_and_region(callers, loan, icbc, icbc_officer):
    other = loan_on(approved_recommendation(icbc_officer, icbc, status="new"), icbc_officer, mode="credit")
    LoanContract.objects.filter(pk=other.pk).update(repayment_status="overdue")
    client = callers["bank-a"]
    assert ids(client.get(LIST, {"repayment_status": "overdue"})) == [other.pk]
    assert sorted(ids(client.get(LIST, {"repayment_status": ["overdue", "normal"]}))) == sorted([loan.pk, other.pk])
    region = loan.enterprise.region_code[:2]
    expected = [x.pk for x in (other, loan) if x.enterprise.region_code.startswith(region)]
    assert sorted(ids(client.get(LIST, {"region": region}))) == sorted(expected)
    assert client.get(LIST, {"repayment_status": "late"}).status_code == 400


@pytest.mark.parametrize("role", ["bank-a", "client-a-loans"])
def test_the_loan_list_runs_a_fixed_number_of_queries(callers, loan, icbc, icbc_officer, role,
                                                      django_assert_max_num_queries):  # fmt: skip
    for _ in range(3):
        loan_on(approved_recommendation(icbc_officer, icbc, status="new"), icbc_officer, mode="credit")
    client = callers[role]
    client.get(LIST)
    for page_size in (1, 500):
        with django_assert_max_num_queries(4):  # session, user, officer, page / token, service account, page
            assert client.get(LIST, {"page_size": page_size}).status_code == 200


# --- Statistics ----------------------------------------------------------------------------------------------------

FUNNEL_ALLOWED = {"bureau-home": "44", "bureau-other": "11", "client-platform": "44"}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_on_the_funnel(callers, loan, pushed, role):
    batch = Batch.objects.get(scoring__published_run=pushed)
    response = callers[role].get(FUNNEL, {"batch": batch.pk})
    if role == "anonymous":
        assert response.status_code == 401
    elif role in ("client-a-read", "client-a-loans", "client-a-guarantees"):
        assert response.status_code == 403
    elif role not in FUNNEL_ALLOWED:
        assert response.status_code == 404, response.content[:200]
    else:
        body = response.json()
        assert response.status_code == 200 and body["region"] == FUNNEL_ALLOWED[role]
        expected = funnel(batch=batch, scope=FUNNEL_ALLOWED[role])
        assert body["total"]["recommended"] == expected.total.recommended
        assert body["total"]["contract_firms"] == expected.total.contract_firms
        assert [r["key"] for r in body["by_province"]] == [r.key for r in expected.by_province]


def test_the_funnel_by_region_and_bank_is_the_dashboards(callers, loan, pushed, icbc):
    batch = Batch.objects.get(scoring__published_run=pushed)
    client = callers["bureau-home"]
    region = loan.enterprise.region_code[:4]
    body = client.get(FUNNEL, {"batch": batch.pk, "region": region, "bank": icbc.pk}).json()
    expected = funnel(batch=batch, scope=region, bank=icbc)
    assert (body["region"], body["bank"]) == (region, icbc.pk)
    assert body["total"]["contract_firms"] == expected.total.contract_firms
    assert D(body["total"]["contract_amount"]) == expected.total.contract_amount
    assert [(r["key"], r["list_rows"]) for r in body["by_bank"]] == [(r.key, r.list_rows) for r in expected.by_bank]
    assert body["total"]["list_rows"] > 0  # the comparison compares something


def test_the_funnel_refuses_a_region_outside_the_caller_and_an_unpublished_batch(callers, pushed, batch):
    client = callers["bureau-home"]
    response = client.get(FUNNEL, {"batch": batch.pk, "region": "11"})
    assert response.status_code == 400 and list(response.json()["fields"]) == ["region"]
    assert client.get(FUNNEL, {"batch": batch.pk, "bank": 999_999}).status_code == 400
    assert client.get(FUNNEL, {}).status_code == 400
    draft = batch_create(
        name="2025年度", year=2025, reference_date="2025-12-31", system=batch.scoring.system, opens_on="2026-01-01",
        closes_on="2026-03-31",
    )  # fmt: skip
    assert client.get(FUNNEL, {"batch": draft.pk}).status_code == 404


# --- Fuzzing the bank-side operations with every scope ------------------------------------------------------------
# tests/test_api_schema.py fuzzes every operation as a scores-only client (a 403 on these); here a bank's client with
# every scope and a platform client reach the filters, bodies and parameters: no 5xx, every response as documented.

import schemathesis  # noqa: E402
from django.core import signals  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from banks.tests.api_fixtures import ALL_SCOPES, token_client  # noqa: E402
from core.models import Bank  # noqa: E402

bank_side = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler(), headers={"Host": "127.0.0.1"})


@pytest.fixture
def wsgi_connection_kept():
    """A bare WSGIHandler closes the connection after each request, ending the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bank_side_token(db, wsgi_connection_kept):
    client = token_client(scopes=ALL_SCOPES, bank=Bank.objects.get(code="icbc"))
    return client._credentials["HTTP_AUTHORIZATION"]


@pytest.fixture
def platform_token(db, wsgi_connection_kept):
    return token_client(scopes=ALL_SCOPES, region_scope="44")._credentials["HTTP_AUTHORIZATION"]


@bank_side.include(path_regex=r"^/api/v1/(recommendations|loans|guarantees)/").parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_bank_side_operations_conform_to_the_schema(case, bank_side_token):
    case.call_and_validate(
        headers={"Authorization": bank_side_token, "Host": "127.0.0.1"}, excluded_checks=data_dependent_exclusions(case)
    )


@bank_side.include(path_regex=r"^/api/v1/statistics/").parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_statistics_conform_to_the_schema(case, platform_token):
    case.call_and_validate(
        headers={"Authorization": platform_token, "Host": "127.0.0.1"}, excluded_checks=data_dependent_exclusions(case)
    )
