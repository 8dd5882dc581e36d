"""The authorization matrix, generated from the URL configuration: every route × every role × an object owned by
another organisation answers 404 — never 403, never 200 — and list pages never show a foreign row.

How it is built:
- ``world`` holds two of every kind of organisation: the callers' own (firm X, the Jiangsu bureau, bank A = ICBC,
  guarantor G1) and the foreign ones (firm Y in Zhejiang, the Zhejiang bureau's batch/run/system, bank B = CMB with a
  Zhejiang branch, guarantor G2), each foreign object with its owner.
- ``OBJECT_ROUTES`` names, for every route that takes an object, which foreign object fills it. Every caller role
  gets 404 (the anonymous caller the login redirect); the object's *owner* then opens the same URL and does not get
  404, so a wrong table entry (an object nobody may open) fails instead of passing silently.
- ``ROLE_ROUTES`` names, for every route without an object, the one role that may open it and the foreign object
  whose marker (a credit code, a name) must not appear on it. Every other role gets 404.
- ``PUBLIC_ROUTES`` are the pages for everyone (login, registration, password reset, API docs).
- A route in none of them fails ``test_every_route_is_in_the_matrix``: a new page cannot skip the matrix.

Decision: an anonymous caller is sent to the login page (302) rather than given 404 — the redirect is the same for
an object that exists and one that does not, so it reveals nothing, and a bank officer opening a link from an email
notice needs it. The Django admin (``/admin/``) is the platform operator's tool and is not in the matrix: every role
here is refused by it (``test_the_admin_refuses_every_role``).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = ("anonymous", "firm", "bureau", "officer", "guarantor")

# --- The matrix ----------------------------------------------------------------------------------------------------

# route name → (method, foreign object key). POST-only routes are called with POST so that the object check, not
# the method check, answers.
OBJECT_ROUTES: dict[str, tuple[str, str]] = {
    "review:detail": ("GET", "submission"),
    "review:evidence": ("GET", "evidence"),
    "review:approve": ("POST", "submission"),
    "review:return": ("POST", "submission"),
    "scoring:batch-detail": ("GET", "batch"),
    "scoring:batch-edit": ("GET", "batch"),
    "scoring:batch-open": ("POST", "batch"),
    "scoring:batch-close": ("POST", "batch"),
    "scoring:batch-fields": ("GET", "batch"),
    "scoring:batch-field-edit": ("GET", "batch_field"),
    "scoring:batch-field-delete": ("POST", "batch_field"),
    "scoring:run-start": ("POST", "batch"),
    "scoring:run-detail": ("GET", "run"),
    "scoring:run-progress": ("GET", "run"),
    "scoring:run-results": ("GET", "run"),
    "scoring:run-results-export": ("GET", "run"),
    "scoring:run-result-detail": ("GET", "run_result"),
    "scoring:run-publish": ("POST", "run"),
    "scoring:run-cancel": ("POST", "run"),
    "scoring:system-detail": ("GET", "system"),
    "scoring:system-clone": ("POST", "system"),
    "scoring:system-edit": ("GET", "system"),
    "scoring:system-freeze": ("POST", "system"),
    "banks:detail": ("GET", "recommendation"),
    "banks:claim": ("POST", "recommendation"),
    "banks:status": ("POST", "recommendation"),
    "banks:notes": ("POST", "recommendation"),
    "banks:reopen": ("POST", "recommendation"),
    "banks:reassign": ("POST", "recommendation"),
    "banks:product-edit": ("GET", "product"),
    "loans:create": ("GET", "recommendation"),
    "loans:detail": ("GET", "loan"),
    "loans:repayment": ("POST", "loan"),
    "loans:warning-acknowledge": ("POST", "warning"),
    "guarantees:create": ("GET", "loan"),
    "guarantees:detail": ("GET", "guarantee"),
    "enterprises:evidence-download": ("GET", "firm_evidence"),
    "enterprises:evidence-delete": ("POST", "firm_evidence"),
    "enterprises:consent-revoke": ("POST", "consent"),
    "enterprises:member-approve": ("POST", "membership"),
    "api-clients:revoke": ("POST", "api_client"),
    "banks:api-client-revoke": ("POST", "bank_api_client"),
    "review:claim-licence": ("GET", "claim"),
    "review:claim-approve": ("POST", "claim"),
    "review:claim-reject": ("POST", "claim"),
    "financing:need-withdraw": ("POST", "need"),
    "banks:application-detail": ("GET", "application"),
    "banks:application-status": ("POST", "application"),
    "policies:detail": ("GET", "policy"),
    "policies:edit": ("GET", "policy"),
    "policies:match": ("POST", "policy"),
    "policies:export": ("GET", "policy"),
    "scoring:objection-detail": ("GET", "objection"),
    "scoring:objection-rerun": ("POST", "objection"),
}

# route name → (method, the role that may open it, foreign marker key or None)
ROLE_ROUTES: dict[str, tuple[str, str, str | None]] = {
    "review:queue": ("GET", "bureau", "foreign_firm_name"),
    "review:import": ("GET", "bureau", None),
    "review:import-template": ("GET", "bureau", None),
    "review:export": ("POST", "bureau", None),  # needs a batch and a format: the queue covers its rows
    "review:bulk-approve": ("POST", "bureau", None),
    "review:approve-matching": ("POST", "bureau", None),  # its region only: tests/test_review_flags.py
    "scoring:batch-list": ("GET", "bureau", "foreign_batch_name"),
    "scoring:batch-create": ("GET", "bureau", None),
    "scoring:compare": ("GET", "bureau", None),  # runs chosen by id: tests/test_compare.py refuses a foreign one
    "scoring:compare-export": ("GET", "bureau", None),
    "scoring:system-list": ("GET", "bureau", "foreign_system_name"),
    "banks:list": ("GET", "officer", "foreign_list_firm"),
    "banks:export": ("GET", "officer", "foreign_list_firm"),
    "banks:dropped": ("GET", "officer", None),  # the world has one list per bank: none dropped off
    "banks:product-list": ("GET", "officer", "foreign_product_name"),
    "banks:product-create": ("GET", "officer", None),
    "banks:notices": ("GET", "officer", "foreign_notice"),
    "loans:list": ("GET", "officer", "foreign_loan"),
    "loans:warnings": ("GET", "officer", "foreign_loan"),
    "guarantees:list": ("GET", "guarantor", "foreign_loan"),
    "dashboard:funnel": ("GET", "bureau", None),
    "dashboard:export": ("GET", "bureau", None),
    "dashboard:backtest": ("GET", "bureau", None),
    "dashboard:backtest-export": ("GET", "bureau", None),
    "dashboard:bank-backtest": ("GET", "officer", None),
    "dashboard:bank-backtest-export": ("GET", "officer", None),
    "api-clients:list": ("GET", "bureau", "foreign_api_client"),
    "api-clients:create": ("GET", "bureau", None),
    "banks:api-clients": ("GET", "officer", "foreign_bank_api_client"),
    "banks:api-client-create": ("GET", "officer", None),
    "review:claims": ("GET", "bureau", "foreign_claim"),
    "enterprises:dashboard": ("GET", "firm", "foreign_firm_name"),
    "enterprises:filing": ("GET", "firm", None),
    "enterprises:evidence-upload": ("POST", "firm", None),
    "report:page": ("GET", "firm", "foreign_firm_name"),
    "report:print": ("GET", "firm", "foreign_firm_name"),
    "report:self-assessment": ("GET", "firm", "foreign_firm_name"),
    "report:certificate": ("POST", "firm", "foreign_firm_name"),
    "verify:recognise": ("POST", "bureau", None),
    "verify:recognised": ("GET", "bureau", None),
    "verify:issued": ("GET", "bureau", None),
    "enterprises:consents": ("GET", "firm", None),
    "enterprises:access-log": ("GET", "firm", "foreign_officer_name"),
    "enterprises:members": ("GET", "firm", "foreign_member_name"),
    "financing:needs": ("GET", "firm", "foreign_need"),
    "financing:products": ("GET", "firm", None),
    "financing:apply": ("POST", "firm", None),
    "banks:applications": ("GET", "officer", "foreign_list_firm"),
    "enterprises:notices": ("GET", "firm", None),
    "policies:list": ("GET", "bureau", "foreign_policy_name"),
    "policies:create": ("GET", "bureau", None),
    "policies-firm:list": ("GET", "firm", "foreign_policy_name"),
    "scoring:objection-queue": ("GET", "bureau", "foreign_firm_name"),
    "report:objections": ("GET", "firm", "foreign_objection"),
}

PUBLIC_ROUTES = {
    "home", "healthz", "login", "logout", "set_language", "javascript-catalog", "region-tree",
    "enterprises:register", "enterprises:register-pending", "enterprises:password-reset",
    "enterprises:password-reset-done", "enterprises:password-reset-confirm", "enterprises:password-reset-complete",
    "api-schema", "api-docs", "api-redoc", "api-guide", "verify:page", "verify:detail",
}  # fmt: skip

ELSEWHERE = {
    # A certificate's id is a random UUID issued for one firm's published result: its own test builds one and tries
    # the outsiders (a reviewer, another region's administrator, the firm and anonymous are refused; nothing changes).
    "verify:revoke": "dashboard/tests/test_certificates.py::"
    "test_only_the_issuing_bureaus_administrator_revokes_with_a_reason_and_verify_then_says_revoked",
}

API_NAMESPACE = "api:"  # the API has its own matrix (tests/test_api_authorization_matrix.py)


def _route_names(resolver=None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            names |= _route_names(entry, namespace + (f"{entry.namespace}:" if entry.namespace else ""))
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(namespace + entry.name)
    return names


@pytest.mark.django_db(False)
def test_every_route_is_in_the_matrix():
    pages = {name for name in _route_names() if not name.startswith(API_NAMESPACE)}
    covered = set(OBJECT_ROUTES) | set(ROLE_ROUTES) | PUBLIC_ROUTES | set(ELSEWHERE)
    assert pages - covered == set(), "add these routes to the authorization matrix"
    assert covered - pages == set(), "the matrix names routes that no longer exist"


def _call(user, method: str, url: str):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.post(url) if method == "POST" else client.get(url)


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- The tests -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", sorted(OBJECT_ROUTES))
def test_a_foreign_object_is_404_for_every_role(world, db, route):
    method, key = OBJECT_ROUTES[route]
    pk, owner = world.objects[key]
    url = reverse(route, args=list(pk) if isinstance(pk, tuple) else [pk])  # a tuple: an object of two keys
    for role, user in world.callers.items():
        response = _call(user, method, url)
        if user is None:
            assert _is_login_redirect(response), f"{route} as anonymous: {response.status_code}"
        else:
            assert response.status_code == 404, f"{route} as {role}: {response.status_code}"
    # The owner reaches it: the object is real and the route is not simply closed to everyone.
    assert _call(owner, "GET", url).status_code != 404, f"{route}: its owner gets 404 too"


@pytest.mark.parametrize("route", sorted(ROLE_ROUTES))
def test_a_role_page_is_404_for_other_roles_and_shows_no_foreign_row(world, db, route):
    method, allowed, marker = ROLE_ROUTES[route]
    url = reverse(route)
    for role, user in world.callers.items():
        if role == allowed:
            continue
        response = _call(user, method, url)
        if user is None:
            assert _is_login_redirect(response), f"{route} as anonymous: {response.status_code}"
        else:
            assert response.status_code == 404, f"{route} as {role}: {response.status_code}"
    response = _call(world.callers[allowed], method, url)
    assert response.status_code in (200, 302), f"{route} as {allowed}: {response.status_code}"
    if marker is not None:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert world.markers[marker].encode() not in body, f"{route} shows another organisation's row"


@pytest.mark.parametrize("route", sorted(r for r, (_, _, marker) in ROLE_ROUTES.items() if marker))
def test_the_foreign_marker_does_appear_for_its_owner(world, db, route):
    """The absence checks above would pass on a page that never shows the marker at all: the foreign organisation's
    own user opens the same page and does see it."""
    method, allowed, marker = ROLE_ROUTES[route]
    response = _call(world.counterparts[allowed], method, reverse(route))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert world.markers[marker].encode() in body, f"{route}: the marker is not shown even to its owner"


def test_the_admin_refuses_every_role(world, db):
    for role, user in world.callers.items():
        response = _call(user, "GET", reverse("admin:enterprises_enterprise_changelist"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"], role
