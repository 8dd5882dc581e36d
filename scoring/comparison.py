"""Compare two runs over their stored scores (the same batch under two systems, or the same firms in two years):
grade migration, who enters and leaves the recommendable list, rank shifts, biggest movers, each indicator's mean
contribution, by province and by section. Vectorised: each run's scores in the caller's region are read once in
bulk (binary COPY on PostgreSQL) into numpy arrays and matched by firm id; nothing loops over firms.

What a caller sees is ``Score.objects.in_scope_of(actor)`` (a bureau: its region) of runs it may see."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import F, FloatField, Func, IntegerField
from django.db.models.aggregates import Avg
from django.db.models.functions import Ord
from django.utils.translation import gettext_lazy as _

from core.actors import actor_of
from core.db.copy import CENTS, queryset_to_arrays
from core.labels import region_label, section_label
from enterprises.models import Enterprise

from .choices import GRADE_ORDER
from .labels import indicator_name
from .models import Score, ScoringRun

COLUMNS = {
    "enterprise_id": "int64", "grade_ascii": "int32", "total": CENTS, "rank_national": "int64", "eligible": "bool",
    "province": "int32",
}  # fmt: skip
"""What is read of each run's stored scores: no join (a firm's section is read once for both runs, ``_sections``),
so PostgreSQL streams the run's partition alone (~0.45 s for 520,000 rows against ~1.1 s joined to the firms)."""
PROVINCE_DIVISOR = 10_000  # 440305 // 10,000 = 44
MOVERS = 10
LIST_SAMPLE = 20

SHIFT_EDGES = np.array([-1000, -100, -10, 0, 1, 11, 101, 1001])
"""Rank shift (national rank in the first run minus in the second: positive is a move up) into nine bins."""
SHIFT_LABELS = (
    _("下降1000名以上"), _("下降100–999名"), _("下降10–99名"), _("下降1–9名"), _("不变"), _("上升1–9名"),
    _("上升10–99名"), _("上升100–999名"), _("上升1000名以上"),
)  # fmt: skip


class _Div(Func):
    """Integer division of the stored region code (both databases divide integers as integers)."""

    template = "(%(expressions)s / " + str(PROVINCE_DIVISOR) + ")"
    output_field = IntegerField()


class _PointAt(Func):
    """The points of the indicator at ``position`` (0-based) of a score row: an array subscript on PostgreSQL, a JSON
    path on SQLite (where the array is stored as JSON text)."""

    output_field = FloatField()

    def __init__(self, expression, position: int, **extra):
        super().__init__(expression, **extra)
        self.position = int(position)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=f"(%(expressions)s)[{self.position + 1}]", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = f"CAST(json_extract(%(expressions)s, '$[{self.position}]') AS REAL)"
        return self.as_sql(compiler, connection, template=template, **extra)


def run_score_arrays(run: ScoringRun, actor) -> dict[str, np.ndarray]:
    scores = (
        Score.objects.in_scope_of(actor)
        .filter(run_id=run.pk)
        .annotate(grade_ascii=Ord("grade"), province=_Div(F("region")))
        .order_by()
    )
    arrays = queryset_to_arrays(scores, COLUMNS)
    ids = arrays["enterprise_id"]
    if ids.size and np.any(ids[1:] < ids[:-1]):  # usually already in id order (the partition is written so)
        order = np.argsort(ids, kind="stable")
        arrays = {name: values[order] for name, values in arrays.items()}
    return arrays


def section_table(actor) -> tuple[np.ndarray, np.ndarray]:
    """Ids (sorted) and industry sections (their letters' codes) of the firms of the actor's region: one bulk read,
    instead of joining every score row to its firm."""
    firms = Enterprise.objects.visible_to(actor).annotate(section_ascii=Ord("section_id")).order_by()
    table = queryset_to_arrays(firms, {"id": "int64", "section_ascii": "int32"})
    order = np.argsort(table["id"], kind="stable")
    return table["id"][order], table["section_ascii"][order]


