"""What the officer's list pages show around their rows: how long the (filtered) list and the dropped view are,
how many rows the officer sees per status, and the masked lines.

Counting a bank's list means checking consent for each of its rows (~70,000 at national scale: a hash of every
active consent, ~0.1–0.2 s of database time), so the lengths that only consent can change are counted once per
``LIST_COUNT_SECONDS`` and kept in the cache, keyed by the bank's current lists, the officer's region and the
filters. A push makes new lists, hence new keys. The officers' work (status, claim, notes) never changes whether a
row is listed, and whatever depends on it — the status counts, a filter on status or on "mine" — is counted live
over the few worked rows or not cached. What the cache can lag behind is a consent given or withdrawn: the rows
themselves follow it at once (``listed_to`` in every read), the counts within ``LIST_COUNT_SECONDS``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.core.validators import EMPTY_VALUES
from django.db.models import Count
from django.db.models.query import prefetch_related_objects

from core.actors import actor_of
from enterprises.models import Enterprise

from .choices import RecommendationStatus
from .models import Recommendation
from .querysets import WORKED
from .selectors import ListHeader

LIST_COUNT_SECONDS = 120
WORK_FILTERS = frozenset({"status", "mine"})
"""Filters whose rows change with the officers' work: their counts are never cached."""


def _key(*, user, headers: list[ListHeader], what: str) -> str:
    # A list's creation time beside its id: a reused id (a test database rolled back) never reads another's counts.
    actor = actor_of(user)
    lists = ",".join(f"{h.current.pk}@{h.current.created_at.timestamp()}" for h in headers)
    return f"banks:list-count:{actor.bank_id}:{actor.region}:{lists}:{what}"


def listed_count(*, user, headers: list[ListHeader]) -> int:
    """``listed_to(user).current().count()``: the unfiltered list's length, cached."""
    return cache.get_or_set(
        _key(user=user, headers=headers, what="all"),
        lambda: Recommendation.objects.listed_to(user).current().count(),
        LIST_COUNT_SECONDS,
    )


def filtered_count(*, user, headers: list[ListHeader], filterset) -> int:
    """The length of ``filterset.qs`` (the officer's list through ``RecommendationFilterSet``): the unfiltered
    list's when no filter narrows it, cached per filter values unless a filter follows the officers' work. Next
    pages of the same filters read it from the cache."""
    if not filterset.narrows():
        return listed_count(user=user, headers=headers)
    if set(filterset.form.errors) - filterset.UNFILTERING:
        return filterset.qs.count()  # a bad value lists nothing: no query
    values = filterset.form.cleaned_data
    if any(values.get(name) not in EMPTY_VALUES for name in WORK_FILTERS):
        return filterset.qs.count()  # changes with every click of the officers
    shown = sorted((name, repr(value)) for name, value in values.items() if name != "sort")
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()[:32]
    return cache.get_or_set(
        _key(user=user, headers=headers, what=digest), lambda: filterset.qs.count(), LIST_COUNT_SECONDS
    )


def dropped_count(*, user, headers: list[ListHeader], rows) -> int:
    """How many firms the dropped view lists (``rows``: ``selectors.dropped_rows``): which firms left a list is
    fixed by its pushes, and consent only decides which of them are shown, so it is kept like the list's length."""
    return cache.get_or_set(_key(user=user, headers=headers, what="dropped"), rows.count, LIST_COUNT_SECONDS)


@dataclass(eq=False)
class ListOverview:
    counts: dict[str, int]  # per status, every row the officer sees (listed or masked)
    withdrawn: list[Recommendation]  # masked lines by firm name, the first ``shown``


def list_overview(*, user, headers: list[ListHeader], shown: int) -> ListOverview:
    """Per status, the rows ``visible_to`` the officer, and the masked lines: one grouped read of the few rows
    officers worked on (``WORKED``, an index of its own), each listed or masked (``consented``), and the cached list
    length for the rest. A row nobody worked on is "new", and visible only while listed. The masked lines
    themselves are read (``masked_to``) only when there are some."""
    counts = dict.fromkeys(RecommendationStatus.values, 0)
    worked = Recommendation.objects.visible_to(user).current().filter(WORKED).order_by()
    listed_worked = masked = 0
    for status, consented, n in worked.values_list("status", "consented").annotate(n=Count("pk")):
        counts[status] = counts.get(status, 0) + n
        listed_worked, masked = (listed_worked + n, masked) if consented else (listed_worked, masked + n)
    unworked = listed_count(user=user, headers=headers) - listed_worked
    counts[RecommendationStatus.NEW] += max(0, unworked)  # the cached length may lag a consent behind
    withdrawn = []
    if masked:
        rows = Recommendation.objects.masked_to(user).current().order_by()
        withdrawn = _by_firm_name(list(rows.only("pk", "run", "bank", "enterprise", "status", "officer", "notes")))
    return ListOverview(counts, withdrawn[:shown])


def _by_firm_name(rows: list[Recommendation]) -> list[Recommendation]:
    """``rows`` ordered by their firm's name (the database's collation), with the firm and the officer attached."""
    if not rows:
        return []
    firms = Enterprise.objects.filter(pk__in={r.enterprise_id for r in rows}).order_by("name", "pk").only("name")
    position = {firm.pk: (n, firm) for n, firm in enumerate(firms)}
    rows = sorted(rows, key=lambda r: (position[r.enterprise_id][0], r.pk))
    for rec in rows:
        rec.enterprise = position[rec.enterprise_id][1]
    prefetch_related_objects([r for r in rows if r.officer_id], "officer")
    return rows
