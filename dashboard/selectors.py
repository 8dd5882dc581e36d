"""The bureau's funnel, by aggregate queries only: firms collected → recommended → banks → contracts → guarantees.

National scale (a published run of 520,000 firms, ~70,000 recommended, ~1.5 million list rows, ~7,000 contracts)
stays fast because no query reads the list rows in bulk: list sizes come from the per-push summaries
(``RecommendationList.by_province``, ``by_region`` below province level), worked rows from a partial index, collected
and recommended firms from the run's scores by their integer region (an index range below national level; the
counts are cached, a computed run never changes), and contracts reach their batch through the contracted
recommendations (the same partial index) instead of a join to the partitioned list table (~1 s per query).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from banks.choices import RecommendationStatus
from banks.models import Recommendation, RecommendationList
from core.exceptions import ApplicationError
from core.labels import region_label
from core.models import Bank
from core.regions import in_region, region_range, scope_covers
from core.validators import validate_region_scope
from enterprises.choices import SubmissionStatus
from enterprises.models import Batch, Submission
from loans.models import LoanContract
from scoring.models import Score

WORKED = ("contacted", "approved", "declined", "contracted")


@dataclass
class FunnelRow:
    key: str
    label: str
    collected: int = 0
    recommended: int = 0
    list_rows: int = 0
    banks: int = 0
    worked: int = 0
    contract_firms: int = 0
    contract_amount: Decimal = Decimal(0)
    guarantees: int = 0
    guarantee_amount: Decimal = Decimal(0)
    bank_ids: set = field(default_factory=set, repr=False)


@dataclass
class Funnel:
    total: FunnelRow
    by_province: list[FunnelRow]
    by_bank: list[FunnelRow]


def _region_range(scope: str) -> Q:
    """Scores whose integer region code starts with ``scope``: a range, which the scores' region index serves."""
    if not scope:
        return Q()
    low, high = region_range(scope)
    return Q(region__gte=low, region__lt=high)


def funnel_region(*, scope: str, requested: str) -> str:
    """The region the funnel counts for a caller whose own scope is ``scope``: ``requested`` when it is a region
    code prefix (2, 4 or 6 digits) inside the scope, the scope itself when nothing is asked. Anything else is an
    error naming the region, on the page and in the API alike (before, the page silently widened it)."""
    requested = requested.strip()
    if not requested:
        return scope
    try:
        validate_region_scope(requested)
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages))
    if not scope_covers(scope, requested):
        raise ApplicationError(
            _("区域 %(region)s 不在您的范围(%(scope)s)之内。") % {"region": requested, "scope": scope or _("全国")}
        )
    return requested


def batch_loans(batch: Batch) -> QuerySet[LoanContract]:
    """The loans signed on ``batch``'s lists. A loan is recorded only from an approved recommendation, which becomes
    "contracted" (final) in the same transaction: those recommendations of the batch's pushed runs (a run has list
    rows only once pushed: the others' partitions are not even planned), read from the partial index of worked
    rows, name the loans."""
    pushed = RecommendationList.objects.filter(run__batch=batch).order_by().values_list("run_id", flat=True)
    contracted = Recommendation.objects.filter(run_id__in=sorted(set(pushed)), status=RecommendationStatus.CONTRACTED)
    return LoanContract.objects.filter(recommendation_id__in=contracted.values("pk"))


SCORES_CACHE_SECONDS = 24 * 3600


def _scores_by_province(run, scope: str, *, eligible: bool) -> list[tuple[str, int]]:
    """Scored (or recommendable) firms of ``run`` in ``scope`` per province: a scan of the run's scores (~0.2–0.5 s
    at 520,000), cached, since a computed run's scores never change. The key carries the run's creation time, so a
    reused id (a test database rolled back) never reads another run's counts."""
    key = f"funnel:scores:{run.pk}:{run.created_at.timestamp()}:{scope}:{int(eligible)}"

    def count() -> list[tuple[str, int]]:
        scores = Score.objects.filter(_region_range(scope), run_id=run.pk)
        if eligible:
            scores = scores.filter(eligible=True)
        grouped = scores.annotate(p=F("region") / 10_000).order_by().values_list("p").annotate(n=Count("pk"))
        return [(f"{p:02d}", n) for p, n in grouped]

    return cache.get_or_set(key, count, SCORES_CACHE_SECONDS)


