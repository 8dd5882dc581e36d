"""Peer groups and group-wise empirical CDFs (methodology §4, §5 ``percentile``, §8).

Everything here is a sort or a histogram over whole arrays; no Python loop touches individual enterprises.

The core quantity is "counts_le": for every element, how many members of its group have a value <= its own. The §5
percentile is counts_le / group size (0 for x <= 0), a competition rank ("1224", highest first) is
1 + group size − counts_le, and the §8 stage percentile is again counts_le / group size. ``runs_by_group`` computes
it for sorted floats, ``counts_le_integers`` for integer cents (a histogram, no sort at all).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .population import SECTIONS

N_SECTIONS = len(SECTIONS)
LEVELS = (0, 1, 2)
"""Peer-group fallback levels of §4: 0 (stage, section), 1 whole stage, 2 whole population."""

HISTOGRAM_CELLS_LIMIT = 1 << 25
"""Beyond this many (group × value) cells ``counts_le`` of integers sorts instead (memory, not speed, decides)."""


@dataclass(frozen=True)
class Runs:
    """Elements regrouped by key (x ascending inside each group) and cut into runs of equal (key, x).

    Everything a group-wise empirical CDF needs is a per-run quantity: ``at_or_below[r]`` is how many of the given
    elements of group ``group[r]`` have a value <= run r's value. ``expand`` spreads per-run values back onto the
    elements, so ties share one computation (integer fields such as patents have few distinct values).
    """

    index: np.ndarray
    length: np.ndarray
    group: np.ndarray
    at_or_below: np.ndarray

    def expand(self, per_run: np.ndarray, out: np.ndarray) -> None:
        out[self.index] = np.repeat(per_run, self.length)


def runs_by_group(key_in_order: np.ndarray, x_in_order: np.ndarray, order: np.ndarray) -> Runs:
    """Runs of the elements ``order`` (indices sorted by x ascending), given their keys and values in that order.

    A stable sort by key keeps x ascending inside each group — for 8/16-bit keys numpy uses a radix sort, so this
    costs a few linear passes instead of a second comparison sort. Groups then appear in ascending key order, so
    each group's start is the running sum of the group sizes before it.
    """
    if order.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Runs(index=order, length=empty, group=key_in_order[:0], at_or_below=empty)
    by_group = np.argsort(key_in_order, kind="stable")
    index = order[by_group]
    k = key_in_order[by_group]
    xs = x_in_order[by_group]
    run_end = np.empty(k.size, dtype=bool)
    run_end[-1] = True
    np.not_equal(xs[1:], xs[:-1], out=run_end[:-1])
    run_end[:-1] |= k[1:] != k[:-1]
    ends = np.flatnonzero(run_end)
    group = k[ends]
    group_size = np.bincount(k)
    group_start = np.cumsum(group_size) - group_size
    return Runs(index=index, length=np.diff(ends, prepend=-1), group=group, at_or_below=ends + 1 - group_start[group])


def counts_le(key: np.ndarray, x: np.ndarray) -> np.ndarray:
    """For every element, #{j : key_j == key_i and x_j <= x_i} (non-negative integer keys; any x, any order)."""
    order = np.argsort(x)
    runs = runs_by_group(key[order], x[order], order)
    out = np.empty(x.shape[0], dtype=np.int64)
    runs.expand(runs.at_or_below, out)
    return out


