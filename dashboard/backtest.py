"""The score back-test: do the points predict repayment? For the loans to firms a run scored, the share overdue, in
default and compensated, by the run's grade and by bands of its total, per region and per bank; whether the grades
are ordered (A no worse than B, …, D no worse than E); and the AUC of the total against default.

One aggregate query: loans ⋈ the run's scores grouped by grade, by total, by province and by bank at once (grouping
sets); the bands are sums of the totals' rows and the AUC the rank sum (numpy) over them. Who sees which loans is the
caller's base queryset (a bureau: the loans in its region, counted, never listed; a bank: its
own, ``LoanContract.objects.visible_to``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
from django.db import connections, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.labels import region_label
from core.models import Bank
from guarantees.models import CompensationEvent, GuaranteeContract
from loans.models import LoanContract, RepaymentStatus
from scoring.choices import GRADE_ORDER
from scoring.models import Score, ScoringRun

BANDS = (90, 85, 80, 75, 70, 65, 60, 50, 0)
"""Lower bounds of the total bands, best first: 5 points wide around the grade bounds and the threshold (70)."""
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


def _band_label(key: str) -> str:
    low = int(key)
    index = BANDS.index(low)
    if index == 0:
        return f"≥ {low}"
    return f"{low}–{BANDS[index - 1]}"


SETS = {"grade": "s.grade", "total": "s.total", "province": "s.region / 10000", "bank": "l.bank_id"}
"""The breakdowns the one query groups by, as grouping sets. The bands are sums of the totals' rows (and the AUC is
the rank sum over them), so a breakdown by band needs no set of its own. The province is the firm's when scored
(``Score.region``), which saves joining the firms' table."""
SET_OF = {7: "grade", 11: "total", 13: "province", 14: "bank"}
"""``GROUPING(grade, total, province, bank)`` → the set a row belongs to (a bit set for each key not grouped by)."""


@dataclass
class Grouped:
    """The query's rows per grouping set: keys and figures (integers; money in cents, exact in float64)."""

    keys: dict[str, np.ndarray]
    figures: dict[str, np.ndarray]  # [rows, 5]: loans, overdue, defaults, guaranteed cents, compensated cents


def _grouped_sql(loans: QuerySet, run: ScoringRun, postgresql: bool) -> tuple[str, list]:
    """One scan of the caller's loans ⋈ the run's scores (⟕ guarantees ⟕ their compensations, pre-summed per
    guarantee so no loan counts twice), grouped by every breakdown at once.

    Why it scales: the cost is one hash join of the loans against one pass over the run's scores and a handful of
    hash aggregates; nothing is sorted and no per-group or per-loan query runs. The scores are read from the
    partition's (region, total, enterprise) index, which carries grade and run (``score_region_total``): an
    index-only scan of ~60 bytes a firm instead of the ~700-byte heap rows (25 MB, not 360 MB, at 520,000 firms).
    What comes back to Python is bounded by the distinct totals (≤ 10,001 at two decimals) plus the grades,
    provinces and banks — not by the loans: 130,000 loans give ~10,000 rows where grouping by (grade, total,
    province, bank) cells gave ~114,000 tuples to build. ``bench/backtest_bench.py`` measures it."""
    inner, params = (
        loans.order_by().values("id", "enterprise_id", "bank_id", "repayment_status").query.sql_with_params()
    )
    score, guarantee = Score._meta.db_table, GuaranteeContract._meta.db_table
    event = CompensationEvent._meta.db_table
    source = (
        f"FROM ({inner}) l JOIN {score} s ON s.run_id = %s AND s.enterprise_id = l.enterprise_id "
        f"LEFT JOIN {guarantee} g ON g.loan_id = l.id "
        f"LEFT JOIN (SELECT guarantee_id, SUM(amount) AS paid FROM {event} GROUP BY guarantee_id) c "
        "ON c.guarantee_id = g.id"
    )
    params = [*params, run.pk]
    measures = (
        "COUNT(*), COUNT(*) FILTER (WHERE l.repayment_status IN (%s, %s)), "
        "COUNT(*) FILTER (WHERE l.repayment_status = %s), COALESCE(SUM(g.amount), 0), COALESCE(SUM(c.paid), 0)"
    )
    measure_params = [*BAD, RepaymentStatus.DEFAULT]
    if postgresql:
        keys = ", ".join(SETS.values())
        sets = ", ".join(f"({expression})" for expression in SETS.values())
        sql = f"SELECT GROUPING({keys}), {keys}, {measures} {source} GROUP BY GROUPING SETS ({sets})"
        return sql, [*measure_params, *params]
    selects, all_params = [], []  # no GROUPING SETS (SQLite, the demo): the same rows, one GROUP BY per set
    for code, name in SET_OF.items():
        keys = ", ".join(expression if key == name else "NULL" for key, expression in SETS.items())
        selects.append(f"SELECT {code}, {keys}, {measures} {source} GROUP BY {SETS[name]}")
        all_params += [*measure_params, *params]
    return " UNION ALL ".join(selects), all_params


def _cents(value) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


def _grouped(loans: QuerySet, run: ScoringRun) -> Grouped:
    connection = connections[loans.db]
    postgresql = connection.vendor == "postgresql"
    sql, params = _grouped_sql(loans, run, postgresql)
    with transaction.atomic(using=loans.db), connection.cursor() as cursor:
        if postgresql:
            # The planner overestimates the join and JIT-compiles the aggregates for longer than they run.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    keys: dict[str, np.ndarray] = {}
    figures: dict[str, np.ndarray] = {}
    for code, name in SET_OF.items():
        position = 1 + list(SETS).index(name)
        mine = [row for row in rows if row[0] == code]
        values = [row[position] for row in mine]
        if name == "total":
            keys[name] = np.array([float(v) for v in values], dtype=np.float64)
        elif name == "province":
            keys[name] = np.array([f"{int(v):02d}" for v in values], dtype=object)
        else:
            keys[name] = np.array([str(v) for v in values], dtype=object)
        block = np.zeros((len(mine), 5), dtype=np.float64)
        for i, row in enumerate(mine):
            block[i] = (row[5], row[6], row[7], _cents(row[8]), _cents(row[9]))
        figures[name] = block
    lows = np.array(BANDS[::-1], dtype=np.float64)  # ascending lower bounds
    keys["band"] = np.array([f"{low:02d}" for low in BANDS[::-1]], dtype=object)[
        np.clip(np.searchsorted(lows, keys["total"], side="right") - 1, 0, None)
    ]
    figures["band"] = figures["total"]
    return Grouped(keys, figures)


def _rollup(grouped: Grouped, key: str) -> dict[str, BacktestRow]:
    """The rows of one breakdown, summed by their key (the bands: several totals each)."""
    figures = grouped.figures[key]
    if not len(figures):
        return {}
    labels, inverse = np.unique(grouped.keys[key].astype(str), return_inverse=True)
    sums = np.column_stack([np.bincount(inverse, weights=figures[:, i], minlength=len(labels)) for i in range(5)])
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
    """The back-test of ``run`` over ``loans`` (the caller's visible loans; see the module docstring): one grouped
    query (``_grouped_sql``) and sums in numpy."""
    cells = _grouped(loans, run)
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
    totals, loans_at, defaults_at = cells.keys["total"], cells.figures["total"][:, 0], cells.figures["total"][:, 2]
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