def funnel(*, batch: Batch, scope: str, bank: Bank | None = None) -> Funnel:
    """The funnel of ``batch``'s published run inside region ``scope`` ('' national), optionally for one bank."""
    run_id = batch.scoring.published_run_id
    total = FunnelRow("", "")
    provinces: dict[str, FunnelRow] = {}
    banks: dict[int, FunnelRow] = {}

    def province(code: str) -> FunnelRow:
        # Rows are per province; inside a city or county filter the one row holds only that region: name it so.
        # Named once per row, not per call (~2,000 calls at national scale).
        if code not in provinces:
            label = region_label(scope if len(scope) > 2 and scope.startswith(code) else code)
            provinces[code] = FunnelRow(code, label)
        return provinces[code]

    def bank_row(bank_id: int, name: str = "") -> FunnelRow:
        if bank_id not in banks:
            banks[bank_id] = FunnelRow(str(bank_id), name)
        return banks[bank_id]

    run = batch.scoring.published_run
    if run_id is None:  # nothing published yet: the filings handed in
        filings = in_region(Submission.objects.filter(batch=batch), "enterprise__region_code", scope).exclude(
            status=SubmissionStatus.DRAFT
        )
        grouped = filings.annotate(p=Substr("enterprise__region_code", 1, 2)).order_by().values_list("p")
        for code, n in grouped.annotate(n=Count("pk")):
            province(code).collected = n
    else:
        # Collected: every scored filing of the published run (its counts), or its scores below province level.
        if len(scope) <= 2:
            for code, n in (run.counts or {}).get("by_province", {}).items():
                if code.startswith(scope):
                    province(code).collected = n
        else:
            for code, n in _scores_by_province(run, scope, eligible=False):
                province(code).collected = n
        lists = RecommendationList.objects.filter(run_id=run_id).select_related("bank")
        if bank is not None:
            lists = lists.filter(bank=bank)
        if len(scope) <= 2:
            lists = lists.defer("by_region")
        for summary in lists:
            counts = summary.by_province if len(scope) <= 2 else summary.by_region
            for code, n in counts.items():
                if code.startswith(scope) and n:
                    row = province(code[:2])
                    row.list_rows += n
                    row.bank_ids.add(summary.bank_id)
                    bank_row(summary.bank_id, str(summary.bank)).list_rows += n
                    if bank is not None:  # recommended to this bank: the firms of its list
                        row.recommended += n
        if bank is None:
            for code, n in _scores_by_province(run, scope, eligible=True):
                province(code).recommended = n
        worked = in_region(Recommendation.objects.filter(run_id=run_id, status__in=WORKED), "region_code", scope)
        if bank is not None:
            worked = worked.filter(bank=bank)
        grouped = worked.annotate(p=Substr("region_code", 1, 2)).order_by().values_list("p", "bank_id")
        for code, bank_id, n in grouped.annotate(n=Count("pk")):
            province(code).worked += n
            bank_row(bank_id).worked += n

    loans = in_region(batch_loans(batch), "enterprise__region_code", scope)
    if bank is not None:
        loans = loans.filter(bank=bank)
    # Loans and their guarantees in one read (a loan has at most one guarantee: the join adds no rows), summed here
    # per province and bank: the firms are counted per group and once overall (a firm may borrow from two banks),
    # which took the database two passes over the same loans. A loan is a short row: ~7,000 at national scale.
    loan_rows = loans.annotate(p=Substr("enterprise__region_code", 1, 2)).order_by()
    groups: dict[tuple[str, int], list] = {}  # (province, bank) -> [firms, amount, guarantees, guaranteed amount]
    borrowers: set[int] = set()
    for code, bank_id, firm, amount, guarantee_amount in loan_rows.values_list(
        "p", "bank_id", "enterprise_id", "amount", "guarantee__amount"
    ):
        group = groups.setdefault((code, bank_id), [set(), Decimal(0), 0, Decimal(0)])
        group[0].add(firm)
        group[1] += amount
        if guarantee_amount is not None:
            group[2] += 1
            group[3] += guarantee_amount
        borrowers.add(firm)
    for (code, bank_id), (firms, amount, guaranteed, guarantee_amount) in groups.items():
        for row in (province(code), bank_row(bank_id)):
            row.contract_firms += len(firms)
            row.contract_amount += amount
            row.guarantees += guaranteed
            row.guarantee_amount += guarantee_amount

    names = {b.pk: b.short_label for b in Bank.objects.filter(pk__in=list(banks)).only("pk", "code", "short_name")}
    for bank_id, row in banks.items():
        row.label = names.get(bank_id, row.label)
        row.banks = 1
    for row in provinces.values():
        row.banks = len(row.bank_ids)
    all_banks = set().union(*(r.bank_ids for r in provinces.values())) if provinces else set()
    for name in (
        "collected",
        "recommended",
        "list_rows",
        "worked",
        "contract_amount",
        "guarantees",
        "guarantee_amount",
    ):
        setattr(total, name, sum((getattr(r, name) for r in provinces.values()), start=getattr(total, name)))
    total.banks = len(all_banks)
    total.contract_firms = len(borrowers)
    return Funnel(
        total=total,
        by_province=sorted(provinces.values(), key=lambda r: r.key),
        by_bank=sorted(banks.values(), key=lambda r: (-r.list_rows, r.key)),
    )


def dashboard_batches(*, user):
    return Batch.objects.visible_to(user).filter(scoring__published_run__isnull=False).order_by("-year", "name")
