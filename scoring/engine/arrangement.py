"""Each source field's values sorted inside the peer groups of every fallback level (§4), computed once per run.

The report figures (``report``: each firm's CDF in its group and the quartile targets) and the self-assessment's
peer distributions (``whatif``: samples of every group's sorted values) read the same arrangement; each used to sort
every source field again for every level. One ``argsort`` of the values per source, then per level a stable radix
sort on the small group key keeps the values ascending inside each group. The report's pass arranges one source at a
time and hands each arrangement to the distributions' ``ArrangementReader`` before dropping it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol, TypeVar

import numpy as np

from .core import PARALLEL_MIN_FIRMS
from .peers import LEVELS, PeerGroups

T = TypeVar("T")
R = TypeVar("R")


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


class ArrangementReader(Protocol):
    """Something else that reads the arrangements a pass makes (the peer distributions beside the report): the
    levels it needs of a source, and a call with each source's arrangement before it is dropped."""

    def levels(self, source: str) -> tuple[int, ...]: ...

    def __call__(self, source: str, arrangement: Arrangement) -> None: ...


def bounded_map(job: Callable[[T], R], items: Sequence[T], *, threads: int | None, n: int) -> Iterator[tuple[T, R]]:
    """(item, job(item)) in order, ``threads`` jobs at a time for large runs (numpy releases the GIL while sorting;
    results do not depend on it). At most one round of results is alive at once: an arrangement of 520,000 firms is
    ~40 MB a source, all 18 of a system at once were ~640 MB."""
    workers = threads if threads is not None else (os.cpu_count() or 1)
    if workers <= 1 or n < PARALLEL_MIN_FIRMS or len(items) <= 1:
        for item in items:
            yield item, job(item)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for start in range(0, len(items), workers):
            chunk = items[start : start + workers]
            yield from zip(chunk, pool.map(job, chunk), strict=True)
