"""Policy matching over a whole population at once: column arrays and a policy's conditions in, the matching firms
and the near-misses (exactly one condition unmet, with the value the firm has and the one it needs) out.

Pure numpy like ``scoring.engine`` (no Django import): ``policies.selectors`` loads the arrays, ``policies.services``
stores what comes out. No loop over firms; a policy costs one comparison per condition over the population.

Conditions are plain dicts (what ``Policy.conditions`` stores): ``{"field": f, "op": op, "value": v}``.
``policies.conditions`` defines and validates the fields and operators; this module only evaluates them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from scoring.engine.derived import derived_field, whole_years
from scoring.engine.population import SECTIONS, Population
from scoring.engine.system import BOOL_FIELDS, DERIVED_FIELDS, NUMERIC_FIELDS, STAGES

GRADES = ("A", "B", "C", "D", "E")
"""Best first, as ``scoring.choices.GRADE_ORDER`` (repeated here: this module imports no Django)."""
SCORE_NUMBERS = ("total", "rank_national", "rank_province", "rank_industry", "stage_percentile")
NUMBER_FIELDS = (*NUMERIC_FIELDS, *DERIVED_FIELDS, "age", *SCORE_NUMBERS)
FLAG_FIELDS = (*BOOL_FIELDS, "consent", "eligible")
SCOPE_FIELDS = frozenset({"region", "section"})
"""Conditions that place a firm rather than describe what it can change: a firm outside a policy's region or
industry is not "one condition away" from it, so these are never the near-miss's unmet condition."""

# Where a threshold on a ratio or growth can be met: the filed field to raise and how much of it is needed.
GAP_FIELDS = {
    "rd_intensity": "rd_expense", "high_tech_share": "high_tech_revenue", "rd_staff_ratio": "rd_staff",
    "roe": "net_profit", "revenue_growth": "revenue", "rd_expense_growth": "rd_expense",
}  # fmt: skip


@dataclass(frozen=True, eq=False)
class MatchPopulation:
    """One published run's firms: ``numbers`` (float64: filed, derived, age and score fields), ``flags`` (bool),
    ``region`` (int 6-digit code when scored), ``section`` (0..19 for A..T), ``stage`` (index of ``STAGES``) and
    ``grade`` (index of ``GRADES``), all aligned with ``enterprise_id``."""

    enterprise_id: np.ndarray
    region: np.ndarray
    section: np.ndarray
    stage: np.ndarray
    grade: np.ndarray
    numbers: Mapping[str, np.ndarray]
    flags: Mapping[str, np.ndarray]

    @property
    def n(self) -> int:
        return int(self.enterprise_id.size)

    def take(self, index) -> MatchPopulation:
        return MatchPopulation(
            enterprise_id=self.enterprise_id[index], region=self.region[index], section=self.section[index],
            stage=self.stage[index], grade=self.grade[index],
            numbers={k: v[index] for k, v in self.numbers.items()}, flags={k: v[index] for k, v in self.flags.items()},
        )  # fmt: skip


def match_population(population: Population, scores: Mapping[str, np.ndarray]) -> MatchPopulation:
    """The engine's population (``scoring.selectors.population_load``) joined with the run's scores (arrays keyed
    like ``policies.selectors.SCORE_COLUMNS``): firms present in both, in the scores' order."""
    ids = scores["enterprise_id"]
    order = np.argsort(population.enterprise_id, kind="stable")
    sorted_ids = population.enterprise_id[order]
    at = np.minimum(np.searchsorted(sorted_ids, ids), max(sorted_ids.size - 1, 0))
    present = sorted_ids[at] == ids if sorted_ids.size else np.zeros(ids.size, dtype=bool)
    where = order[at[present]]
    firms = population.take(where)
    numbers = {name: firms.values[name] for name in NUMERIC_FIELDS}
    numbers.update({name: derived_field(firms, name) for name in DERIVED_FIELDS})
    numbers["age"] = whole_years(firms.established, firms.reference_date).astype(np.float64)
    numbers.update({name: np.asarray(scores[name], dtype=np.float64)[present] for name in SCORE_NUMBERS})
    flags = {name: firms.flags[name] for name in BOOL_FIELDS}
    flags["consent"] = firms.consent
    flags["eligible"] = np.asarray(scores["eligible"], dtype=bool)[present]
    return MatchPopulation(
        enterprise_id=ids[present], region=np.asarray(scores["region"], dtype=np.int64)[present],
        section=firms.section, stage=np.asarray(scores["stage"], dtype=np.int8)[present],
        grade=np.asarray(scores["grade"], dtype=np.int8)[present], numbers=numbers, flags=flags,
    )  # fmt: skip