def _sections(table: tuple[np.ndarray, np.ndarray], ids: np.ndarray) -> np.ndarray:
    """The section code of each firm of ``ids`` (sorted) from ``section_table``; 0 for a firm no longer there."""
    known, sections = table
    if not known.size:
        return np.zeros(ids.size, np.int64)
    at = np.clip(np.searchsorted(known, ids), 0, known.size - 1)
    return np.where(known[at] == ids, sections[at], 0).astype(np.int64)


def _matched(a_ids: np.ndarray, b_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ids in both sorted, unique arrays and their positions in each (a binary search, no re-sort)."""
    if not a_ids.size or not b_ids.size:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    at = np.clip(np.searchsorted(b_ids, a_ids), 0, b_ids.size - 1)
    both = b_ids[at] == a_ids
    ia = np.flatnonzero(both)
    return a_ids[ia], ia, at[both]


def _extremes(values: np.ndarray, count: int, *, largest: bool) -> np.ndarray:
    """Positions of the ``count`` largest (or smallest) values, in order: a partition, then a sort of ``count``."""
    if values.size <= count:
        candidates = np.arange(values.size)
    else:
        candidates = np.argpartition(-values if largest else values, count)[:count]
    return candidates[np.argsort(-values[candidates] if largest else values[candidates], kind="stable")]


def indicator_means(run: ScoringRun, actor) -> dict[str, float]:
    """Mean points of each indicator of ``run`` over the firms in ``actor``'s scope (one aggregate query)."""
    if not run.indicator_codes:
        return {}
    scores = Score.objects.in_scope_of(actor).filter(run_id=run.pk)
    means = scores.aggregate(**{f"i{i}": Avg(_PointAt("points", i)) for i in range(len(run.indicator_codes))})
    return {code: means[f"i{i}"] or 0.0 for i, code in enumerate(run.indicator_codes)}


def _in_thread(function, *args):
    """``function(*args)`` on a connection of its own, closed afterwards (a worker thread of ``_read``)."""
    try:
        return function(*args)
    finally:
        connection.close()


def reads_at_once(tasks) -> tuple:
    """``function(*args)`` of each ``(function, *args)`` of ``tasks``, their results in order. On PostgreSQL outside a
    transaction they run at once, each on a connection of its own (the database scans the partitions on as many cores
    as it has); inside a transaction (tests, or a caller's atomic block) other connections would not see its rows, so
    they run one after another."""
    tasks = tuple(tasks)
    if connection.vendor != "postgresql" or connection.in_atomic_block or len(tasks) < 2:
        return tuple(function(*args) for function, *args in tasks)
    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        futures = [pool.submit(_in_thread, function, *args) for function, *args in tasks]
        return tuple(future.result() for future in futures)


def _read(base: ScoringRun, other: ScoringRun, actor):
    """Both runs' score arrays and indicator means, and the firms' sections: five reads at once."""
    tasks = ((run_score_arrays, base, actor), (run_score_arrays, other, actor), (indicator_means, base, actor),
             (indicator_means, other, actor), (section_table, actor))  # fmt: skip
    return reads_at_once(tasks)


@dataclass
class Comparison:
    base: ScoringRun
    other: ScoringRun
    counts: dict[str, int]
    grades: tuple[str, ...]
    migration: list[list[int]]
    entered: list[dict]
    left: list[dict]
    shifts: list[tuple[str, int]]
    movers_up: list[dict]
    movers_down: list[dict]
    by_province: list[dict]
    by_section: list[dict]
    indicators: list[dict]
    seconds: dict[str, float] = field(default_factory=dict)
    entered_ids: np.ndarray | None = None
    left_ids: np.ndarray | None = None


def _firms(ids) -> dict[int, tuple[str, str]]:
    rows = Enterprise.objects.filter(pk__in=[int(i) for i in ids]).values_list("pk", "name", "credit_code")
    return {pk: (name, code) for pk, name, code in rows}


def _grouped(keys_base, values_base, keys_other, values_other, matched_keys, deltas, size: int) -> list[tuple]:
    """Per key (province or section code): eligible firms in each run and the mean change of total of the firms in
    both; ``np.bincount`` over small integer codes."""
    eligible_base = np.bincount(keys_base, weights=values_base, minlength=size)
    eligible_other = np.bincount(keys_other, weights=values_other, minlength=size)
    firms_base = np.bincount(keys_base, minlength=size)
    firms_other = np.bincount(keys_other, minlength=size)
    matched = np.bincount(matched_keys, minlength=size)
    delta_sum = np.bincount(matched_keys, weights=deltas, minlength=size)
    rows = []
    for key in np.flatnonzero((firms_base + firms_other) > 0):
        mean_delta = float(delta_sum[key] / matched[key]) if matched[key] else None
        rows.append((int(key), int(firms_base[key]), int(firms_other[key]), int(eligible_base[key]),
                     int(eligible_other[key]), mean_delta))  # fmt: skip
    return rows


def run_comparison(*, who, base: ScoringRun, other: ScoringRun) -> Comparison:
    """``other`` against ``base`` for the firms in ``who``'s scope (see the module docstring)."""
    actor = actor_of(who)
    clock = time.perf_counter()
    a, b, means_a, means_b, sections = _read(base, other, actor)
    return comparison_of(base, other, a, b, means_a, means_b, sections, clock=clock)


def comparison_of(base, other, a: dict[str, np.ndarray], b: dict[str, np.ndarray], means_a: dict[str, float],
                  means_b: dict[str, float], sections: tuple[np.ndarray, np.ndarray], *, clock: float,
                  labels: dict[str, str] | None = None) -> Comparison:  # fmt: skip
    """The comparison of two sides already in memory: score arrays (``COLUMNS``, in id order) and indicator means of
    each, and the firms' sections (``section_table``). ``base`` and ``other`` are what the page names (runs, or the
    weight sandbox's draft, ``scoring.sandbox``); ``labels`` names the indicators (default: the runs' systems').
    ``clock`` is when reading started, for ``seconds``."""
    a, b = dict(a), dict(b)  # the caller's arrays may be cached (the sandbox's): add columns to copies
    a["section_ascii"], b["section_ascii"] = (
        _sections(sections, a["enterprise_id"]),
        _sections(sections, b["enterprise_id"]),
    )
    loaded = time.perf_counter()
    common, ia, ib = _matched(a["enterprise_id"], b["enterprise_id"])
    grades = GRADE_ORDER
    grade_a = a["grade_ascii"][ia] - ord("A")
    grade_b = b["grade_ascii"][ib] - ord("A")
    migration = np.bincount(grade_a * len(grades) + grade_b, minlength=len(grades) ** 2).reshape(len(grades), -1)

    eligible_a, eligible_b = a["eligible"][ia], b["eligible"][ib]
    entering, leaving = np.flatnonzero(~eligible_a & eligible_b), np.flatnonzero(eligible_a & ~eligible_b)
    entered_ids, left_ids = common[entering], common[leaving]
    total_a, total_b = a["total"][ia], b["total"][ib]
    rank_a, rank_b = a["rank_national"][ia], b["rank_national"][ib]
    delta = total_b - total_a
    shift_counts = np.bincount(np.digitize(rank_a - rank_b, SHIFT_EDGES), minlength=len(SHIFT_LABELS))

    up, down = _extremes(delta, MOVERS, largest=True), _extremes(delta, MOVERS, largest=False)
    up, down = up[delta[up] > 0], down[delta[down] < 0]
    sample_entered = entering[_extremes(total_b[entering], LIST_SAMPLE, largest=True)]
    sample_left = leaving[_extremes(total_a[leaving], LIST_SAMPLE, largest=True)]
    names = _firms(common[np.concatenate([up, down, sample_entered, sample_left])])

    def firm(i) -> dict:
        """The firm at position ``i`` of the matched arrays, as a row of the page."""
        pk = int(common[i])
        name, code = names.get(pk, ("", ""))
        return {"enterprise_id": pk, "name": name, "credit_code": code, "total_base": float(total_a[i]),
                "total_other": float(total_b[i]), "delta": float(delta[i]), "grade_base": grades[grade_a[i]],
                "grade_other": grades[grade_b[i]], "rank_base": int(rank_a[i]),
                "rank_other": int(rank_b[i])}  # fmt: skip

    provinces = [
        {"key": f"{key:02d}", "name": region_label(f"{key:02d}"), "firms_base": fb, "firms_other": fo,
         "eligible_base": eb, "eligible_other": eo, "eligible_delta": eo - eb, "mean_delta": md}
        for key, fb, fo, eb, eo, md in _grouped(a["province"], a["eligible"], b["province"], b["eligible"],
                                                a["province"][ia], delta, 100)
    ]  # fmt: skip
    sections = [
        {"key": chr(key), "name": section_label(chr(key)), "firms_base": fb, "firms_other": fo,
         "eligible_base": eb, "eligible_other": eo, "eligible_delta": eo - eb, "mean_delta": md}
        for key, fb, fo, eb, eo, md in _grouped(a["section_ascii"], a["eligible"], b["section_ascii"], b["eligible"],
                                                a["section_ascii"][ia], delta, 128)
    ]  # fmt: skip
    computed = time.perf_counter()

    indicator_labels = labels or {
        i.code: indicator_name(i.name) for run in (base, other) for i in run.system.indicators.all()
    }
    codes = list(dict.fromkeys([*base.indicator_codes, *other.indicator_codes]))
    indicators = [
        {"code": code, "name": indicator_labels.get(code, code), "mean_base": means_a.get(code),
         "mean_other": means_b.get(code),
         "delta": (means_b[code] - means_a[code]) if code in means_a and code in means_b else None}
        for code in codes
    ]  # fmt: skip
    counts = {
        "firms_base": int(a["enterprise_id"].size), "firms_other": int(b["enterprise_id"].size),
        "matched": int(common.size), "only_base": int(a["enterprise_id"].size - common.size),
        "only_other": int(b["enterprise_id"].size - common.size),
        "eligible_base": int(a["eligible"].sum()), "eligible_other": int(b["eligible"].sum()),
        "entered": int(entered_ids.size), "left": int(left_ids.size),
        "stayed": int((eligible_a & eligible_b).sum()),
        "grade_changed": int((grade_a != grade_b).sum()),
    }  # fmt: skip
    done = time.perf_counter()
    return Comparison(
        base=base, other=other, counts=counts, grades=grades, migration=migration.tolist(),
        entered=[firm(i) for i in sample_entered], left=[firm(i) for i in sample_left],
        shifts=[(str(label), int(n)) for label, n in zip(SHIFT_LABELS, shift_counts, strict=True)],
        movers_up=[firm(i) for i in up], movers_down=[firm(i) for i in down],
        by_province=provinces, by_section=sections, indicators=indicators,
        seconds={"load": loaded - clock, "compare": computed - loaded, "total": done - clock},
        entered_ids=entered_ids, left_ids=left_ids,
    )  # fmt: skip


def comparison_firms(ids: np.ndarray, chunk: int = 5_000) -> list[tuple[Any, ...]]:
    """(credit code, name, region) of every firm of ``ids``, for the export's entered/left sheets, in id order."""
    rows: list[tuple[Any, ...]] = []
    ids = [int(i) for i in ids]
    for start in range(0, len(ids), chunk):
        part = Enterprise.objects.filter(pk__in=ids[start : start + chunk]).order_by("pk")
        rows += list(part.values_list("credit_code", "name", "region_code"))
    return rows
