"""Each source field's values sorted inside the peer groups of every fallback level (§4), computed once per run.

The report figures (``report``: each firm's CDF in its group and the quartile targets) and the self-assessment's
peer distributions (``whatif``: samples of every group's sorted values) read the same arrangement; each used to sort
every source field again for every level. One ``argsort`` of the values per source, then per level a stable radix
sort on the small group key keeps the values ascending inside each group.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .core import PARALLEL_MIN_FIRMS
from .derived import source_values
from .peers import LEVELS, PeerGroups
from .population import Population
from .system import SystemDef


@dataclass(frozen=True, eq=False)
class LevelArrangement:
    """One level's groups, members in (group, value) order: ``index[p]`` is the firm at sorted position p,
    ``sorted_x[p]`` its value, ``at_or_below[p]`` how many members of its group have a value <= it; ``start`` and
    ``sizes`` per group id (every group id of the level, empty ones included)."""

    index: np.ndarray
    sorted_x: np.ndarray
    start: np.ndarray
    sizes: np.ndarray
    at_or_below: np.ndarray


@dataclass(frozen=True, eq=False)
class Arrangement:
    """A source field's values in firm order and their arrangement at each requested level."""

    x: np.ndarray
    levels: dict[int, LevelArrangement]


def arrange(x: np.ndarray, peers: PeerGroups, levels: Iterable[int] = LEVELS) -> Arrangement:
    order_x = np.argsort(x)  # ties need no order: they share one run below
    n = x.shape[0]
    arranged = {}
    for lvl in levels:
        key, sizes = peers.keys[lvl], peers.sizes[lvl]
        # One group: already in order; else a radix sort on the uint8 key keeps x ascending inside each group.
        one_group = np.count_nonzero(sizes) <= 1
        index = order_x if one_group else order_x[np.argsort(key[order_x], kind="stable")]
        sorted_x = x[index]
        start = np.cumsum(sizes) - sizes
        if n == 0:
            arranged[lvl] = LevelArrangement(index, sorted_x, start, sizes, np.zeros(0, dtype=np.int64))
            continue
        sorted_key = key[index]
        run_end = np.empty(n, dtype=bool)  # the last position of each run of equal (group, value)
        run_end[-1] = True
        np.not_equal(sorted_x[1:], sorted_x[:-1], out=run_end[:-1])
        run_end[:-1] |= sorted_key[1:] != sorted_key[:-1]
        ends = np.flatnonzero(run_end)
        run_of = np.cumsum(run_end) - run_end  # the run of each position
        arranged[lvl] = LevelArrangement(index, sorted_x, start, sizes, ends[run_of] + 1 - start[sorted_key])
    return Arrangement(x, arranged)


def arrangements(
    population: Population, peers: PeerGroups, levels: dict[str, Iterable[int]], *, threads: int | None = None
) -> dict[str, Arrangement]:
    """``arrange`` for every source field of ``levels`` at its levels; one job per source: numpy releases the GIL
    while sorting, so large runs use every core (as ``score``)."""

    def job(source: str) -> Arrangement:
        return arrange(source_values(population, source), peers, levels[source])

    workers = threads if threads is not None else (os.cpu_count() or 1)
    if workers > 1 and population.n >= PARALLEL_MIN_FIRMS and len(levels) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return dict(zip(levels, pool.map(job, levels), strict=True))
    return {source: job(source) for source in levels}


def run_arrangements(
    population: Population, system: SystemDef, peers: PeerGroups, *, threads: int | None = None
) -> dict[str, Arrangement]:
    """What a run's report figures and peer distributions read, computed once: every source field at the levels
    its firms use (the report), a percentile indicator's source at every level (the distributions sample all)."""
    levels: dict[str, tuple[int, ...]] = {}
    for ind in system.indicators:
        wanted = LEVELS if ind.method == "percentile" else peers.used_levels
        levels[ind.source] = tuple(sorted({*levels.get(ind.source, ()), *wanted}))
    return arrangements(population, peers, levels, threads=threads)
