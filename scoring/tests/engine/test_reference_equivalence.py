"""The vectorised engine and the plain per-enterprise reference agree bit for bit on random small populations.

Populations mix ties (values drawn from short lists), zeros, negative profits and assets, three sections of very
different sizes and random minimum group sizes, so that peer groups hit fallback levels 1 and 2.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.engine import Population, score
from scoring.engine.defaults import NATIONAL_V1, NATIONAL_V2
from scoring.engine.system import BOOL_FIELDS, NUMERIC_FIELDS

from .reference import reference_score

TIED_VALUES = [0.0, 0.0, 1.0, 2.0, 3.0, 3.0, 12.5, 400.0, 500.0, 20000.0, 25000.0]
AGES_IN_DAYS = [100, 365 * 3 - 1, 365 * 3 + 1, 365 * 10 - 2, 365 * 10 + 3, 365 * 25]


@st.composite
def populations(draw) -> Population:
    n = draw(st.integers(min_value=1, max_value=45))
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1))
    rng = np.random.default_rng(seed)

    def numbers(signed: bool) -> np.ndarray:
        tied = rng.choice(TIED_VALUES, n)
        spread = np.round(rng.lognormal(3, 2.5, n), rng.integers(0, 4))
        values = np.where(rng.random(n) < 0.5, tied, spread)
        if signed:
            values = np.where(rng.random(n) < 0.3, -values, values)
        return values.astype(np.float64)

    reference_date = np.datetime64("2024-12-31")
    return Population(
        enterprise_id=rng.permutation(np.arange(1, n + 1, dtype=np.int64)),
        section=rng.choice(np.array([2, 2, 2, 7, 12], dtype=np.uint8), n),
        province=rng.choice(np.array([11, 44, 65], dtype=np.int16), n),
        established=reference_date - rng.choice(AGES_IN_DAYS, n).astype("timedelta64[D]"),
        values={f: numbers(f in ("net_profit", "net_assets")) for f in NUMERIC_FIELDS},
        flags={f: rng.random(n) < 0.3 for f in BOOL_FIELDS},
        approved=rng.random(n) < 0.9,
        consent=rng.random(n) < 0.9,
        reference_date=reference_date,
    )


def assert_same(population: Population, system) -> None:
    result = score(population, system, threads=1)
    expected = reference_score(population, system)

    def column(key):
        return [row[key] for row in expected]

    assert result.stage_labels().tolist() == column("stage")
    assert result.peer_level.tolist() == column("peer_level")
    assert result.s.tolist() == column("s")
    assert result.points.tolist() == column("points")
    assert result.base.tolist() == column("base")
    assert result.bonus.tolist() == column("bonus")
    assert result.total.tolist() == column("total")
    assert result.total_rounded.tolist() == column("total_rounded")
    assert result.grade_strings().tolist() == column("grade")
    assert result.rank_national.tolist() == column("rank_national")
    assert result.rank_province.tolist() == column("rank_province")
    assert result.rank_industry.tolist() == column("rank_industry")
    assert result.stage_percentile.tolist() == column("stage_percentile")
    assert result.eligible.tolist() == column("eligible")
    assert result.reason_strings() == column("reasons")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(population=populations(), min_group_size=st.integers(min_value=1, max_value=12), use_v2=st.booleans())
def test_engine_matches_reference(population, min_group_size, use_v2):
    system = dataclasses.replace(NATIONAL_V2 if use_v2 else NATIONAL_V1, min_group_size=min_group_size)
    assert_same(population, system)


def test_reference_equivalence_covers_all_fallback_levels():
    """A fixed draw that hits levels 0, 1 and 2 together, so the comparison cannot silently miss one."""
    rng = np.random.default_rng(5)
    n = 40
    section = np.array([2] * 20 + [7] * 6 + [12] * 14, dtype=np.uint8)
    age_days = np.array([365 * 6] * 36 + [200] * 4)  # 36 growth firms (if revenue allows) and 4 start-ups
    reference_date = np.datetime64("2024-12-31")
    population = Population(
        enterprise_id=np.arange(1, n + 1, dtype=np.int64),
        section=section,
        province=np.full(n, 11, dtype=np.int16),
        established=reference_date - age_days.astype("timedelta64[D]"),
        values={f: np.round(rng.lognormal(4, 2, n), 1) + 600 * (f == "revenue") for f in NUMERIC_FIELDS},
        flags={f: rng.random(n) < 0.3 for f in BOOL_FIELDS},
        approved=np.ones(n, dtype=bool),
        consent=np.ones(n, dtype=bool),
        reference_date=reference_date,
    )
    system = dataclasses.replace(NATIONAL_V1, min_group_size=15)
    assert set(score(population, system).peer_level.tolist()) == {0, 1, 2}
    assert_same(population, system)
