"""Who is asking: one ``Actor`` for a signed-in person or an API client, and the one place that works it out.

Every ``visible_to(...)`` queryset method takes an actor — or a user, which it turns into one with ``actor_of`` — so
pages, exports, the admin and the API decide what a caller sees by the same rule (docs/architecture.md "Scoping").
An API client is the actor of its institution narrowed to its own region: a bank's client is that bank, a
guarantor's client that guarantor, a platform client (neither) reads like the bureau of its region, published
results only.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from .permissions import bank_officer_of, bureau_staff_of, enterprise_of, guarantor_staff_of
from .regions import narrower

BUREAU, BANK, GUARANTOR, ENTERPRISE, PLATFORM, NONE = "bureau", "bank", "guarantor", "enterprise", "platform", "none"


@dataclass(frozen=True)
class Actor:
    """What a caller may see. ``region`` is the region-code prefix it is limited to ('' = national; for a firm its
    own code); ``bank_id`` / ``guarantor_id`` / ``enterprise_id`` the institution it acts for. ``kind`` is one of
    bureau, bank, guarantor, enterprise, platform (an API client of no institution) or none (sees nothing).
    Hashable and compared by value, so compiled statements can be cached per actor."""

    kind: str
    region: str = ""
    bank_id: int | None = None
    guarantor_id: int | None = None
    guarantor_kind: str = ""
    enterprise_id: int | None = None
    via_token: bool = False
    user: Any = field(default=None, compare=False, hash=False, repr=False)
    """The signed-in person (None for a token client); not part of what is visible."""

    @property
    def sees_nothing(self) -> bool:
        return self.kind == NONE

    @property
    def sees_no_firm(self) -> bool:
        """Reads no firm, filing, batch or score: nobody, and guarantors (they see the guarantees they take part in,
        with the loan's firm named there, never its score or filing)."""
        return self.kind in (NONE, GUARANTOR)

    @property
    def is_bureau(self) -> bool:
        return self.kind == BUREAU

    @property
    def is_bank(self) -> bool:
        return self.kind == BANK

    @property
    def is_guarantor(self) -> bool:
        return self.kind == GUARANTOR


NOBODY = Actor(NONE)


def actor_of(who) -> Actor:
    """The actor of an ``Actor`` (itself), a DRF/Django request, a user, or ``None``; computed once per object."""
    if isinstance(who, Actor):
        return who
    if who is None:
        return NOBODY
    cached = getattr(who, "_actor", None)
    if cached is not None:
        return cached
    is_request = hasattr(who, "user") and hasattr(who, "method")  # a token's request.user carries its client
    actor = actor_of(who.user) if is_request else _user_actor(who)
    with contextlib.suppress(AttributeError):  # an object that takes no attributes: computed again next time
        who._actor = actor
    return actor


def _user_actor(user) -> Actor:
    api_client = getattr(user, "api_client", None)  # request.user of a token request (core.api.auth.ApiClientUser)
    if api_client is not None:
        return _client_actor(api_client)
    if not getattr(user, "is_authenticated", False):
        return NOBODY
    user = _with_roles(user)
    staff = bureau_staff_of(user)
    if staff is not None:
        return Actor(BUREAU, staff.region_scope, user=user)
    officer = bank_officer_of(user)
    if officer is not None:
        region = officer.bank.region
        if officer.branch_id is not None:
            region = narrower(region, officer.branch.region_scope)
        return NOBODY if region is None else Actor(BANK, region, bank_id=officer.bank_id, user=user)
    enterprise = enterprise_of(user)  # before guarantors: firms' members are the many, on the busiest pages
    if enterprise is not None:
        return Actor(ENTERPRISE, enterprise.region_code, enterprise_id=enterprise.pk, user=user)
    guarantor = guarantor_staff_of(user)
    if guarantor is not None:
        institution = guarantor.institution
        return Actor(GUARANTOR, guarantor_id=institution.pk, guarantor_kind=institution.kind, user=user)
    return NOBODY


ROLE_RECORDS = ("bureau_staff", "bank_officer__bank", "bank_officer__branch", "guarantor_staff__institution")


def _with_roles(user):
    """The user with every role record (and the bank, branch or guarantor behind it) read in one query: a missing
    record is then known to be missing, so working out the actor costs one query whatever the role."""
    if user.pk is None:
        return user
    fresh = get_user_model()._default_manager.select_related(*ROLE_RECORDS).filter(pk=user.pk).first()
    return fresh if fresh is not None else user


def _client_actor(client) -> Actor:
    """A token client: its institution's actor narrowed to the client's region. (What it writes, it writes as its
    service account: ``core.api.auth.api_actor``.)"""
    if client.revoked_at is not None:
        return NOBODY
    region = client.region_scope
    if client.bank_id is not None:
        region = narrower(region, client.bank.region)
        if region is None:
            return NOBODY
        return Actor(BANK, region, bank_id=client.bank_id, via_token=True)
    if client.guarantor_id is not None:
        institution = client.guarantor
        return Actor(GUARANTOR, region, guarantor_id=institution.pk, guarantor_kind=institution.kind, via_token=True)
    return Actor(PLATFORM, region, via_token=True)
