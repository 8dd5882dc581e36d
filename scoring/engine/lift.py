"""Score lift for one enterprise: what reaching the next step of each indicator would be worth (methodology §5–§6).

For every indicator with a positive weight for the firm's stage, the next step is:

- ``percentile``: the next peer step (quartiles 25/50/75%, then 90% — never the group's maximum, see
  ``report.PEER_STEPS``; a firm at or above p90 gets no step). The target is the
  smallest value reported by a peer that, were it the firm's own value with every other peer unchanged, would put
  the firm at or above that quartile. Its new s is recomputed with the engine's own percentile function on the
  peer group with the firm's value replaced.
- ``tiers``: the threshold of the next tier with a higher fraction.
- ``reference``: the reference value (full marks).
- ``flag``: the value 1.

The gain is weight × (new s − current s); for bonus indicators it is the increase of the capped bonus. Each
indicator is taken alone (other indicators reading the same raw field are not moved), and steps already reached,
weightless indicators and a percentile group where no peer reports a positive value yield no entry.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .derived import source_values
from .normalise import direct_score
from .peers import PeerGroups, percentile_scores
from .population import Population
from .report import PEER_STEPS
from .result import ScoreResult
from .system import STAGES, IndicatorDef, SystemDef


class LiftOption(NamedTuple):
    """One way to gain points: reach ``value`` of the indicator's source field (see ``target``) to gain ``gain``."""

    code: str
    target: str
    value: float
    gain: float


def score_lift(population: Population, system: SystemDef, result: ScoreResult, index: int) -> list[LiftOption]:
    """Lift options for the firm at position ``index`` of ``population``/``result``, largest gain first."""
    stage = STAGES[int(result.stage[index])]
    level = int(result.peer_level[index])
    peer_idx = _peer_indices(population, result, index, level)
    peers = population.take(peer_idx)
    self_pos = int(np.searchsorted(peer_idx, index))
    bonus_columns = [i for i, ind in enumerate(system.indicators) if ind.bonus]
    raw_bonus = 0.0
    for i in bonus_columns:
        raw_bonus += float(result.points[index, i])

    options: list[LiftOption] = []
    for i, ind in enumerate(system.indicators):
        weight = ind.weight(stage)
        s_now = float(result.s[index, i])
        if weight <= 0 or s_now >= 1.0:
            continue
        x = source_values(peers, ind.source)
        step = _next_quartile(x, self_pos, s_now) if ind.method == "percentile" else _next_direct_step(ind, x[self_pos])
        if step is None:
            continue
        description, value, s_new = step
        gain = weight * (s_new - s_now)
        if ind.bonus:
            gain = min(raw_bonus + gain, system.bonus_cap) - min(raw_bonus, system.bonus_cap)
        if gain > 0:
            options.append(LiftOption(ind.code, f"{ind.source} >= {value:.6g} ({description})", value, gain))
    options.sort(key=lambda option: -option.gain)  # stable: equal gains keep system order
    return options


def _peer_indices(population: Population, result: ScoreResult, index: int, level: int) -> np.ndarray:
    """Sorted indices of the group the firm is compared with at its fallback level (§4)."""
    if level == 0:
        same = (result.stage == result.stage[index]) & (population.section == population.section[index])
    elif level == 1:
        same = result.stage == result.stage[index]
    else:
        same = np.ones(population.n, dtype=bool)
    return np.flatnonzero(same)


def _next_quartile(x: np.ndarray, self_pos: int, s_now: float) -> tuple[str, float, float] | None:
    """(description, target value, new s) for the next peer quartile above ``s_now``, vectorised over the peers."""
    n = x.shape[0]
    others = np.delete(x, self_pos)
    candidates = np.unique(others[(others > 0) & (others > x[self_pos])])
    if candidates.size == 0:
        return None
    # s the firm would get at each candidate value: the peers at or below it plus the firm itself.
    s_at = (np.searchsorted(np.sort(others), candidates, side="right") + 1) / n
    for quartile in PEER_STEPS.tolist():
        if quartile <= s_now:
            continue
        reaching = np.flatnonzero(s_at >= quartile)
        if reaching.size:
            value = float(candidates[reaching[0]])
            moved = x.copy()
            moved[self_pos] = value
            group = PeerGroups.build(np.zeros(n, dtype=np.int8), np.zeros(n, dtype=np.uint8), 1)
            s_new = float(percentile_scores(moved, group)[self_pos])
            return f"peer step {quartile:.0%}", value, s_new
    return None


def _next_direct_step(ind: IndicatorDef, x_now: float) -> tuple[str, float, float] | None:
    """(description, target value, new s) for reference, tiers and flag indicators."""
    s_now = float(direct_score(ind, np.array([x_now]))[0])
    if ind.method == "tiers":
        targets = [(f"tier {j + 1}", t) for j, t in enumerate(ind.thresholds) if t > x_now]
    elif ind.method == "reference":
        assert ind.reference is not None
        targets = [("full marks", ind.reference)]
    else:
        targets = [("flag set", 1.0)]
    for description, target in targets:
        s_new = float(direct_score(ind, np.array([target]))[0])
        if s_new > s_now:
            return description, float(target), s_new
    return None
