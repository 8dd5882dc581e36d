"""The score back-test: do the points predict repayment? For the loans to firms a run scored, the share overdue, in
default and compensated, by the run's grade and by bands of its total, per region and per bank; whether the grades
are ordered (A no worse than B, …, D no worse than E); and the AUC of the total against default.

Aggregate queries only: one ``GROUP BY`` of loans ⋈ the run's scores by (grade, band, province, bank) — every
breakdown is a sum of those cells — one of their compensations by the same cell, and one of the loans per distinct
total whose ranks numpy sums for the AUC. Who sees
which loans is the caller's base queryset (a bureau: the loans in its region, counted, never listed; a bank: its
own, ``LoanContract.objects.visible_to``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
from django.db import connections, transaction
from django.db.models import Case, CharField, Count, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext as _

from core.labels import region_label
from core.models import Bank
from guarantees.models import CompensationEvent
from loans.models import LoanContract, RepaymentStatus
from scoring.choices import GRADE_ORDER
from scoring.models import ScoringRun

BANDS = (90, 85, 80, 75, 70, 65, 60, 50, 0)
"""Lower bounds of the total bands, best first: 5 points wide around the grade bounds and the threshold (70)."""
ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=16, decimal_places=2))
BAD = (RepaymentStatus.OVERDUE, RepaymentStatus.DEFAULT)


def _percent(part, whole) -> Decimal | None:
    """A rate in percent with two decimals (half to even), None when there is nothing to divide."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


@dataclass
class BacktestRow:
    key: str
    label: str
    loans: int = 0
    overdue: int = 0  # overdue or in default: every loan that stopped paying on time
    defaults: int = 0
    guaranteed: Decimal = Decimal(0)
    compensated: Decimal = Decimal(0)

    @property
    def overdue_rate(self) -> Decimal | None:
        return _percent(self.overdue, self.loans)

    @property
    def default_rate(self) -> Decimal | None:
        return _percent(self.defaults, self.loans)

    @property
    def compensation_rate(self) -> Decimal | None:
        return _percent(self.compensated, self.guaranteed)


@dataclass
class Backtest:
    run: ScoringRun
    total: BacktestRow
    by_grade: list[BacktestRow]
    by_band: list[BacktestRow]
    by_province: list[BacktestRow]
    by_bank: list[BacktestRow]
    auc: float | None
    violations: list[tuple[str, str]] = field(default_factory=list)

    @property
    def monotonic(self) -> bool | None:
        """Each grade no worse than the next lower one, over the grades with loans (None with fewer than two)."""
        if sum(1 for r in self.by_grade if r.loans) < 2:
            return None
        return not self.violations


def backtest_loans(loans: QuerySet[LoanContract], *, run: ScoringRun) -> QuerySet[LoanContract]:
    """``loans`` restricted to firms ``run`` scored, with that run's grade and total (``bt_grade``, ``bt_total``)."""
    return loans.filter(enterprise__scores__run=run.pk).annotate(
        bt_grade=F("enterprise__scores__grade"), bt_total=F("enterprise__scores__total")
    )


def _band() -> Case:
    whens = [When(bt_total__gte=low, then=Value(f"{low:02d}")) for low in BANDS]
    return Case(*whens, default=Value("00"), output_field=CharField())


def _band_label(key: str) -> str:
    low = int(key)
    index = BANDS.index(low)
    if index == 0:
        return f"≥ {low}"
    return f"{low}–{BANDS[index - 1]}"


CELL = ("bt_grade", "bt_band", "bt_province", "bank_id")


def _cells(scored: QuerySet, compensations: QuerySet) -> list[tuple]:
    """One scan of the loans: counts per (grade, band, province, bank) cell — a few thousand cells at national scale
    — which every breakdown then sums; compensations (few rows) grouped by the same cell in a second query."""
    keyed = scored.annotate(bt_band=_band(), bt_province=Substr("enterprise__region_code", 1, 2)).order_by()
    rows = keyed.values_list(*CELL).annotate(
        n=Count("pk"),
        overdue=Count("pk", filter=Q(repayment_status__in=BAD)),
        defaults=Count("pk", filter=Q(repayment_status=RepaymentStatus.DEFAULT)),
        guaranteed=Coalesce(Sum("guarantee__amount"), ZERO),
    )
    paid = {
        tuple(key): amount
        for *key, amount in compensations.values_list(*CELL).annotate(paid=Coalesce(Sum("bt_amount"), ZERO))
    }
    return [(*key, n, o, d, g, paid.get(tuple(key), Decimal(0))) for *key, n, o, d, g in rows]


def _compensations(loans: QuerySet, run: ScoringRun) -> QuerySet:
    """The compensation events of ``loans`` with their loan's cell (the same keys as ``_cells``)."""
    prefix = "guarantee__loan__"
    events = CompensationEvent.objects.filter(
        guarantee__loan__in=loans.values("pk"), **{f"{prefix}enterprise__scores__run": run.pk}
    )
    whens = [When(**{f"{prefix}enterprise__scores__total__gte": low}, then=Value(f"{low:02d}")) for low in BANDS]
    return events.order_by().annotate(
        bt_grade=F(f"{prefix}enterprise__scores__grade"),
        bt_band=Case(*whens, default=Value("00"), output_field=CharField()),
        bt_province=Substr(f"{prefix}enterprise__region_code", 1, 2),
        bank_id=F(f"{prefix}bank_id"),
        bt_amount=F("amount"),
    )


