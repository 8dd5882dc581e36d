"""Self-assessment: a firm's own published values scored against the run's stored peer distributions give back its
published total, grade, points and ranks; changed values move them the way the engine would."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.engine import score
from scoring.engine.defaults import NATIONAL_V1, NATIONAL_V2
from scoring.engine.rounding import total_cents
from scoring.engine.whatif import PeerDistributions, peer_distributions, score_what_if

from .test_reference_equivalence import populations


def _what_if(population, system, result, peers, firm):
    one = population.take(np.array([firm]))
    return score_what_if(one, system, peers, published_cents=int(total_cents(result.total)[firm]),
                         published_stage=int(result.stage[firm]))  # fmt: skip


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(population=populations(), min_group=st.integers(min_value=1, max_value=12), v2=st.booleans())
def test_the_firms_own_values_give_back_its_published_result(population, min_group, v2):
    system = dataclasses.replace(NATIONAL_V2 if v2 else NATIONAL_V1, min_group_size=min_group)
    result = score(population, system)
    peers = PeerDistributions.from_bytes(peer_distributions(population, system, result).to_bytes())
    for firm in range(population.n):
        what = _what_if(population, system, result, peers, firm)
        assert what.points == pytest.approx(tuple(result.points[firm]), abs=1e-12)
        assert what.total == result.total_rounded[firm]
        assert what.grade == system.grade_labels[result.grade[firm]]
        assert (what.rank_national, what.rank_province, what.rank_industry) == (
            result.rank_national[firm], result.rank_province[firm], result.rank_industry[firm])  # fmt: skip
        assert what.stage_percentile == pytest.approx(result.stage_percentile[firm])


def test_more_patents_raise_the_total_and_the_rank():
    from .builders import make_population

    population = make_population(40, invention_patents=np.arange(40) % 10, rd_expense=np.arange(40) * 10.0)
    system = NATIONAL_V1
    result = score(population, system)
    peers = peer_distributions(population, system, result)
    firm = int(np.argmin(result.total))
    better = dataclasses.replace(population.take(np.array([firm])),
                                 values={**population.take(np.array([firm])).values,
                                         "invention_patents": np.array([50.0])})  # fmt: skip
    what = score_what_if(better, system, peers, published_cents=int(total_cents(result.total)[firm]),
                         published_stage=int(result.stage[firm]))  # fmt: skip
    assert what.total > result.total_rounded[firm] and what.rank_national < result.rank_national[firm]
