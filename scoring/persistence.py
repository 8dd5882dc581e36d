"""Writes a run's ScoreResult into the Score table, and removes a run's rows; the bulk path of scoring runs.

PostgreSQL (see ``Score``'s docstring for the measurements): the rows go into a fresh table ``scoring_score_r<run>``
created in the caller's transaction with ``COPY … FREEZE`` (no WAL-visible row-by-row index or trigger work), then
``ATTACH PARTITION`` builds the indexes in one sort each and makes the rows part of ``scoring_score``. Until the
transaction commits no reader sees any of them; if it rolls back, the table never existed. Other databases: plain
inserts through ``core.db.copy`` inside the caller's transaction, after deleting any rows of the run.
"""

from __future__ import annotations

import numpy as np
from django.db import connection, transaction
from django.db.models import IntegerField
from django.db.models.functions import Cast

from core.db.copy import ArrayColumn, arrays_insert, queryset_to_arrays, table_of
from core.db.partitions import INDEX_BUILD_MEMORY, analyze_on_commit, fresh_table_fill
from enterprises.models import Enterprise

from .engine.report import ReportFigures
from .engine.result import ScoreResult, reason_table
from .engine.rounding import total_cents
from .engine.system import STAGES
from .models import Score, ScoringRun


def partition_name(run: ScoringRun) -> str:
    return f"{table_of(Score)}_r{int(run.pk)}"


def enterprise_regions(enterprise_id: np.ndarray) -> np.ndarray:
    """Each firm's region code as an int32 (440305), aligned with ``enterprise_id``.

    The engine does not need the full code (it groups by province), so the population load does not carry it; one
    binary COPY of (id, code) for every firm is ~0.2 s at 520,000 firms, cheaper than threading a text column through
    the engine. A firm deleted since the load has no code: the run fails rather than store a score without a region.
    """
    firms = queryset_to_arrays(
        Enterprise.objects.order_by().annotate(region=Cast("region_code", IntegerField())),
        {"id": "int64", "region": "int32"},
    )
    order = np.argsort(firms["id"], kind="stable")
    ids, regions = firms["id"][order], firms["region"][order]
    at = np.searchsorted(ids, enterprise_id).clip(max=max(ids.size - 1, 0))
    if ids.size == 0 or not np.array_equal(ids[at], enterprise_id):
        raise ValueError("a scored enterprise no longer exists")
    return regions[at]


def score_columns(
    *, run: ScoringRun, result: ScoreResult, figures: ReportFigures | None = None, regions: np.ndarray | None = None
) -> list[ArrayColumn]:
    """The Score table's columns for ``result`` and the report's ``figures``, as arrays (database column names);
    ``regions`` (aligned with the result) saves reading each firm's region code."""
    n = result.n
    report = [] if figures is None else [
        ArrayColumn("figures", "bytea", figures.packed()),
        ArrayColumn("input_hash", "int8", figures.input_hash),
    ]  # fmt: skip
    return report + [
        ArrayColumn("run_id", "int8", np.full(n, run.pk, dtype=np.int64)),
        ArrayColumn("enterprise_id", "int8", result.enterprise_id),
        ArrayColumn("peer_level", "int2", result.peer_level),
        ArrayColumn("points", "float8[]", result.points),
        ArrayColumn("normalised", "float8 bytes", result.s),
        ArrayColumn("subtotals", "float8 bytes", result.category_points),
        ArrayColumn("base", "float8", result.base),
        ArrayColumn("bonus", "float8", result.bonus),
        ArrayColumn("total", "cents", total_cents(result.total)),
        ArrayColumn("rank_national", "int4", result.rank_national),
        ArrayColumn("rank_province", "int4", result.rank_province),
        ArrayColumn("rank_industry", "int4", result.rank_industry),
        ArrayColumn("stage_percentile", "float8", result.stage_percentile),
        ArrayColumn("eligible", "bool", result.eligible),
        ArrayColumn("stage", "text", result.stage, STAGES),
        ArrayColumn("grade", "text", result.grade, result.grade_labels),
        ArrayColumn("reasons", "text", result.reasons, tuple(reason_table())),
        ArrayColumn("region", "int4", enterprise_regions(result.enterprise_id) if regions is None else regions),
    ]


def scores_write(
    *, run: ScoringRun, result: ScoreResult, figures: ReportFigures | None = None, regions: np.ndarray | None = None
) -> int:
    """Store ``result`` (and the report's ``figures``) as ``run``'s scores, replacing any rows the run had; returns
    the number of rows.

    Must run inside a transaction (the caller's, which also marks the run computed): all rows appear at commit.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("scores_write must run inside transaction.atomic()")
    columns = score_columns(run=run, result=result, figures=figures, regions=regions)
    if connection.vendor != "postgresql":
        Score.objects.filter(run=run).delete()
        return arrays_insert(Score, columns)
    qn = connection.ops.quote_name
    parent, child = qn(table_of(Score)), partition_name(run)
    run_id = int(run.pk)
    with transaction.atomic(), connection.cursor() as cursor:
        written = fresh_table_fill(Score, child, f"run_id = {run_id}", columns)
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
        cursor.execute(f"ALTER TABLE {parent} ATTACH PARTITION {qn(child)} FOR VALUES IN ({run_id})")
    # Planner statistics for the new partition once it is visible: without them the first filtered API pages of a
    # fresh run took ~300 ms instead of ~60 ms. After commit, outside the rows' transaction (it runs as the caller's
    # outermost block ends, so a run's persist phase includes it).
    analyze_on_commit(child, [f.column for f in Score._meta.concrete_fields if f.column not in UNFILTERED_COLUMNS])
    return written


UNFILTERED_COLUMNS = ("points", "normalised", "subtotals", "figures", "input_hash")
"""Score columns no query filters, joins or sorts on: ANALYZE leaves them out (their statistics, element-wise for
the array, were half its cost: 0.56 → 0.27 s of server CPU at 100,000 rows)."""


def scores_discard(*, run: ScoringRun) -> None:
    """Remove every score row of ``run`` (its partition on PostgreSQL). Safe when there are none."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(partition_name(run))}")
    Score.objects.filter(run=run).delete()