def _rollup(cells: list[tuple], index: int) -> dict[str, BacktestRow]:
    rows: dict[str, BacktestRow] = {}
    for cell in cells:
        key = str(cell[index])
        row = rows.setdefault(key, BacktestRow(key, key))
        n, overdue, defaults, guaranteed, compensated = cell[len(CELL) :]
        row.loans += n
        row.overdue += overdue
        row.defaults += defaults
        row.guaranteed += guaranteed
        row.compensated += compensated
    return rows


def auc_of_groups(totals: np.ndarray, loans: np.ndarray, defaults: np.ndarray) -> float | None:
    """``auc_of`` over loans grouped by distinct total (``loans`` and ``defaults`` per total): each group's loans
    share the group's average rank, so the rank sum needs one row per distinct total, not per loan."""
    order = np.argsort(totals, kind="mergesort")
    loans, defaults = loans[order].astype(np.float64), defaults[order].astype(np.float64)
    positives, negatives = defaults.sum(), loans.sum() - defaults.sum()
    if not positives or not negatives:
        return None
    before = np.concatenate([[0.0], np.cumsum(loans)[:-1]])
    average_rank = before + (loans + 1) / 2
    repaid_ranks = ((loans - defaults) * average_rank).sum()
    return float((repaid_ranks - negatives * (negatives + 1) / 2) / (positives * negatives))


def auc_of(totals: np.ndarray, defaulted: np.ndarray) -> float | None:
    """The probability that a loan repaid has a higher total than a loan in default (ties count half): the
    Mann–Whitney rank sum, ties given their average rank. 0.5 is a coin; 1 separates perfectly."""
    positives = int(defaulted.sum())
    negatives = len(defaulted) - positives
    if not positives or not negatives:
        return None
    order = np.argsort(totals, kind="mergesort")
    ranks = np.empty(len(totals), dtype=np.float64)
    ranks[order] = np.arange(1, len(totals) + 1)
    _, inverse, counts = np.unique(totals, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    ranks = (sums / counts)[inverse]  # ties share their average rank
    repaid_ranks = ranks[~defaulted].sum()
    return float((repaid_ranks - negatives * (negatives + 1) / 2) / (positives * negatives))


def backtest(*, run: ScoringRun, loans: QuerySet[LoanContract]) -> Backtest:
    """The back-test of ``run`` over ``loans`` (the caller's visible loans; see the module docstring): three
    queries — the loans per cell, their compensations per cell, the loans per distinct total for the AUC."""
    scored = backtest_loans(loans, run=run)
    with transaction.atomic(using=scored.db):
        if connections[scored.db].vendor == "postgresql":
            with connections[scored.db].cursor() as cursor:
                # The planner overestimates the join (millions of rows for 130,000) and JIT-compiles the CASE of
                # the bands for ~2 s; plain execution takes 0.2–0.8 s (bench/backtest_bench.py).
                cursor.execute("SET LOCAL jit = off")
        cells = _cells(scored, _compensations(loans, run))
        by_total = list(
            scored.order_by()
            .values_list("bt_total")
            .annotate(n=Count("pk"), d=Count("pk", filter=Q(repayment_status=RepaymentStatus.DEFAULT)))
        )
    grades = _rollup(cells, 0)
    by_grade = [grades.get(g, BacktestRow(g, g)) for g in GRADE_ORDER]
    bands = _rollup(cells, 1)
    by_band = [bands.get(f"{low:02d}", BacktestRow(f"{low:02d}", "")) for low in BANDS]
    for row in by_band:
        row.label = _band_label(row.key)
    provinces = sorted(_rollup(cells, 2).values(), key=lambda r: r.key)
    for row in provinces:
        row.label = region_label(row.key)
    banks = _rollup(cells, 3)
    names = {str(b.pk): b.short_label for b in Bank.objects.filter(pk__in=[int(k) for k in banks])}
    for row in banks.values():
        row.label = names.get(row.key, row.key)
    total = BacktestRow("", _("合计"))
    for row in by_grade:
        for name in ("loans", "overdue", "defaults", "guaranteed", "compensated"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    groups = np.array([(float(t), n, d) for t, n, d in by_total], dtype=np.float64).reshape(-1, 3)
    populated = [r for r in by_grade if r.loans]
    violations = [
        (better.key, worse.key)
        for better, worse in zip(populated, populated[1:], strict=False)
        if better.default_rate > worse.default_rate
    ]
    return Backtest(
        run=run,
        total=total,
        by_grade=by_grade,
        by_band=by_band,
        by_province=provinces,
        by_bank=sorted(banks.values(), key=lambda r: (-r.loans, r.key)),
        auc=auc_of_groups(groups[:, 0], groups[:, 1], groups[:, 2]) if len(groups) else None,
        violations=violations,
    )


def backtest_runs(actor) -> QuerySet[ScoringRun]:
    """The runs a back-test can be asked of: a bank, the published runs (``scoring.api.scoping.runs_for``); a bureau
    also its batches' other computed runs (another system version on the same filings, to compare how well each
    predicts). Published first, newest batch first."""
    from scoring.api.scoping import runs_for

    return (
        runs_for(actor)
        .filter(state__in=("published", "computed"))
        .select_related("batch", "system")
        .order_by("-batch__year", "batch__name", "-state", "-pk")
    )
