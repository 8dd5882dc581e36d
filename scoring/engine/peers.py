"""Peer groups and group-wise empirical CDFs (methodology §4, §5 ``percentile``, §8).

Everything here is a sort or a histogram over whole arrays; no Python loop touches individual enterprises.

The core operation is ``counts_le``: for every element, how many members of its group have a value <= its own.
With that, the §5 percentile is ``counts_le / group_size``, a competition rank ("1224") descending is
``1 + group_size − counts_le`` and the stage percentile of §8 is again ``counts_le / group_size``.
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


def counts_le_from_order(key: np.ndarray, x: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For the elements ``order`` (indices into x, sorted by x ascending), the count of elements of ``order`` in the
    same group (``key``) with a value <= their own. Returns ``(indices, counts)`` with indices a permutation of order.

    How: a stable sort by group key keeps x ascending inside each group (a radix sort: keys are small unsigned
    integers), so each element's count is the end of its run of equal (key, x) minus its group's start.
    """
    if order.size == 0:
        return order, np.zeros(0, dtype=np.int64)
    k = key[order]
    by_group = np.argsort(k, kind="stable")  # radix sort for 8/16-bit keys
    idx = order[by_group]
    k = k[by_group]
    xs = x[idx]
    m = idx.size
    run_end = np.empty(m, dtype=bool)
    run_end[-1] = True
    np.not_equal(xs[1:], xs[:-1], out=run_end[:-1])
    run_end[:-1] |= k[1:] != k[:-1]
    end_positions = np.flatnonzero(run_end)
    run_index = np.cumsum(run_end) - run_end  # runs finished strictly before each position
    last_of_run = end_positions[run_index]
    return idx, last_of_run + 1 - _group_starts(k)


def _group_starts(sorted_key: np.ndarray) -> np.ndarray:
    """Start position of each element's group in a key-sorted array."""
    new_group = np.empty(sorted_key.size, dtype=bool)
    new_group[0] = True
    np.not_equal(sorted_key[1:], sorted_key[:-1], out=new_group[1:])
    starts = np.flatnonzero(new_group)
    return starts[np.cumsum(new_group) - 1]


def counts_le(key: np.ndarray, x: np.ndarray) -> np.ndarray:
    """For every element, #{j : key_j == key_i and x_j <= x_i} (float or integer x, any order)."""
    out = np.empty(x.shape[0], dtype=np.int64)
    idx, counts = counts_le_from_order(key, x, np.argsort(x))
    out[idx] = counts
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

    @classmethod
    def build(cls, stage: np.ndarray, section: np.ndarray, min_group_size: int) -> PeerGroups:
        n = stage.shape[0]
        key0 = (stage.astype(np.uint8) * np.uint8(N_SECTIONS) + section).astype(np.uint8)
        key1 = stage.astype(np.uint8)
        key2 = np.zeros(n, dtype=np.uint8)
        sizes = (
            np.bincount(key0, minlength=3 * N_SECTIONS),
            np.bincount(key1, minlength=3),
            np.array([n], dtype=np.int64),
        )
        level = np.where(sizes[0][key0] >= min_group_size, 0, np.where(sizes[1][key1] >= min_group_size, 1, 2))
        return cls(keys=(key0, key1, key2), sizes=sizes, level=level.astype(np.int8))

    def used_levels(self) -> list[int]:
        present = np.bincount(self.level, minlength=3)
        return [lvl for lvl in LEVELS if present[lvl]]

    def group_size(self) -> np.ndarray:
        """Size of the group each firm is actually compared with."""
        out = np.empty(self.level.shape[0], dtype=np.int64)
        for lvl in self.used_levels():
            members = self.level == lvl
            out[members] = self.sizes[lvl][self.keys[lvl][members]]
        return out


def percentile_scores(x: np.ndarray, peers: PeerGroups) -> np.ndarray:
    """§5 ``percentile``: s = #{peers with value <= x} / group size, and 0 when x <= 0.

    Only positive values need a rank (the rest score 0), and every non-positive peer is <= any positive value, so
    we sort the positive values once and add each group's count of non-positive members. The same x-order serves
    every level in use; each level is then a stable radix regrouping, not a new comparison sort.
    """
    n = x.shape[0]
    s = np.zeros(n, dtype=np.float64)
    positive = x > 0
    pos_idx = np.flatnonzero(positive)
    if pos_idx.size == 0:
        return s
    order = pos_idx[np.argsort(x[pos_idx])]
    level = peers.level
    for lvl in peers.used_levels():
        key, sizes = peers.keys[lvl], peers.sizes[lvl]
        non_positive = np.bincount(key[~positive], minlength=sizes.size)
        idx, counts = counts_le_from_order(key, x, order)
        wanted = level[idx] == lvl
        idx, counts = idx[wanted], counts[wanted]
        g = key[idx]
        s[idx] = (counts + non_positive[g]) / sizes[g]
    return s
