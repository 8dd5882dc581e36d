"""What a firm's report shows beyond its score, computed for every firm of a run at once (no loop over firms).

``report_figures(population, system, result)`` returns, aligned with the run's firms:

- ``peer_percentile`` [n, k]: per indicator, the share of the firm's peer group (§4, at the firm's own fallback
  level) whose value of the indicator's source field is at or below the firm's — the §5 empirical CDF without its
  "x ≤ 0 gives 0" rule, so a firm reads "at or above p% of its peers" for every indicator, whatever its method;
- ``advice`` [n, ADVICE_SLOTS, 4]: the firm's best improvement options, most points first (system order on ties):
  (indicator column, value today, target, points gained); unused slots hold column −1 and zeros;
- ``input_hash`` [n] int64: a hash of everything the engine read for the firm (section, province, establishment
  date, every raw field and flag, every non-zero extra field; not approval or consent), so the report can tell
  whether *this* firm's scored data changed after the run without reading anyone else's filing.

The next reachable step of an indicator (``lift.score_lift`` is the one-firm reference it must agree with):

- ``percentile``: the next peer step above the firm: quartiles 25/50/75%, then 90% (``PEER_STEPS``, never the
  maximum). The target is the smallest peer value v above the firm's and positive whose CDF in the group reaches the
  step; moving the firm there gives it
  s = CDF(v) (the firm leaves its old place below v and joins the peers at or below v, so the count is unchanged).
  That v is a per-group constant — the group's sorted values at position ceil(q·N) − 1, or its smallest positive
  value when that is larger — so every firm's target is a lookup, vectorised per fallback level.
- ``tiers``: the lowest threshold above today's value whose fraction is higher than today's.
- ``reference``: the reference value (full marks); ``flag``: 1.

Gain = stage weight × (new s − s today); for bonus indicators the increase of the capped bonus. Each indicator is
taken alone. Steps with no gain (weightless, already full, no positive peer value) give no option.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .arrangement import Arrangement, ArrangementReader, arrange, bounded_map
from .derived import source_values
from .peers import PeerGroups
from .population import Population
from .result import ScoreResult
from .system import BOOL_FIELDS, NUMERIC_FIELDS, STAGES, SystemDef

ADVICE_SLOTS = 5
ADVICE_WIDTH = 4  # column, value today, target, gain
# Decision (docs/methodology-notes.md "Score lift"): the peer steps stop at p90, not the group's maximum. Past p75 the
# next step used to be the best peer (a demo firm was told "+768 invention patents" for 1.75 points): one outlier,
# not a goal. A firm at or above p90 gets no peer step for that indicator; full marks remain a step where they are
# reachable — reference, flag and the top tier — and a p90 step that ties with the maximum yields s = 1 by itself.
PEER_STEPS = np.array([0.25, 0.5, 0.75, 0.9])


@dataclass(frozen=True, eq=False)
class ReportFigures:
    peer_percentile: np.ndarray
    advice: np.ndarray
    input_hash: np.ndarray

    def packed(self) -> np.ndarray:
        """Each firm's figures as one little-endian record of ``figures_record(k)`` bytes, [n, itemsize] uint8: the
        form a run stores (one binary value per score row rather than arrays of 40 elements, ~5× cheaper to COPY)."""
        n, k = self.peer_percentile.shape
        if k > 127:
            raise ValueError("at most 127 indicators fit the stored advice's column numbers")
        records = np.zeros(n, dtype=figures_record(k))
        records["percentile"] = self.peer_percentile
        records["column"] = self.advice[:, :, 0]
        records["today"] = self.advice[:, :, 1]
        records["target"] = self.advice[:, :, 2]
        records["gain"] = self.advice[:, :, 3]
        return records.view(np.uint8).reshape(n, records.dtype.itemsize)


def figures_record(k: int) -> np.dtype:
    """The stored layout of one firm's figures for a system of ``k`` indicators: peer percentiles as float32 (an
    integer percent is shown), the advice slots' columns (int8, −1 unused), values today, targets and gains (float64:
    money targets keep their cents)."""
    slots = (ADVICE_SLOTS,)
    return np.dtype([("percentile", "<f4", (k,)), ("column", "i1", slots), ("today", "<f8", slots),
                     ("target", "<f8", slots), ("gain", "<f8", slots)])  # fmt: skip


def unpack_figures(blob: bytes, k: int) -> tuple[list[float], list[tuple[int, float, float, float]]]:
    """One stored record back: (peer percentile per indicator, the used advice slots as (column, today, target,
    gain), best first)."""
    record = np.frombuffer(bytes(blob), dtype=figures_record(k), count=1)[0]
    advice = [
        (int(c), float(t), float(g_target), float(g))
        for c, t, g_target, g in zip(record["column"], record["today"], record["target"], record["gain"], strict=True)
        if c >= 0 and g > 0
    ]
    return [float(p) for p in record["percentile"]], advice


def report_figures(
    population: Population,
    system: SystemDef,
    result: ScoreResult,
    *,
    also: ArrangementReader | None = None,
    threads: int | None = None,
) -> ReportFigures:
    """The report's figures for every firm of ``result`` (scored from ``population`` with ``system``); ``also``
    reads each source field's arrangement too (``whatif.PeerSampler``: the run's peer distributions from the same
    sorts); ``threads`` as for ``score`` (the results do not depend on it).

    One source field at a time (a few at once on several cores): its arrangement, the CDF and the next step of each
    indicator reading it; the arrangement is then dropped (all of a run's at once were ~640 MB at 520,000 firms)."""
    n, k = population.n, len(system.indicators)
    peers = PeerGroups.build(result.stage, population.section, system.min_group_size)
    stage_index = result.stage.astype(np.intp)
    # float32: the stored precision (``figures_record``), half the memory of a [n, k] float64.
    percentile = np.zeros((n, k), dtype=np.float32, order="F")
    # Row-major: the top five are picked along rows (``_best``); a column write here is a cheap strided store.
    gains = np.zeros((n, k), dtype=np.float64)
    targets = np.zeros((n, k), dtype=np.float64)
    raw_bonus = np.zeros(n, dtype=np.float64)
    for i, ind in enumerate(system.indicators):
        if ind.bonus:
            raw_bonus += result.points[:, i]
    columns: dict[str, list[int]] = {}
    for i, ind in enumerate(system.indicators):
        columns.setdefault(ind.source, []).append(i)

    def job(source: str) -> tuple:
        x = source_values(population, source)
        wanted = {*peers.used_levels, *(also.levels(source) if also is not None else ())}
        arrangement = arrange(x, peers, sorted(wanted))
        if also is not None:
            also(source, arrangement)
        cdf, levels = _group_cdf(arrangement, peers)
        steps = []
        for i in columns[source]:
            ind, s_now = system.indicators[i], result.s[:, i]
            if ind.method == "percentile":
                steps.append((i, *_next_quartile(x, s_now, peers, levels)))
            else:
                steps.append((i, *_next_direct_step(ind, x, s_now)))
        return cdf, steps

    for _source, (cdf, steps) in bounded_map(job, list(columns), threads=threads, n=n):
        for i, target, s_new, valid in steps:
            ind, s_now = system.indicators[i], result.s[:, i]
            percentile[:, i] = cdf
            weight = np.array([ind.weight(st) for st in STAGES], dtype=np.float64).take(stage_index)
            gain = weight * (s_new - s_now)
            if ind.bonus:
                gain = np.minimum(raw_bonus + gain, system.bonus_cap) - np.minimum(raw_bonus, system.bonus_cap)
            gain = np.where(valid & (gain > 0), gain, 0.0)
            gains[:, i] = gain
            targets[:, i] = np.where(gain > 0, target, 0.0)
    advice = _best(gains, targets, lambda i: source_values(population, system.indicators[i].source))
    return ReportFigures(percentile, advice, input_hashes(population))


def _group_cdf(arrangement: Arrangement, peers: PeerGroups) -> tuple[np.ndarray, list]:
    """Each firm's CDF of the source in its own peer group, and per used level what the quartile targets read:
    (level, member mask, sorted values, group starts, group sizes, count at or below each sorted position).

    The first used level is written for every firm in one scatter; the firms of a later level (few: the fallback
    levels have at most three groups) are then overwritten with a search of their group's sorted values."""
    x = arrangement.x
    cdf = np.zeros(x.shape[0], dtype=np.float64)
    levels = []
    for lvl in peers.used_levels:
        a = arrangement.levels[lvl]
        member = peers.level == lvl
        if not levels:
            cdf[a.index] = a.at_or_below / np.repeat(a.sizes, a.sizes)
        else:
            key = peers.keys[lvl]
            firms = np.flatnonzero(member)
            for group in np.unique(key[firms]).tolist():
                mine = firms[key[firms] == group]
                first = a.start[group]
                values = a.sorted_x[first : first + a.sizes[group]]
                cdf[mine] = np.searchsorted(values, x[mine], side="right") / a.sizes[group]
        levels.append((lvl, member, a.sorted_x, a.start, a.sizes, a.at_or_below))
    return cdf, levels


def _next_quartile(x: np.ndarray, s_now: np.ndarray, peers: PeerGroups, levels: list):
    """The next peer step of each firm (module docstring): per group and step a table of the target and the s it
    gives, read by each firm at its group and the first step above its s today."""
    n = x.shape[0]
    target = np.zeros(n, dtype=np.float64)
    s_new = np.zeros(n, dtype=np.float64)
    valid = np.zeros(n, dtype=bool)
    q_index = np.searchsorted(PEER_STEPS, s_now, side="right")  # first step strictly above s today
    for lvl, member, sorted_x, start, sizes, at_or_below in levels:
        firms = np.flatnonzero(member & (q_index < PEER_STEPS.size))
        if firms.size == 0:
            continue
        used = np.flatnonzero(sizes)
        first, size = start[used], sizes[used]
        # Members <= 0 of each group: its sorted values up to the first positive one.
        bounds = zip(first.tolist(), size.tolist(), strict=True)
        non_positive = np.array([np.searchsorted(sorted_x[a : a + m], 0.0, side="right") for a, m in bounds])
        quantile_at = first[:, None] + np.ceil(PEER_STEPS[None, :] * size[:, None]).astype(np.int64) - 1
        positive_at = (first + np.minimum(non_positive, size - 1))[:, None]
        at = np.where(sorted_x[quantile_at] >= sorted_x[positive_at], quantile_at, positive_at)
        table_target, table_s = sorted_x[at], at_or_below[at] / size[:, None]
        row = np.zeros(sizes.size, dtype=np.intp)
        row[used] = np.arange(used.size)
        group, q = row[peers.keys[lvl][firms]], q_index[firms]
        target[firms] = table_target[group, q]
        s_new[firms] = table_s[group, q]
        valid[firms] = (non_positive < size)[group] & (target[firms] > x[firms])
    return target, s_new, valid


def _next_direct_step(ind, x: np.ndarray, s_now: np.ndarray):
    n = x.shape[0]
    if ind.method == "reference":
        return np.full(n, float(ind.reference)), np.ones(n), s_now < 1.0
    if ind.method == "flag":
        return np.ones(n), np.ones(n), s_now < 1.0
    target = np.zeros(n, dtype=np.float64)
    s_new = np.zeros(n, dtype=np.float64)
    valid = np.zeros(n, dtype=bool)
    for threshold, fraction in zip(ind.thresholds, ind.fractions, strict=True):  # a loop over tiers
        take = ~valid & (threshold > x) & (fraction > s_now)
        target[take], s_new[take] = threshold, fraction
        valid |= take
    return target, s_new, valid


def _best(gains: np.ndarray, targets: np.ndarray, today_of: Callable[[int], np.ndarray]) -> np.ndarray:
    """The ADVICE_SLOTS largest positive gains of each row, largest first: a loop over slots, each taking every
    row's maximum (``argmax`` takes the first of equal gains, so ties keep system order) and striking it out of
    ``gains`` (overwritten). ``today_of(column)`` gives an indicator's values today, read for the chosen rows only."""
    n, k = gains.shape
    row_start = np.arange(n) * k
    advice = np.zeros((n, ADVICE_SLOTS, ADVICE_WIDTH), dtype=np.float64)
    advice[:, :, 0] = -1
    flat, targets_c = gains.ravel(), targets.ravel()
    for slot in range(min(ADVICE_SLOTS, k)):
        column = gains.argmax(axis=1)
        at = row_start + column
        gain = flat[at]
        used = gain > 0
        advice[:, slot, 0] = np.where(used, column, -1)
        advice[:, slot, 2] = np.where(used, targets_c[at], 0.0)
        advice[:, slot, 3] = np.where(used, gain, 0.0)
        flat[at] = -1.0
    # The values today, per indicator where it was chosen: the slots grouped by column with one radix sort.
    chosen = advice[:, :, 0].ravel().astype(np.int16)
    order = np.argsort(chosen, kind="stable")
    bounds = np.searchsorted(chosen[order], np.arange(k + 1))
    slots = advice.reshape(-1, ADVICE_WIDTH)
    for i in range(k):
        at = order[bounds[i] : bounds[i + 1]]
        if at.size:
            slots[at, 1] = today_of(i)[at // ADVICE_SLOTS]
    return advice


_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


def _mix(h: np.ndarray, word: np.ndarray) -> np.ndarray:
    """One splitmix64-style step folding a column of 64-bit words into the running hashes (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        z = (h ^ word) * _MULTIPLIER
        z ^= z >> np.uint64(31)
        z *= np.uint64(0xBF58476D1CE4E5B9)
        z ^= z >> np.uint64(29)
    return z


def input_hashes(population: Population) -> np.ndarray:
    """A 64-bit hash per firm of what the engine reads for it (see the module docstring), as int64; a loop over
    columns. ``+ 0.0`` makes −0.0 and 0.0 alike."""
    n = population.n
    h = np.full(n, np.uint64(0x243F6A8885A308D3), dtype=np.uint64)
    h = _mix(h, population.section.astype(np.uint64))
    h = _mix(h, population.province.astype(np.int64).view(np.uint64))
    h = _mix(h, population.established.astype("datetime64[D]").view(np.int64).view(np.uint64))
    for name in NUMERIC_FIELDS:
        h = _mix(h, (population.values[name].astype(np.float64) + 0.0).view(np.uint64))
    for name in BOOL_FIELDS:
        h = _mix(h, population.flags[name].astype(np.uint64))
    for name in population.extra_fields:  # sorted: the same hash whatever order the loader added them in
        # Only a non-zero extra value is folded in, with its field's code: the engine reads a missing value as 0, so
        # a batch gaining a field (nobody has filed it yet) changes no firm's hash, and a firm without extras hashes
        # exactly as before extra fields existed; filing 0 → 3 changes it, as a standard field would.
        x = population.values[name].astype(np.float64) + 0.0
        tag = np.full(n, _field_tag(name), dtype=np.uint64)
        h = np.where(x != 0, _mix(_mix(h, tag), x.view(np.uint64)), h)
    return h.view(np.int64)


def _field_tag(name: str) -> np.uint64:
    """A stable 64-bit word for a field's code (not Python's salted ``hash``)."""
    return np.uint64(int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little"))
