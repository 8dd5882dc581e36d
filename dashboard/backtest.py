"""The score back-test: do the points predict repayment? For the loans to firms a run scored, the share overdue, in
default and compensated, by the run's grade and by bands of its total, per region and per bank; whether the grades
are ordered (A no worse than B, …, D no worse than E); and the AUC of the total against default.

Aggregate queries only: one ``GROUP BY`` of loans ⋈ the run's scores by (grade, total, province, bank) — every
breakdown is a sum of those cells, and the AUC the rank sum (numpy) of their totals — and one of their compensations
by the same cell. Who sees
which loans is the caller's base queryset (a bureau: the loans in its region, counted, never listed; a bank: its
own, ``LoanContract.objects.visible_to``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
from django.db import connections, transaction
from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
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


def _band_label(key: str) -> str:
    low = int(key)
    index = BANDS.index(low)
    if index == 0:
        return f"≥ {low}"
    return f"{low}–{BANDS[index - 1]}"


CELL = ("bt_grade", "bt_total", "bt_province", "bank_id")
"""A cell of the one scan: the grade and the total (the band is the total's, the AUC ranks the totals), the province
and the bank — ~114,000 cells for 130,000 loans nationally, summed here into every breakdown."""


@dataclass
class Cells:
    """The cells as columns: keys (object arrays) and figures (integers; money in cents, exact in float64)."""

    keys: dict[str, np.ndarray]
    totals: np.ndarray
    figures: np.ndarray  # [cells, 5]: loans, overdue, defaults, guaranteed cents, compensated cents


def _cells(scored: QuerySet, compensations: QuerySet) -> Cells:
    """One scan of the loans: counts per cell; compensations (few rows) grouped by the same cell in a second
    query."""
    keyed = scored.annotate(bt_province=Substr("enterprise__region_code", 1, 2)).order_by()
    rows = list(
        keyed.values_list(*CELL).annotate(
            n=Count("pk"),
            overdue=Count("pk", filter=Q(repayment_status__in=BAD)),
            defaults=Count("pk", filter=Q(repayment_status=RepaymentStatus.DEFAULT)),
            guaranteed=Coalesce(Sum("guarantee__amount"), ZERO),
        )
    )
    paid = {
        tuple(key): amount
        for *key, amount in compensations.values_list(*CELL).annotate(paid=Coalesce(Sum("bt_amount"), ZERO))
    }
    columns = list(zip(*rows, strict=True)) if rows else [()] * 8
    totals = np.array(columns[1], dtype=np.float64)
    figures = np.zeros((len(rows), 5), dtype=np.float64)
    if rows:
        figures[:, 0], figures[:, 1], figures[:, 2] = columns[4], columns[5], columns[6]
        figures[:, 3] = [int(g * 100) for g in columns[7]]
        figures[:, 4] = [int(paid.get(tuple(row[:4]), 0) * 100) for row in rows] if paid else 0
    lows = np.array(BANDS[::-1], dtype=np.float64)  # ascending lower bounds
    band = np.array([f"{low:02d}" for low in BANDS[::-1]], dtype=object)[
        np.clip(np.searchsorted(lows, totals, side="right") - 1, 0, None)
    ]
    keys = {
        "grade": np.array(columns[0], dtype=object),
        "band": band,
        "province": np.array(columns[2], dtype=object),
        "bank": np.array([str(b) for b in columns[3]], dtype=object),
    }
    return Cells(keys, totals, figures)


def _compensations(loans: QuerySet, run: ScoringRun) -> QuerySet:
    """The compensation events of ``loans`` with their loan's cell (the same keys as ``_cells``)."""
    prefix = "guarantee__loan__"
    events = CompensationEvent.objects.filter(
        guarantee__loan__in=loans.values("pk"), **{f"{prefix}enterprise__scores__run": run.pk}
    )
    return events.order_by().annotate(
        bt_grade=F(f"{prefix}enterprise__scores__grade"),
        bt_total=F(f"{prefix}enterprise__scores__total"),
        bt_province=Substr(f"{prefix}enterprise__region_code", 1, 2),
        bank_id=F(f"{prefix}bank_id"),
        bt_amount=F("amount"),
    )


def _rollup(cells: Cells, key: str) -> dict[str, BacktestRow]:
    """The cells summed by one of their keys (numpy: one pass whatever the number of cells)."""
    if not len(cells.totals):
        return {}
    labels, inverse = np.unique(cells.keys[key].astype(str), return_inverse=True)
    sums = np.column_stack([np.bincount(inverse, weights=cells.figures[:, i]) for i in range(5)])
    cent = Decimal("0.01")
    return {
        str(label): BacktestRow(str(label), str(label), int(n), int(o), int(d), (Decimal(int(g)) * cent),
                                (Decimal(int(c)) * cent))
        for label, (n, o, d, g, c) in zip(labels, sums, strict=True)
    }  # fmt: skip


def auc_of_groups(totals: np.ndarray, loans: np.ndarray, defaults: np.ndarray) -> float | None:
    """``auc_of`` over loans grouped by total (``loans`` and ``defaults`` per group; groups of one total are merged):
    each total's loans share their average rank, so the rank sum needs one row per total, not per loan."""
    totals, inverse = np.unique(totals, return_inverse=True)  # several cells may hold one total: one group each
    loans = np.bincount(inverse, weights=loans.astype(np.float64))
    defaults = np.bincount(inverse, weights=defaults.astype(np.float64))
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
    """The back-test of ``run`` over ``loans`` (the caller's visible loans; see the module docstring): two queries
    — the loans per cell, their compensations per cell — and sums in Python."""
    scored = backtest_loans(loans, run=run)
    with transaction.atomic(using=scored.db):
        if connections[scored.db].vendor == "postgresql":
            with connections[scored.db].cursor() as cursor:
                # The planner overestimates the join (millions of rows for 130,000) and JIT-compiles the CASE of
                # the bands for ~2 s; plain execution takes 0.2–0.8 s (bench/backtest_bench.py).
                cursor.execute("SET LOCAL jit = off")
        cells = _cells(scored, _compensations(loans, run))
    grades = _rollup(cells, "grade")
    by_grade = [grades.get(g, BacktestRow(g, g)) for g in GRADE_ORDER]
    bands = _rollup(cells, "band")
    by_band = [bands.get(f"{low:02d}", BacktestRow(f"{low:02d}", "")) for low in BANDS]
    for row in by_band:
        row.label = _band_label(row.key)
    provinces = sorted(_rollup(cells, "province").values(), key=lambda r: r.key)
    for row in provinces:
        row.label = region_label(row.key)
    banks = _rollup(cells, "bank")
    names = {str(b.pk): b.short_label for b in Bank.objects.filter(pk__in=[int(k) for k in banks])}
    for row in banks.values():
        row.label = names.get(row.key, row.key)
    total = BacktestRow("", _("合计"))
    for row in by_grade:
        for name in ("loans", "overdue", "defaults", "guaranteed", "compensated"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    totals, loans_at, defaults_at = cells.totals, cells.figures[:, 0], cells.figures[:, 2]
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
        auc=auc_of_groups(totals, loans_at, defaults_at) if len(totals) else None,
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