@dataclass(frozen=True, eq=False)
class PolicyResult:
    """Positions (into the population) of the firms that meet every condition, and of those that miss exactly one
    changeable condition: which one (its index in the policy's list), the firm's value and the threshold, and the
    gap in the filed field that closes it (``GAP_FIELDS``; NaN where no filed amount closes it)."""

    matched: np.ndarray
    near: np.ndarray
    near_condition: np.ndarray
    have: np.ndarray
    need: np.ndarray
    gap: np.ndarray


def _region_mask(population: MatchPopulation, prefixes: Sequence[str], cache: dict) -> np.ndarray:
    mask = np.zeros(population.n, dtype=bool)
    for prefix in prefixes:
        if not prefix:
            return np.ones(population.n, dtype=bool)
        key = ("region", len(prefix))
        if key not in cache:
            cache[key] = population.region // 10 ** (6 - len(prefix))
        mask |= cache[key] == int(prefix)
    return mask


def _lookup(codes: np.ndarray, size: int, chosen: Sequence[int]) -> np.ndarray:
    table = np.zeros(size, dtype=bool)
    table[list(chosen)] = True
    return table[codes]


def condition_mask(population: MatchPopulation, condition: Mapping, cache: dict | None = None) -> np.ndarray:
    """Which firms meet one condition (a bool array)."""
    cache = {} if cache is None else cache
    field, op, value = condition["field"], condition["op"], condition["value"]
    if field == "region":
        return _region_mask(population, value, cache)
    if field == "section":
        return _lookup(population.section, len(SECTIONS), [SECTIONS.index(s) for s in value])
    if field == "stage":
        return _lookup(population.stage, len(STAGES), [STAGES.index(s) for s in value])
    if field == "grade":
        return population.grade <= GRADES.index(value)  # "at least" the grade: A is index 0
    if field in population.flags:
        flags = population.flags[field]
        return flags if value else ~flags
    column = population.numbers[field]
    if op == ">=":
        return column >= value
    if op == ">":
        return column > value
    if op == "<=":
        return column <= value
    return column < value


def match_policy(population: MatchPopulation, conditions: Sequence[Mapping], *, scope: str = "",
                 cache: dict | None = None) -> PolicyResult:  # fmt: skip
    """Evaluate one policy (its region ``scope`` and ``conditions``) over the whole population. ``cache`` keeps
    per-population intermediates (region prefixes) across the policies of one run.

    Each firm's count of met conditions is summed in one int8 array (a bool mask viewed as int8 adds without a
    cast); the placing conditions (region, section) are folded in as a large offset, so that "placed and all met"
    and "placed and one unmet" are each a single comparison."""
    cache = {} if cache is None else cache
    placed: np.ndarray | None = None if not scope else _region_mask(population, [scope], cache)
    soft: list[tuple[int, np.ndarray]] = []
    for index, condition in enumerate(conditions):
        mask = condition_mask(population, condition, cache)
        if condition["field"] in SCOPE_FIELDS:
            placed = mask if placed is None else placed & mask
        else:
            soft.append((index, mask))
    placed_offset = 64  # above any count of conditions (at most 20)
    met = (
        np.full(population.n, placed_offset, dtype=np.int8)
        if placed is None
        else placed.view(np.int8) * np.int8(placed_offset)
    )
    for _index, mask in soft:
        met += mask.view(np.int8)
    matched = np.flatnonzero(met == placed_offset + len(soft))
    near = np.flatnonzero(met == placed_offset + len(soft) - 1) if soft else np.zeros(0, dtype=np.int64)
    which = np.full(near.size, -1, dtype=np.int16)
    for index, mask in soft:
        which[~mask[near]] = index
    have, need, gap = _shortfalls(population, near, conditions, which)
    return PolicyResult(matched=matched, near=near, near_condition=which, have=have, need=need, gap=gap)


