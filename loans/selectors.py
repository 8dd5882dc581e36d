"""The bureau's funnel, by aggregate queries only: firms collected → recommended → banks → contracts → guarantees.

National scale (a published run of 520,000+ firms, ~1.5 million list rows) stays fast because no query scans the
list rows: list sizes come from the per-push summaries (``RecommendationList.by_province``), worked rows from a
partial index, collected firms from the run's own counts when the region is a province or the whole country.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce, Substr

from banks.models import Bank, Recommendation, RecommendationList
from core.reference_data import PROVINCES
from enterprises.choices import SubmissionStatus
from enterprises.models import Submission
from guarantees.models import GuaranteeContract
from scoring.models import Batch, Score

from .models import LoanContract

WORKED = ("contacted", "approved", "declined", "contracted")
PROVINCE_NAMES = {code[:2]: name for code, name in PROVINCES}
ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=16, decimal_places=2))


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


def _in_scope(prefix: str, path: str) -> Q:
    return Q(**{f"{path}__startswith": prefix}) if prefix else Q()


def funnel(*, batch: Batch, scope: str, bank: Bank | None = None) -> Funnel:
    """The funnel of ``batch``'s published run inside region ``scope`` ('' national), optionally for one bank."""
    run_id = batch.published_run_id
    total = FunnelRow("", "")
    provinces: dict[str, FunnelRow] = {}
    banks: dict[int, FunnelRow] = {}

    def province(code: str) -> FunnelRow:
        return provinces.setdefault(code, FunnelRow(code, PROVINCE_NAMES.get(code, code)))

    def bank_row(bank_id: int, name: str = "") -> FunnelRow:
        return banks.setdefault(bank_id, FunnelRow(str(bank_id), name))

    # Collected: every scored filing of the published run (its counts), or a region query below province level.
    run = batch.published_run
    if run is not None and len(scope) <= 2:
        for code, n in (run.counts or {}).get("by_province", {}).items():
            if code.startswith(scope):
                province(code).collected = n
    else:
        filings = Submission.objects.filter(_in_scope(scope, "enterprise__region_code"), batch=batch).exclude(
            status=SubmissionStatus.DRAFT
        )
        for code, n in (
            filings.annotate(p=Substr("enterprise__region_code", 1, 2))
            .order_by()
            .values_list("p")
            .annotate(n=Count("pk"))
        ):
            province(code).collected = n
    if run_id is not None:
        eligible = Score.objects.filter(_in_scope(scope, "enterprise__region_code"), run_id=run_id, eligible=True)
        if bank is not None:
            eligible = eligible.filter(
                enterprise__recommendations__run_id=run_id, enterprise__recommendations__bank=bank
            )
        by_p = eligible.annotate(p=Substr("enterprise__region_code", 1, 2)).order_by().values_list("p")
        for code, n in by_p.annotate(n=Count("pk")):
            province(code).recommended = n
        lists = RecommendationList.objects.filter(run_id=run_id).select_related("bank")
        if bank is not None:
            lists = lists.filter(bank=bank)
        for summary in lists:
            for code, n in summary.by_province.items():
                if code.startswith(scope[:2]) and n:
                    row = province(code)
                    row.list_rows += n
                    row.bank_ids.add(summary.bank_id)
                    b = bank_row(summary.bank_id, str(summary.bank))
                    b.list_rows += n
        worked = Recommendation.objects.filter(_in_scope(scope, "region_code"), run_id=run_id, status__in=WORKED)
        if bank is not None:
            worked = worked.filter(bank=bank)
        grouped = worked.annotate(p=Substr("region_code", 1, 2)).order_by().values_list("p", "bank_id")
        for code, bank_id, n in grouped.annotate(n=Count("pk")):
            province(code).worked += n
            bank_row(bank_id).worked += n

    loans = LoanContract.objects.filter(_in_scope(scope, "enterprise__region_code"), recommendation__run__batch=batch)
    guarantees = GuaranteeContract.objects.filter(
        _in_scope(scope, "loan__enterprise__region_code"), loan__recommendation__run__batch=batch
    )
    if bank is not None:
        loans, guarantees = loans.filter(bank=bank), guarantees.filter(loan__bank=bank)
    loan_groups = loans.annotate(p=Substr("enterprise__region_code", 1, 2)).order_by().values_list("p", "bank_id")
    for code, bank_id, firms, amount in loan_groups.annotate(
        f=Count("enterprise_id", distinct=True), a=Coalesce(Sum("amount"), ZERO)
    ):
        for row in (province(code), bank_row(bank_id)):
            row.contract_firms += firms
            row.contract_amount += amount
    g_groups = (
        guarantees.annotate(p=Substr("loan__enterprise__region_code", 1, 2))
        .order_by()
        .values_list("p", "loan__bank_id")
    )
    for code, bank_id, n, amount in g_groups.annotate(n=Count("pk"), a=Coalesce(Sum("amount"), ZERO)):
        for row in (province(code), bank_row(bank_id)):
            row.guarantees += n
            row.guarantee_amount += amount

    names = dict(Bank.objects.filter(pk__in=list(banks)).values_list("pk", "short_name"))
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
    total.contract_firms = loans.values("enterprise_id").distinct().count()  # a firm may borrow from two banks
    return Funnel(
        total=total,
        by_province=sorted(provinces.values(), key=lambda r: r.key),
        by_bank=sorted(banks.values(), key=lambda r: (-r.list_rows, r.key)),
    )


def dashboard_batches(*, user):
    return Batch.objects.visible_to(user).filter(published_run__isnull=False).order_by("-year", "name")
