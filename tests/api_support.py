"""Fixtures and helpers shared by the API tests: a published batch, callers of every role, token clients."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db.models import Q
from rest_framework.test import APIClient

from core.models import ApiClient, Bank, BankOfficer
from demo.services import demo_firms_create
from enterprises.models import Consent, Enterprise, EnterpriseMembership
from scoring.choices import RunState
from scoring.models import Score
from scoring.services import scoring_run_create, scoring_run_execute, scoring_run_publish
from tests.factories import BureauStaffFactory, UserFactory

FIRMS = 300
HOME = "44"  # the province of the regional callers: Guangdong has the most demo firms


@pytest.fixture(autouse=True)
def fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def published_batch(batch):
    """``batch`` with 300 demo firms, scored and published."""
    demo_firms_create(firms=FIRMS, seed=11, batch=batch)
    run = scoring_run_create(batch=batch, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.state == RunState.COMPUTED
    scoring_run_publish(run=run)
    batch.refresh_from_db()
    return batch


def token_client(*, scopes=("scores:read",), region_scope: str = "", bank: Bank | None = None, revoked=False):
    """An APIClient authenticated with a fresh token of a new ApiClient; the ApiClient is ``.api_client``."""
    record = ApiClient(name="client", scopes=list(scopes), region_scope=region_scope, bank=bank)
    token = record.issue_token()
    if revoked:
        from django.utils import timezone

        record.revoked_at = timezone.now()
    record.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    client.api_client = record
    client.token = token
    return client


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def regional_bank() -> Bank:
    return Bank.objects.create(
        code="gd-rural",
        name="广东某农商行",
        short_name="某农商行",
        kind="regional",
        is_national=False,
        region_scope=HOME,
    )


def firm_in(region: str, batch) -> Enterprise:
    return Enterprise.objects.filter(
        region_code__startswith=region, scores__run_id=batch.scoring.published_run_id
    ).first()


def firm_outside(region: str, batch) -> Enterprise:
    return Enterprise.objects.exclude(region_code__startswith=region).filter(
        scores__run_id=batch.scoring.published_run_id
    )[0]


def callers(batch) -> dict[str, APIClient]:
    """One API caller per role (built lazily by the tests that need them)."""
    member = UserFactory()
    own = firm_in(HOME, batch)
    EnterpriseMembership.objects.create(user=member, enterprise=own, role="admin")
    national_officer = UserFactory()
    BankOfficer.objects.create(user=national_officer, bank=Bank.objects.get(code="icbc"))
    regional_officer = UserFactory()
    BankOfficer.objects.create(user=regional_officer, bank=regional_bank())
    return {
        "client-national": token_client(),
        "client-regional": token_client(region_scope=HOME),
        "client-regional-bank": token_client(bank=Bank.objects.get(code="gd-rural")),
        "bureau-national": session_client(BureauStaffFactory(region_scope="").user),
        "bureau-regional": session_client(BureauStaffFactory(region_scope=HOME).user),
        "bank-national": session_client(national_officer),
        "bank-regional": session_client(regional_officer),
        "enterprise": session_client(member),
    }


BANK_OF_ROLE = {"bank-national": "icbc", "bank-regional": "gd-rural", "client-regional-bank": "gd-rural"}


def consenting_firm_ids(bank: Bank) -> set[int]:
    """Firms with a consent active now covering ``bank`` (blanket or naming it), checked in Python row by row."""
    return {
        consent.enterprise_id
        for consent in Consent.objects.filter(Q(bank__isnull=True) | Q(bank=bank))
        if consent.is_active()
    }


def visible_scores(role: str, batch):
    """The published scores ``role`` should see, computed independently of the API code: the role's region (or own
    firm) and, for a bank's officer or client, only firms consenting to that bank."""
    scores = Score.objects.filter(run_id=batch.scoring.published_run_id)
    if role == "enterprise":
        return scores.filter(enterprise=firm_in(HOME, batch))
    if role not in ("client-national", "bureau-national", "bank-national"):
        scores = scores.filter(enterprise__region_code__startswith=HOME)
    if role in BANK_OF_ROLE:
        scores = scores.filter(enterprise_id__in=consenting_firm_ids(Bank.objects.get(code=BANK_OF_ROLE[role])))
    return scores


def data_dependent_exclusions(case) -> list:
    """Checks that do not apply to this fuzzed request, because validity depends on data the schema cannot state:
    a ``cursor`` is opaque (only one the API handed out is valid, though any string fits ``type: string``), and a
    ``region`` must name a region of the GB/T 2260 list (a well-formed prefix such as ``9049`` names none). Both are
    refused with a 400 by design; every other request must still be accepted."""
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    from core.validators import region_exists

    query = case.query or {}
    region = query.get("region")
    unknown_region = isinstance(region, str) and region != "" and not region_exists(region)
    return [positive_data_acceptance] if "cursor" in query or unknown_region else []