def _shortfalls(population: MatchPopulation, near: np.ndarray, conditions: Sequence[Mapping], which: np.ndarray):
    """For each near-miss firm (positions ``near``), its value of the unmet condition's field, the threshold, and the
    filed amount that closes the gap (NaN for conditions without a threshold: a qualification, a stage). The firms
    are grouped by their unmet condition once (a stable sort), so each group is a slice; only the columns a gap
    reads are gathered, and only at those firms."""
    have = np.full(near.size, np.nan)
    need = np.full(near.size, np.nan)
    gap = np.full(near.size, np.nan)
    order = np.argsort(which, kind="stable")
    grouped = which[order]
    bounds = np.flatnonzero(np.diff(grouped)) + 1
    for start, stop in zip(np.r_[0, bounds], np.r_[bounds, grouped.size], strict=True):
        if start == stop:
            continue
        condition = conditions[int(grouped[start])]
        rows = order[start:stop]
        at = near[rows]
        field = condition["field"]
        if field == "grade":
            have[rows] = population.grade[at]
            need[rows] = GRADES.index(condition["value"])
            continue
        if field not in population.numbers:
            continue
        value = float(condition["value"])
        have[rows] = population.numbers[field][at]
        need[rows] = value
        inputs = {name: population.numbers[name][at] for name in GAP_INPUTS.get(field, (field,))}
        gap[rows] = threshold_gap(field, value, inputs)
    return have, need, gap


GAP_INPUTS = {
    "rd_intensity": ("revenue", "rd_expense"), "high_tech_share": ("revenue", "high_tech_revenue"),
    "rd_staff_ratio": ("employees", "rd_staff"), "roe": ("net_assets", "net_profit"),
    "revenue_growth": ("revenue_prev", "revenue"), "rd_expense_growth": ("rd_expense_prev", "rd_expense"),
}  # fmt: skip


def threshold_gap(field: str, threshold: float, numbers: Mapping[str, np.ndarray]) -> np.ndarray:
    """How much of the field named by ``GAP_FIELDS`` (or the field itself) the firms need to reach ``threshold``:
    R&D intensity 2.4 % → 3 % with revenue 10,000 万元 is +60 万元 of R&D expense. Negative when the firm is above a
    ceiling (revenue ≤ 2 亿). NaN when no amount closes it (no revenue to take a share of)."""
    n = numbers
    with np.errstate(invalid="ignore", divide="ignore"):
        if field == "rd_intensity":
            return np.where(n["revenue"] > 0, threshold * n["revenue"] - n["rd_expense"], np.nan)
        if field == "high_tech_share":
            return np.where(n["revenue"] > 0, threshold * n["revenue"] - n["high_tech_revenue"], np.nan)
        if field == "rd_staff_ratio":
            return np.where(n["employees"] > 0, np.ceil(threshold * n["employees"] - 1e-9) - n["rd_staff"], np.nan)
        if field == "roe":
            return np.where(n["net_assets"] > 0, threshold * n["net_assets"] - n["net_profit"], np.nan)
        if field == "revenue_growth":
            return np.where(n["revenue_prev"] > 0, (1 + threshold) * n["revenue_prev"] - n["revenue"], np.nan)
        if field == "rd_expense_growth":
            return np.where(n["rd_expense_prev"] > 0, (1 + threshold) * n["rd_expense_prev"] - n["rd_expense"], np.nan)
        return threshold - n[field]
