"""``score(population, system)``: one vectorised pass over a run's enterprises (methodology §2–§8, output §10).

Loops run over indicators, stages, peer levels and rank partitions — never over enterprises. Sums are taken in
system order, left to right (``base = p_1 + p_2 + …``), so that any independent implementation adding the same float64
points in the same order gets the same bits; numpy's pairwise ``sum`` would not promise that.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .derived import source_values, stage_codes
from .eligibility import reason_mask
from .normalise import direct_score
from .peers import N_SECTIONS, PeerGroups, counts_le_integers, percentile_scores
from .population import Population
from .result import ScoreResult
from .rounding import grade_codes, total_cents
from .system import STAGES, SystemDef

PARALLEL_MIN_FIRMS = 50_000
"""Below this, threads cost more than they save (measured with bench/engine_bench.py)."""

N_PROVINCE_KEYS = 100


def score(population: Population, system: SystemDef, *, threads: int | None = None) -> ScoreResult:
    """Score every enterprise of ``population`` with ``system``; the system must pass ``system.validate()`` with the
    population's extra fields (an indicator on an extra field the population lacks is refused, naming it).

    ``threads`` sets how many percentile indicators are normalised at once (numpy releases the GIL while sorting);
    the default uses every core for large runs. Results do not depend on it.
    """
    errors = system.validate(population.extra_fields)
    if errors:
        raise ValueError("invalid indicator system: " + "; ".join(errors))
    timings: dict[str, float] = {}
    clock = _Clock(timings)
    n, k = population.n, len(system.indicators)

    stage = stage_codes(population, system)
    peers = PeerGroups.build(stage, population.section, system.min_group_size)
    clock.lap("stages_and_groups")

    s = np.empty((n, k), dtype=np.float64, order="F")
    _normalise_all(population, system, peers, s, threads)
    clock.lap("normalise")

    points, base, bonus, category_points = _points(system, stage, s)
    total = base + bonus
    clock.lap("points")

    cents = total_cents(total)
    total_rounded = cents / 100.0
    grade = grade_codes(total_rounded, system.grade_bands)
    rank_national = _competition_rank(np.zeros(n, dtype=np.uint8), cents, 1)
    rank_province = _competition_rank(population.province, cents, N_PROVINCE_KEYS)
    rank_industry = _competition_rank(population.section, cents, N_SECTIONS)
    stage_size = np.bincount(stage, minlength=len(STAGES))
    stage_percentile = counts_le_integers(stage, cents, len(STAGES)) / stage_size[stage]
    reasons = reason_mask(population, total_rounded, system.threshold)
    clock.lap("ranks_and_eligibility")

    return ScoreResult(
        system_code=system.code,
        system_version=system.version,
        system_hash=system.content_hash(),
        indicator_codes=system.indicator_codes,
        categories=system.categories,
        grade_labels=system.grade_labels,
        enterprise_id=population.enterprise_id,
        province=population.province,
        stage=stage,
        peer_level=peers.level,
        s=s,
        points=points,
        category_points=category_points,
        base=base,
        bonus=bonus,
        total=total,
        total_rounded=total_rounded,
        grade=grade,
        rank_national=rank_national,
        rank_province=rank_province,
        rank_industry=rank_industry,
        stage_percentile=stage_percentile,
        eligible=reasons == 0,
        reasons=reasons,
        timings=timings,
    )


def _normalise_all(
    population: Population, system: SystemDef, peers: PeerGroups, s: np.ndarray, threads: int | None
) -> None:
    """Fill ``s`` column by column. Identical (source, method parameters) pairs are computed once."""
    jobs: dict[tuple, list[int]] = {}
    for i, ind in enumerate(system.indicators):
        signature = (ind.source, ind.method, ind.reference, ind.thresholds, ind.fractions)
        jobs.setdefault(signature, []).append(i)
    values: dict[str, np.ndarray] = {}

    def values_of(source: str) -> np.ndarray:
        if source not in values:
            values[source] = source_values(population, source)
        return values[source]

    def run(columns: list[int]) -> None:
        ind = system.indicators[columns[0]]
        x = values_of(ind.source)
        result = percentile_scores(x, peers) if ind.method == "percentile" else direct_score(ind, x)
        for i in columns:
            s[:, i] = result

    for source in dict.fromkeys(ind.source for ind in system.indicators):
        values_of(source)  # derive up front: the worker threads then only read the cache
    workers = threads if threads is not None else (os.cpu_count() or 1)
    if workers > 1 and population.n >= PARALLEL_MIN_FIRMS and len(jobs) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, jobs.values()))
    else:
        for columns in jobs.values():
            run(columns)


def _points(system: SystemDef, stage: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, ...]:
    """points = stage weight × s per indicator (§6); base, capped bonus and category subtotals as ordered sums."""
    n = s.shape[0]
    points = np.empty_like(s, order="F")
    stage_index = stage.astype(np.intp)  # converted once: fancy indexing would convert int8 on every column
    for i, ind in enumerate(system.indicators):
        stage_weight = np.array([ind.weight(st) for st in STAGES], dtype=np.float64)
        weight = stage_weight[0] if (stage_weight == stage_weight[0]).all() else stage_weight.take(stage_index)
        np.multiply(weight, s[:, i], out=points[:, i])
    base = _sum_columns(points, [i for i, ind in enumerate(system.indicators) if not ind.bonus], n)
    raw_bonus = _sum_columns(points, [i for i, ind in enumerate(system.indicators) if ind.bonus], n)
    category_points = np.empty((n, len(system.categories)), dtype=np.float64, order="F")
    for j, category in enumerate(system.categories):
        members = [i for i, ind in enumerate(system.indicators) if ind.category == category]
        category_points[:, j] = _sum_columns(points, members, n)
    return points, base, np.minimum(raw_bonus, system.bonus_cap), category_points


def _sum_columns(matrix: np.ndarray, columns: list[int], n: int) -> np.ndarray:
    """Left-to-right float64 sum of the given columns (0 when there are none)."""
    out = np.zeros(n, dtype=np.float64)
    for i in columns:
        out += matrix[:, i]
    return out


def _competition_rank(key: np.ndarray, cents: np.ndarray, n_groups: int) -> np.ndarray:
    """ "1224" rank, highest total first, inside each group: 1 + the number of group members with a higher total."""
    size = np.bincount(key, minlength=n_groups)
    return 1 + size[key] - counts_le_integers(key, cents, n_groups)


class _Clock:
    """Records the seconds of each named phase into ``timings``."""

    def __init__(self, timings: dict[str, float], now: Callable[[], float] = time.perf_counter) -> None:
        self.timings, self.now, self.last = timings, now, now()

    def lap(self, name: str) -> None:
        current = self.now()
        self.timings[name] = current - self.last
        self.last = current
