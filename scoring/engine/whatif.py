"""Self-assessment (自评): one firm's what-if values scored against a published run's peers, never stored.

A run keeps compact peer distributions (``peer_distributions``, a few MB whatever the population):

- per percentile indicator's source field and per peer group of every fallback level (§4: 60 stage × section
  groups, 3 stages, the whole run), the group's sorted values sampled at ``SAMPLE_POINTS`` evenly spaced ranks, each
  with the number of group members at or below it. A group of at most that many firms is kept whole, so its CDF is
  exact; in a larger one the CDF read off the samples is low by less than 1/(SAMPLE_POINTS − 1) of the group;
- per province, industry section and stage, the running count of published totals in cents (for the ranks).

``score_what_if`` scores one firm with the engine's own functions (stage, derived fields, ``direct_score``, the
points, rounding, grade bands and reason codes) and the stored distributions for its percentile indicators. The firm
is counted once: its published value and total are taken out of the counts before its what-if ones are put in
(exact for the ranks; for a percentile indicator the firm's published value is not kept, so a what-if value below
it may read one firm low, 1/N).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from .arrangement import Arrangement, arrange, bounded_map
from .derived import source_values, stage_codes
from .eligibility import reason_mask
from .normalise import direct_score
from .peers import LEVELS, N_SECTIONS, PeerGroups
from .population import Population
from .rounding import grade_codes, total_cents
from .system import REASON_CODES, STAGES, SystemDef

SAMPLE_POINTS = 512
N_PROVINCES = 100
N_LEVEL0 = len(STAGES) * N_SECTIONS
N_GROUPS = N_LEVEL0 + len(STAGES) + 1  # level-0 keys, then the stages, then the whole run
LEVEL_OFFSETS = (0, N_LEVEL0, N_GROUPS - 1)  # where each level's group ids start among the N_GROUPS


@dataclass(frozen=True, eq=False)
class PeerDistributions:
    min_group_size: int
    sizes: np.ndarray  # [N_GROUPS]
    values: dict[str, np.ndarray]  # source -> [N_GROUPS, SAMPLE_POINTS] sampled sorted values (+inf: empty group)
    counts: dict[str, np.ndarray]  # source -> [N_GROUPS, SAMPLE_POINTS] members at or below each sample
    totals: dict[str, np.ndarray]  # "province" / "section" / "stage" -> [groups, cents + 1] running counts

    def to_bytes(self) -> bytes:
        arrays = {"min_group_size": np.array([self.min_group_size]), "sizes": self.sizes}
        arrays |= {f"values:{k}": v for k, v in self.values.items()}
        arrays |= {f"counts:{k}": v for k, v in self.counts.items()}
        arrays |= {f"totals:{k}": v for k, v in self.totals.items()}
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> PeerDistributions:
        with np.load(io.BytesIO(bytes(data)), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        part = {kind: {k.split(":", 1)[1]: v for k, v in arrays.items() if k.startswith(kind + ":")}
                for kind in ("values", "counts", "totals")}  # fmt: skip
        return cls(int(arrays["min_group_size"][0]), arrays["sizes"], part["values"], part["counts"], part["totals"])


def _group_keys(stage: np.ndarray, section: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    key0 = stage.astype(np.int64) * N_SECTIONS + section.astype(np.int64)
    return key0, N_LEVEL0 + stage.astype(np.int64), np.full(stage.shape, N_GROUPS - 1, dtype=np.int64)


class PeerSampler:
    """Samples the arrangement of each percentile indicator's source field (``arrangement.ArrangementReader``): pass
    it to ``report_figures`` and then to ``peer_distributions``, and the distributions cost no sort of their own."""

    def __init__(self, system: SystemDef) -> None:
        self.sources = tuple(dict.fromkeys(ind.source for ind in system.indicators if ind.method == "percentile"))
        self.values: dict[str, np.ndarray] = {}
        self.counts: dict[str, np.ndarray] = {}

    def levels(self, source: str) -> tuple[int, ...]:
        return LEVELS if source in self.sources else ()

    def __call__(self, source: str, arrangement: Arrangement) -> None:
        if source not in self.sources:
            return
        grid = np.linspace(0.0, 1.0, SAMPLE_POINTS)
        sampled = np.full((N_GROUPS, SAMPLE_POINTS), np.inf)
        at_or_below = np.zeros((N_GROUPS, SAMPLE_POINTS), dtype=np.int64)
        for lvl, offset in enumerate(LEVEL_OFFSETS):
            a = arrangement.levels[lvl]
            groups = np.flatnonzero(a.sizes)
            positions = a.start[groups, None] + np.floor(grid[None, :] * (a.sizes[groups, None] - 1)).astype(np.int64)
            sampled[offset + groups] = a.sorted_x[positions]
            at_or_below[offset + groups] = a.at_or_below[positions]
        self.values[source], self.counts[source] = sampled, at_or_below.astype(np.int32)


def peer_distributions(
    population: Population,
    system: SystemDef,
    result,
    *,
    sampler: PeerSampler | None = None,
    threads: int | None = None,
) -> PeerDistributions:
    """The run's distributions (module docstring): loops over sources, levels and sample points, never firms.
    ``sampler``: one that ``report_figures`` of the same run filled (else the sources are arranged here)."""
    peers = PeerGroups.build(result.stage, population.section, system.min_group_size)
    sizes = np.zeros(N_GROUPS, dtype=np.int64)
    for lvl, offset in enumerate(LEVEL_OFFSETS):
        sizes[offset : offset + peers.sizes[lvl].size] = peers.sizes[lvl]
    if sampler is None:
        sampler = PeerSampler(system)

        def job(source: str) -> None:
            sampler(source, arrange(source_values(population, source), peers, LEVELS))

        for _ in bounded_map(job, sampler.sources, threads=threads, n=population.n):
            pass
    values = {source: sampler.values[source] for source in sampler.sources}
    counts = {source: sampler.counts[source] for source in sampler.sources}
    cents = total_cents(result.total)
    span = int(cents.max()) + 1 if cents.size else 1
    totals = {}
    for name, key, n_groups in (
        ("province", population.province, N_PROVINCES),
        ("section", population.section, N_SECTIONS),
        ("stage", result.stage, len(STAGES)),
    ):
        cell = key.astype(np.int64) * span + cents
        histogram = np.bincount(cell, minlength=n_groups * span).reshape(n_groups, span)
        totals[name] = np.cumsum(histogram, axis=1).astype(np.int32)  # fmt: skip
    return PeerDistributions(system.min_group_size, sizes, values, counts, totals)


@dataclass(frozen=True)
class WhatIf:
    stage: str
    points: tuple[float, ...]
    total: float
    grade: str
    rank_national: int
    rank_province: int
    rank_industry: int
    stage_percentile: float
    reasons: tuple[str, ...]


def _at_or_below(running: np.ndarray, group: int, cents: int) -> int:
    row = running[group]
    return int(row[min(cents, row.size - 1)]) if cents >= 0 else 0


def score_what_if(
    firm: Population, system: SystemDef, peers: PeerDistributions, *, published_cents: int, published_stage: int
) -> WhatIf:
    """Score the one-firm ``firm`` (its what-if values) against ``peers``; ``published_cents`` and
    ``published_stage`` are the firm's published total and stage (taken out of the counts: the firm counts once)."""
    if firm.n != 1:
        raise ValueError("a what-if scores exactly one firm")
    stage = stage_codes(firm, system)
    st = int(stage[0])
    keys = [int(k[0]) for k in _group_keys(stage, firm.section)]
    enough = peers.sizes[keys] >= peers.min_group_size
    level = 0 if enough[0] else 1 if enough[1] else 2
    group = keys[level]
    size = max(int(peers.sizes[group]), 1)
    s = np.zeros(len(system.indicators))
    for i, ind in enumerate(system.indicators):
        x = source_values(firm, ind.source)
        if ind.method != "percentile":
            s[i] = direct_score(ind, x)[0]
        elif x[0] > 0:
            j = int(np.searchsorted(peers.values[ind.source][group], x[0], side="right")) - 1
            s[i] = min(int(peers.counts[ind.source][group, j]) if j >= 0 else 1, size) / size
    weights = np.array([ind.weight(STAGES[st]) for ind in system.indicators])
    points = weights * s
    base = sum(float(p) for p, ind in zip(points, system.indicators, strict=True) if not ind.bonus)
    bonus = sum(float(p) for p, ind in zip(points, system.indicators, strict=True) if ind.bonus)
    total = np.array([base + min(bonus, system.bonus_cap)])
    cents = int(total_cents(total)[0])
    grade = system.grade_labels[int(grade_codes(cents / np.array([100.0]), system.grade_bands)[0])]

    def rank(name: str, key: int) -> int:  # the firm's region and section are its published ones
        running = peers.totals[name]
        higher = int(running[key, -1]) - _at_or_below(running, key, cents)
        return 1 + higher - (1 if published_cents > cents else 0)

    stage_running = peers.totals["stage"]
    national = 1 + sum(int(stage_running[g, -1]) - _at_or_below(stage_running, g, cents) for g in range(len(STAGES)))
    national -= 1 if published_cents > cents else 0
    province, section = int(firm.province[0]), int(firm.section[0])
    in_stage = int(stage_running[st, -1]) + (0 if published_stage == st else 1)
    below = _at_or_below(stage_running, st, cents) - (1 if published_stage == st and published_cents <= cents else 0)
    reasons = reason_mask(firm, total_cents(total) / 100.0, system.threshold)[0]
    return WhatIf(
        stage=STAGES[st], points=tuple(float(p) for p in points), total=cents / 100.0, grade=grade,
        rank_national=national, rank_province=rank("province", province),
        rank_industry=rank("section", section), stage_percentile=(below + 1) / in_stage,
        reasons=tuple(code for bit, code in enumerate(REASON_CODES) if reasons >> bit & 1),
    )  # fmt: skip
