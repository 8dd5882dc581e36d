"""Reads for banks: the published run's eligible firms as arrays (bulk, for the push) and the officer's list."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce, Ord
from django.utils import timezone

from core.db.copy import CENTS, queryset_to_arrays
from enterprises.choices import ConsentScope
from enterprises.models import Consent, Submission
from scoring.choices import Stage
from scoring.models import Score, ScoringRun

from .choices import RecommendationStatus
from .models import Bank, LoanProduct, Recommendation

GRADES = ("A", "B", "C", "D", "E")
STAGES = tuple(Stage.values)


def _code_of(field: str, labels: tuple[str, ...]) -> Case:
    """``field``'s position in ``labels`` (a text column read as a small integer, for binary COPY)."""
    return Case(
        *[When(**{field: label}, then=Value(i)) for i, label in enumerate(labels)],
        default=Value(-1),
        output_field=IntegerField(),
    )


@dataclass(frozen=True, eq=False)
class PushPopulation:
    """The eligible firms of one run (methodology §7), as aligned arrays sorted best first (the list order)."""

    enterprise_id: np.ndarray  # int64
    total_cents: np.ndarray  # int64
    grade: np.ndarray  # int index into GRADES
    stage: np.ndarray  # int index into STAGES
    region: np.ndarray  # int, the 6-digit region code
    section: np.ndarray  # int, ASCII of the section letter
    revenue_basis: np.ndarray  # float, 万元: the revenue term of methodology §11
    financing_amount: np.ndarray  # float, NaN when the firm stated none

    @property
    def n(self) -> int:
        return int(self.enterprise_id.size)


def push_population(*, run: ScoringRun) -> PushPopulation:
    """Eligible firms of ``run`` with what matching needs; cached per run in the worker (a run's scores never change
    once computed, and one worker serves the run's 21 bank tasks in a row)."""
    return _push_population(run.pk, run.batch_id)


@lru_cache(maxsize=1)
def _push_population(run_id: int, batch_id: int) -> PushPopulation:
    scores = queryset_to_arrays(
        Score.objects.filter(run_id=run_id, eligible=True).annotate(
            region=Cast("enterprise__region_code", IntegerField()),
            section_ascii=Ord("enterprise__industry_code"),
            grade_code=_code_of("grade", GRADES),
            stage_code=_code_of("stage", STAGES),
        ),
        {
            "enterprise_id": "int64",
            "total": CENTS,
            "grade_code": "int32",
            "stage_code": "int32",
            "region": "int32",
            "section_ascii": "int32",
        },
    )
    filings = queryset_to_arrays(
        Submission.objects.filter(batch_id=batch_id).annotate(
            need=Coalesce("financing_amount", Value(-1), output_field=Submission._meta.get_field("revenue"))
        ),
        {"enterprise_id": "int64", "revenue": CENTS, "revenue_prev": CENTS, "need": CENTS},
    )
    ids = scores["enterprise_id"]
    position = np.argsort(filings["enterprise_id"], kind="stable")
    where = position[np.searchsorted(filings["enterprise_id"], ids, sorter=position)]
    revenue, revenue_prev, need = (filings[k][where] for k in ("revenue", "revenue_prev", "need"))
    # methodology §11: the average of revenue and revenue_prev when revenue_prev > 0, else revenue
    basis = np.where(revenue_prev > 0, (revenue + revenue_prev) / 2, revenue)
    cents = np.rint(scores["total"] * 100).astype(np.int64)
    order = np.lexsort((ids, -cents))  # best total first, then the lower id: a stable, reproducible list order
    return PushPopulation(
        enterprise_id=ids[order],
        total_cents=cents[order],
        grade=scores["grade_code"][order],
        stage=scores["stage_code"][order],
        region=scores["region"][order],
        section=scores["section_ascii"][order],
        revenue_basis=basis[order],
        financing_amount=np.where(need[order] < 0, np.nan, need[order]),
    )


def push_population_forget() -> None:
    """Drop the per-run cache (tests, and a bench that re-pushes after changing filings)."""
    _push_population.cache_clear()


def bank_products(*, bank: Bank) -> list[tuple[LoanProduct, list[str]]]:
    """The bank's products on sale with the region scopes each serves: its branches, or every branch of the bank."""
    all_scopes = sorted(set(bank.branches.values_list("region_scope", flat=True)))
    products = LoanProduct.objects.filter(bank=bank, active=True).prefetch_related("branches").order_by("pk")
    return [(p, sorted({b.region_scope for b in p.branches.all()}) or all_scopes) for p in products]


def preferred_enterprise_ids(*, run: ScoringRun, bank: Bank) -> np.ndarray:
    through = Submission.preferred_banks.through
    rows = through.objects.filter(bank_id=bank.pk, submission__batch_id=run.batch_id)
    return np.fromiter(rows.values_list("submission__enterprise_id", flat=True), dtype=np.int64)


# --- The officer's list -------------------------------------------------------------------------------------------

SORTS = {
    "rank": ("list_rank",),
    "-total": ("-total", "list_rank"),
    "total": ("total", "-list_rank"),
    "-line": ("-suggested_line", "list_rank"),
    "-need": ("-financing_amount", "list_rank"),
    "status": ("status", "list_rank"),
}


def recommendation_list(*, user, filters: dict | None = None, sort: str = "rank") -> QuerySet[Recommendation]:
    """The officer's current list (their bank, their branch's regions), filtered and sorted."""
    filters = filters or {}
    rows = Recommendation.objects.visible_to(user).current()
    if region := filters.get("region"):
        rows = rows.filter(region_code__startswith=region)
    if grade := filters.get("grade"):
        rows = rows.filter(grade=grade)
    if section := filters.get("section"):
        rows = rows.filter(section=section)
    if stage := filters.get("stage"):
        rows = rows.filter(stage=stage)
    if status := filters.get("status"):
        rows = rows.filter(status=status)
    if filters.get("preferred"):
        rows = rows.filter(preferred=True)
    if filters.get("mine"):
        rows = rows.filter(officer=user)
    if product := filters.get("product"):
        # product_ids is a JSON array of integers, "[3, 17]": match the id as a whole element on any database.
        rows = rows.alias(products_text=Cast("product_ids", output_field=Recommendation._meta.get_field("notes")))
        rows = rows.filter(products_text__regex=rf"[\[ ,]{int(product)}[,\]]")
    return rows.order_by(*SORTS.get(sort, SORTS["rank"]))


def officer_status_counts(*, user) -> dict[str, int]:
    counts = dict.fromkeys(RecommendationStatus.values, 0)
    rows = Recommendation.objects.visible_to(user).current().order_by().values("status").annotate(n=Count("pk"))
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def profile_consent_scope(*, enterprise_id: int, bank: Bank) -> str | None:
    """The widest scope of the firm's active consents covering ``bank`` (blanket or naming it): ``financials``,
    ``profile``, or None when there is none (then the profile is a 404)."""
    now = timezone.now()
    scopes = set(
        Consent.objects.filter(
            Q(bank__isnull=True) | Q(bank=bank),
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            enterprise_id=enterprise_id,
            revoked_at__isnull=True,
            granted_at__lte=now,
        ).values_list("scope", flat=True)
    )
    if ConsentScope.FINANCIALS in scopes:
        return ConsentScope.FINANCIALS
    return ConsentScope.PROFILE if scopes else None
