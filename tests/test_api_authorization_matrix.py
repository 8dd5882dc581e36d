"""The API's authorization matrix, generated from the URL configuration (the pages' matrix is
tests/test_authorization_matrix.py; both run in ``tests.authorization_world``).

Every API route × every caller — anonymous, a session of each role, a token client of bank A, of guarantor G1 and of
the Jiangsu platform — × an object of another organisation answers:

- 401 to the anonymous caller, 403 to a token client whose scopes do not cover the endpoint (answered before any
  lookup), 404 to everybody else — never 200;
- and exactly what the same caller gets for an object that does not exist, so no answer confirms that it does.

The object's owner then opens the same URL and does not get 404: the table cannot pass by naming a dead object. List
routes never contain a foreign row: the foreign firm's credit code (or the foreign batch's name) is absent for every
caller, and present for the foreign organisation's own user. A route in none of the tables fails the first test.

Decision (also in docs/api.md): a *published* batch, its published run and its indicator system are the platform's
public announcements for the banks, which lend nationwide — a bank's officer and its client read them whichever
bureau owns the batch. What stays confidential is every firm's row in it, gated by the firm's consent. ``SHARED``
records exactly that exception; no other route has one.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.validators import uscc_check_char
from tests.test_authorization_matrix import _route_names

API = "api:"
NONEXISTENT = 987654321
MISSING_CODE = "91110000" + "000000000" + uscc_check_char("91110000" + "000000000")  # valid, owned by nobody

# route name → (method, key of the foreign object's URL arguments in ``_objects``)
OBJECT_ROUTES: dict[str, tuple[str, str]] = {
    "api:system-detail": ("GET", "system"),
    "api:batch-detail": ("GET", "batch"),
    "api:run-detail": ("GET", "run"),
    "api:batch-score-detail": ("GET", "score_of_y"),
    "api:enterprise-scores": ("GET", "firm_y"),
    "api:enterprise-detail": ("GET", "firm_y"),
    "api:submission-detail": ("GET", "submission"),
    "api:submission-approve": ("POST", "submission"),
    "api:submission-return": ("POST", "submission"),
    "api:submission-submit": ("POST", "submission"),
    "api:recommendation-detail": ("GET", "recommendation"),
    "api:recommendation-claim": ("POST", "recommendation"),
    "api:recommendation-notes": ("POST", "recommendation"),
    "api:recommendation-profile": ("GET", "recommendation"),
    "api:recommendation-transition": ("POST", "recommendation"),
    "api:recommendation-reopen": ("POST", "recommendation"),
    "api:recommendation-reassign": ("POST", "recommendation"),
    "api:recommendation-loan": ("POST", "recommendation_id"),
    "api:loan-detail": ("GET", "loan"),
    "api:product-detail": ("GET", "product"),
    "api:loan-warning-detail": ("GET", "warning"),
    "api:loan-warning-acknowledge": ("POST", "warning"),
    "api:loan-guarantee": ("POST", "loan_id"),
    "api:guarantee-detail": ("GET", "guarantee"),
    "api:guarantee-compensations": ("POST", "guarantee"),
    "api:financing-need-detail": ("GET", "need"),
    "api:financing-need-withdraw": ("POST", "need"),
    "api:financing-application-detail": ("GET", "firm_application"),
    "api:incoming-application-detail": ("GET", "application"),
    "api:incoming-application-transition": ("POST", "application"),
}

BANK_ROLES = frozenset({"officer", "client-bank"})
SHARED = {"api:batch-detail": BANK_ROLES, "api:run-detail": BANK_ROLES, "api:batch-list": BANK_ROLES,
          "api:run-list": BANK_ROLES}  # fmt: skip

# route name → (URL arguments key or None, marker key). Lists: any caller may get 200, never with a foreign row.
LIST_ROUTES: dict[str, tuple[str | None, str]] = {
    "api:system-list": (None, "system_name"),
    "api:batch-list": (None, "batch_name"),
    "api:run-list": (None, "run_of_batch"),
    "api:batch-scores": ("national_batch", "firm_y_code"),
    "api:run-scores": ("national_run", "firm_y_code"),
    "api:batch-scores-csv": ("national_batch", "firm_y_code"),
    "api:batch-rankings": ("national_batch", "firm_y_code"),
    "api:batch-rankings-province": ("national_province_33", "firm_y_code"),
    "api:batch-rankings-industry": ("national_section_y", "firm_y_code"),
    "api:enterprise-list": (None, "firm_y_code"),
    "api:submission-list": (None, "firm_y_code"),
    "api:recommendation-list": (None, "firm_y_code"),
    "api:loan-list": (None, "firm_y_code"),
    "api:loan-warning-list": (None, "firm_y_code"),
    "api:product-list": (None, "product_b"),
    "api:guarantee-list": (None, "firm_y_code"),
    "api:financing-need-list": (None, "need_y"),
    "api:financing-application-list": (None, "need_y"),
    "api:incoming-application-list": (None, "firm_y_code"),
}

# Aggregates without rows of any one firm: who may read them is covered by the apps' own API tests.
AGGREGATE_ROUTES = {"api:batch-funnel", "api:statistics-funnel"}
# The platform's public reference (banks, their branches, guarantee institutions): every caller who is someone.
REFERENCE_ROUTES = {"api:bank-list", "api:bank-detail", "api:branch-list", "api:branch-detail", "api:guarantor-list",
                    "api:guarantor-detail"}  # fmt: skip
PUBLIC = {"api:not-found"}

SESSION_ROLES = ("firm", "bureau", "officer", "guarantor")
TOKEN_ROLES = ("client-bank", "client-guarantor", "client-platform")


@pytest.mark.django_db(False)
def test_every_api_route_is_in_the_matrix():
    routes = {name for name in _route_names() if name.startswith(API)}
    covered = set(OBJECT_ROUTES) | set(LIST_ROUTES) | AGGREGATE_ROUTES | REFERENCE_ROUTES | PUBLIC
    assert routes - covered == set(), "add these API routes to the authorization matrix"
    assert covered - routes == set(), "the matrix names API routes that no longer exist"


def _objects(world) -> dict[str, tuple[dict, object]]:
    """key → (URL arguments of the foreign object, its owner; None when the foreign object is not one record)."""
    zhejiang = world.objects["batch"][1]
    firm_y = world.firm_y
    y_code = {"credit_code": firm_y.credit_code}
    return {
        "system": ({"pk": world.objects["system"][0]}, zhejiang),
        "batch": ({"pk": world.objects["batch"][0]}, zhejiang),
        "run": ({"pk": world.objects["run"][0]}, zhejiang),
        "score_of_y": ({"batch_id": world.batch.pk, **y_code}, zhejiang),
        "firm_y": (y_code, zhejiang),
        "submission": ({"pk": world.objects["submission"][0]}, zhejiang),
        "recommendation": ({"pk": world.objects["recommendation"][0]}, world.objects["recommendation"][1]),
        "recommendation_id": ({"id": world.objects["recommendation"][0]}, world.objects["recommendation"][1]),
        "loan": ({"pk": world.objects["loan"][0]}, world.objects["loan"][1]),
        "loan_id": ({"id": world.objects["loan"][0]}, world.objects["loan"][1]),
        "warning": ({"pk": world.objects["warning"][0]}, world.objects["warning"][1]),
        "guarantee": ({"pk": world.objects["guarantee"][0]}, world.objects["guarantee"][1]),
        "product": ({"pk": world.objects["product"][0]}, world.objects["product"][1]),
        "need": ({"pk": world.objects["need"][0]}, world.objects["need"][1]),
        "firm_application": ({"pk": world.objects["firm_application"][0]}, world.objects["firm_application"][1]),
        "application": ({"pk": world.objects["application"][0]}, world.objects["application"][1]),
        "national_batch": ({"batch_id": world.batch.pk}, None),
        "national_run": ({"run_id": world.batch.runs.get(state="published").pk}, None),
        "national_province_33": ({"batch_id": world.batch.pk, "province": "33"}, None),
        "national_section_y": ({"batch_id": world.batch.pk, "section": firm_y.section_id}, None),
    }


def _nonexistent(kwargs: dict) -> dict:
    """The same URL naming a record that does not exist (the batch of a score lookup stays)."""
    missing = {"pk": NONEXISTENT, "id": NONEXISTENT, "credit_code": MISSING_CODE}
    return {name: missing.get(name, value) for name, value in kwargs.items()}


def _markers(world) -> dict[str, str]:
    return {
        "firm_y_code": world.firm_y.credit_code,
        "batch_name": world.batch_foreign.name,
        "system_name": world.markers["foreign_system_name"],
        "run_of_batch": f'"batch":{world.batch_foreign.pk},',
        "product_b": world.markers["foreign_product_name"],
        "need_y": world.markers["foreign_need"],
    }


def _client(world, role: str) -> APIClient:
    client = APIClient()
    if role in world.tokens:
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[role]}")
    elif role != "anonymous":
        client.force_login(world.callers[role])
    return client


def _send(client: APIClient, method: str, url: str):
    return client.post(url, {}, format="json") if method == "POST" else client.get(url)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("route", sorted(OBJECT_ROUTES))
def test_a_foreign_object_is_404_and_indistinguishable_from_a_missing_one(world, db, route):
    method, key = OBJECT_ROUTES[route]
    kwargs, owner = _objects(world)[key]
    url, missing = reverse(route, kwargs=kwargs), reverse(route, kwargs=_nonexistent(kwargs))
    for role in ("anonymous", *SESSION_ROLES, *TOKEN_ROLES):
        if role in SHARED.get(route, ()):
            continue
        client = _client(world, role)
        status = _send(client, method, url).status_code
        allowed = {"anonymous": {401}}.get(role, {403, 404} if role in TOKEN_ROLES else {404})
        assert status in allowed, f"{route} as {role}: {status}"
        assert status == _send(client, method, missing).status_code, f"{route} as {role}: differs from a missing one"
    owner_client = APIClient()
    owner_client.force_login(owner)
    assert owner_client.get(url).status_code != 404, f"{route}: its owner gets 404 too"


@pytest.mark.parametrize("route", sorted(LIST_ROUTES))
def test_a_list_never_holds_a_foreign_row(world, db, route):
    key, marker = LIST_ROUTES[route]
    url = reverse(route, kwargs=_objects(world)[key][0] if key else None)
    text = _markers(world)[marker].encode()
    for role in ("anonymous", *SESSION_ROLES, *TOKEN_ROLES):
        if role in SHARED.get(route, ()):
            continue
        response = _client(world, role).get(url)
        assert response.status_code in (200, 401, 403, 404), f"{route} as {role}: {response.status_code}"
        assert text not in _body(response), f"{route} as {role} lists another organisation's row"


@pytest.mark.parametrize("route", sorted(LIST_ROUTES))
def test_the_foreign_row_is_listed_for_its_owner(world, db, route):
    """Without this the absence check above could pass on a list that never shows anything."""
    key, marker = LIST_ROUTES[route]
    url = reverse(route, kwargs=_objects(world)[key][0] if key else None)
    owners = {
        "firm_y_code": [world.counterparts["bureau"], world.counterparts["officer"], world.counterparts["guarantor"]],
        "batch_name": [world.counterparts["bureau"]],
        "run_of_batch": [world.counterparts["bureau"]],
        "system_name": [world.counterparts["bureau"]],
        "product_b": [world.counterparts["officer"]],
        "need_y": [world.counterparts["firm"]],
    }[marker]
    text = _markers(world)[marker].encode()
    seen = []
    for owner in owners:
        client = APIClient()
        client.force_login(owner)
        response = client.get(url)
        seen.append(response.status_code)
        if response.status_code == 200 and text in _body(response):
            return
    pytest.fail(f"{route}: no owner sees its own row ({seen})")


@pytest.mark.parametrize("route", sorted(REFERENCE_ROUTES))
def test_the_public_reference_answers_every_caller_who_is_someone(world, db, route):
    from core.models import Bank, Branch, GuaranteeInstitution

    national = {  # an organisation working nationwide: every caller who is someone sees it
        "bank": lambda: Bank.objects.filter(is_national=True).first(),
        "branch": lambda: Branch.objects.create(bank=Bank.objects.get(code="icbc"), name="总行营业部", region_scope=""),
        "guarantor": lambda: GuaranteeInstitution.objects.get(kind="national_fund"),
    }[route.split(":")[1].split("-")[0]]
    kwargs = {"pk": national().pk} if route.endswith("-detail") else None
    url = reverse(route, kwargs=kwargs)
    for role in ("anonymous", *SESSION_ROLES, *TOKEN_ROLES):
        status = _client(world, role).get(url).status_code
        assert status == (401 if role == "anonymous" else 200), f"{route} as {role}: {status}"
