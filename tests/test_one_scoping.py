"""One way to decide what a caller sees: for every model the API lists and every caller — a person of each role in
both organisations, and each kind of token client — the API returns exactly the ids of the model's
``visible_to(actor)``, the queryset the pages use (docs/architecture.md "Scoping").

Batches, runs and systems are compared for bureau staff, whose pages list them; everyone else has no such page and
reads the published ones through the API as announcements (docs/api.md).
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from banks.models import LoanProduct, Recommendation
from core.actors import actor_of
from core.api.auth import ApiClientUser
from core.models import ApiClient, Bank, Branch, GuaranteeInstitution
from enterprises.models import Batch, Enterprise, Submission
from guarantees.models import GuaranteeContract
from loans.models import LoanContract, LoanWarning
from scoring.models import BatchScoring, IndicatorSystem, Score, ScoringRun
from tests.authorization_world import world  # noqa: F401 - the module-scoped world fixture

pytestmark = pytest.mark.django_db

PEOPLE = ("firm", "bureau", "officer", "guarantor")
TOKENS = ("client-bank", "client-guarantor", "client-platform")

MODELS = {  # API list route → the page queryset of an actor, and the key both sides name a row by
    "api:recommendation-list": (
        lambda actor: Recommendation.objects.visible_to(actor).current().consented(),
        "id",
        "pk",
    ),
    "api:loan-list": (lambda actor: LoanContract.objects.visible_to(actor), "id", "pk"),
    "api:guarantee-list": (lambda actor: GuaranteeContract.objects.visible_to(actor), "id", "pk"),
    "api:enterprise-list": (lambda actor: Enterprise.objects.visible_to(actor), "credit_code", "credit_code"),
    "api:submission-list": (lambda actor: Submission.objects.visible_to(actor), "id", "pk"),
    "api:loan-warning-list": (lambda actor: LoanWarning.objects.visible_to(actor), "id", "pk"),
    "api:product-list": (lambda actor: LoanProduct.objects.visible_to(actor), "id", "pk"),
    "api:bank-list": (lambda actor: Bank.objects.visible_to(actor), "id", "pk"),
    "api:branch-list": (lambda actor: Branch.objects.visible_to(actor), "id", "pk"),
    "api:guarantor-list": (lambda actor: GuaranteeInstitution.objects.visible_to(actor), "id", "pk"),
}
BUREAU_PAGES = {
    "api:batch-list": lambda actor: Batch.objects.visible_to(actor),
    "api:run-list": lambda actor: ScoringRun.objects.visible_to(actor),
    "api:system-list": lambda actor: IndicatorSystem.objects.visible_to(actor),
}


def _callers(world):  # noqa: F811
    """(label, API client, actor) for every person of both organisations and every token client."""
    for role in PEOPLE:
        for label, user in ((role, world.callers[role]), (f"{role}-other", world.counterparts[role])):
            client = APIClient()
            client.force_login(user)
            yield label, client, actor_of(user)
    for role in TOKENS:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[role]}")
        record = ApiClient.objects.get(token_digest=ApiClient.digest(world.tokens[role]))
        yield role, client, actor_of(ApiClientUser(record))


def _api_ids(client: APIClient, url: str, key: str = "id") -> set | None:
    """Every row key the list endpoint returns, walking its cursor pages: a 404 is no rows; a 403 (a token without
    the scope: a permission of the token, not a visibility rule) is ``None``, nothing to compare."""
    ids, url = set(), url + "?page_size=500"
    while url:
        response = client.get(url)
        if response.status_code == 403:
            return None
        if response.status_code == 404:
            return ids
        assert response.status_code == 200, (url, response.content[:300])
        body = response.json()
        ids |= {row[key] for row in body["results"]}
        url = body.get("next")
    return ids


def test_every_api_list_returns_the_page_queryset_for_every_caller(world):  # noqa: F811
    seen_rows = dict.fromkeys(MODELS, 0)
    for label, client, actor in _callers(world):
        for route, (page_queryset, key, column) in MODELS.items():
            expected = set(page_queryset(actor).values_list(column, flat=True))
            assert _api_ids(client, reverse(route), key) in (expected, None), (label, route)
            seen_rows[route] += len(expected)
    assert all(seen_rows.values()), f"some list is empty for every caller, so it proves nothing: {seen_rows}"


def test_bureau_lists_of_batches_runs_and_systems_are_the_pages_querysets(world):  # noqa: F811
    for label, client, actor in _callers(world):
        if not actor.is_bureau:
            continue
        for route, page_queryset in BUREAU_PAGES.items():
            expected = set(page_queryset(actor).values_list("pk", flat=True))
            assert expected and _api_ids(client, reverse(route)) == expected, (label, route)


def test_the_published_scores_are_the_score_querysets_of_every_caller(world):  # noqa: F811
    run_id = BatchScoring.objects.get(pk=world.batch.pk).published_run_id  # world.batch's own copy is older
    url = reverse("api:batch-scores", args=[world.batch.pk])
    readers = 0
    for label, client, actor in _callers(world):
        rows = Score.objects.visible_to(actor).filter(run_id=run_id)
        expected = set(rows.values_list("enterprise__credit_code", flat=True))
        assert _api_ids(client, url, "credit_code") in (expected, None), label
        readers += bool(expected)
    assert readers >= 3  # bureau, bank and platform callers read scores: the comparison is not empty