def counts_le_integers(key: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """counts_le for small non-negative integer values (totals in cents): a per-group histogram and its running sum
    — linear time, no sort. Falls back to sorting when the histogram would be too large."""
    if values.size == 0:
        return np.zeros(0, dtype=np.int64)
    span = int(values.max()) + 1
    if values.min() < 0 or n_groups * span > HISTOGRAM_CELLS_LIMIT:
        return counts_le(key, values)
    cell = key.astype(np.int64) * span + values
    cumulative = np.cumsum(np.bincount(cell, minlength=n_groups * span).reshape(n_groups, span), axis=1)
    return cumulative.ravel()[cell]


@dataclass(frozen=True)
class PeerGroups:
    """The three partitions of §4 and each firm's fallback level.

    ``keys[level]`` is a small unsigned group id per firm, ``sizes[level]`` the size of every group id (counting
    every enterprise of the run), ``level`` the int8 level each firm uses.
    """

    keys: tuple[np.ndarray, np.ndarray, np.ndarray]
    sizes: tuple[np.ndarray, np.ndarray, np.ndarray]
    level: np.ndarray
    used_levels: tuple[int, ...]

    @classmethod
    def build(cls, stage: np.ndarray, section: np.ndarray, min_group_size: int) -> PeerGroups:
        n = stage.shape[0]
        key1 = stage.astype(np.uint8)
        key0 = key1 * np.uint8(N_SECTIONS) + section.astype(np.uint8)
        key2 = np.zeros(n, dtype=np.uint8)
        sizes = (
            np.bincount(key0, minlength=len(LEVELS) * N_SECTIONS),
            np.bincount(key1, minlength=len(LEVELS)),
            np.array([n], dtype=np.int64),
        )
        level = np.where(sizes[0][key0] >= min_group_size, 0, np.where(sizes[1][key1] >= min_group_size, 1, 2))
        present = np.bincount(level, minlength=len(LEVELS))
        used = tuple(lvl for lvl in LEVELS if present[lvl])
        return cls(keys=(key0, key1, key2), sizes=sizes, level=level.astype(np.int8), used_levels=used)

    def group_of(self, firm: int) -> np.ndarray:
        """Indices of the peers firm ``firm`` is compared with (itself included)."""
        lvl = int(self.level[firm])
        return np.flatnonzero(self.keys[lvl] == self.keys[lvl][firm])


def percentile_scores(x: np.ndarray, peers: PeerGroups) -> np.ndarray:
    """§5 ``percentile``: s = #{peers with value <= x} / group size, and 0 when x <= 0.

    Only positive values need a count (the rest score 0), and every non-positive peer is <= any positive value, so
    the positive values are sorted once and each group's number of non-positive members is added. That one x-order
    serves every level: level 0 (up to 60 groups) regroups it with a radix sort and reads counts off runs;
    levels 1 and 2 (at most 3 groups) search each group's sorted values with queries that arrive sorted, which keeps
    ``searchsorted`` cache-friendly however many firms fell back.
    """
    n = x.shape[0]
    s = np.zeros(n, dtype=np.float64)
    positive = x > 0
    n_positive = int(np.count_nonzero(positive))
    if n_positive == 0:
        return s
    if n_positive == n:
        order = np.argsort(x)
    else:
        positive_idx = np.flatnonzero(positive)
        order = positive_idx[np.argsort(x[positive_idx])]
    x_in_order = x[order]
    for lvl in peers.used_levels:
        key, sizes = peers.keys[lvl], peers.sizes[lvl]
        if n_positive == n:
            non_positive = np.zeros(sizes.size, dtype=np.int64)
        else:
            non_positive = np.bincount(key[~positive], minlength=sizes.size)
        if lvl == 0:
            # Every firm is counted in its (stage, section) group here, also those of groups too small to be used:
            # levels are processed in ascending order, so the fallback passes below overwrite those firms.
            runs = runs_by_group(key[order], x_in_order, order)
            runs.expand((runs.at_or_below + non_positive[runs.group]) / sizes[runs.group], s)
        else:
            idx, counts = _fallback_counts(key[order], x_in_order, order, peers.level[order] == lvl)
            group = key[idx]
            s[idx] = (counts + non_positive[group]) / sizes[group]
    return s


def _fallback_counts(
    key_in_order: np.ndarray, x_in_order: np.ndarray, order: np.ndarray, is_member: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Counts of positive group values <= x for the members (a mask over ``order``) of a level with few groups."""
    idx_parts, count_parts = [order[:0]], [np.zeros(0, dtype=np.intp)]  # a level's members may all be <= 0
    for group in np.unique(key_in_order[is_member]).tolist():  # at most 3 groups: the stages, or the whole run
        in_group = key_in_order == group
        wanted = in_group & is_member
        idx_parts.append(order[wanted])
        count_parts.append(np.searchsorted(x_in_order[in_group], x_in_order[wanted], side="right"))
    return np.concatenate(idx_parts), np.concatenate(count_parts)
