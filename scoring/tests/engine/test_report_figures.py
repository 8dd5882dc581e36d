"""The run's report figures, vectorised over every firm, agree firm by firm with the one-firm references: the peer
CDF counted directly in the firm's group, and ``lift.score_lift`` for the improvement options."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.engine import score
from scoring.engine.defaults import NATIONAL_V1, NATIONAL_V2
from scoring.engine.derived import source_values
from scoring.engine.lift import score_lift
from scoring.engine.peers import PeerGroups
from scoring.engine.report import ADVICE_SLOTS, figures_record, input_hashes, report_figures, unpack_figures

from .builders import indicator, make_population, make_system
from .test_reference_equivalence import populations


def _check(population, system):
    result = score(population, system)
    figures = report_figures(population, system, result)
    peers = PeerGroups.build(result.stage, population.section, system.min_group_size)
    assert figures.advice.shape == (population.n, ADVICE_SLOTS, 4)
    for firm in range(population.n):
        group = peers.group_of(firm)
        for i, ind in enumerate(system.indicators):
            x = source_values(population, ind.source)
            expected = np.count_nonzero(x[group] <= x[firm]) / group.size
            assert figures.peer_percentile[firm, i] == pytest.approx(expected), (firm, ind.code)
        options = score_lift(population, system, result, firm)[:ADVICE_SLOTS]
        advice = [row for row in figures.advice[firm] if row[0] >= 0]
        assert [system.indicators[int(row[0])].code for row in advice] == [o.code for o in options], firm
        assert [row[2] for row in advice] == pytest.approx([o.value for o in options])
        assert [row[3] for row in advice] == pytest.approx([o.gain for o in options])
        for row in advice:
            x = source_values(population, system.indicators[int(row[0])].source)
            assert row[1] == x[firm]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(population=populations(), min_group=st.integers(min_value=1, max_value=12), v2=st.booleans())
def test_figures_agree_with_the_one_firm_references(population, min_group, v2):
    system = dataclasses.replace(NATIONAL_V2 if v2 else NATIONAL_V1, min_group_size=min_group)
    _check(population, system)


def test_the_next_quartile_target_and_gain():
    system = make_system(indicator("P", "invention_patents", "percentile", 100.0), min_group_size=1)
    population = make_population(8, invention_patents=[0, 1, 2, 3, 4, 5, 6, 7])
    figures = report_figures(population, system, score(population, system))
    column, today, target, gain = figures.advice[2, 0]
    assert (column, today, target) == (0, 2.0, 3.0) and gain == pytest.approx(100 * (4 / 8 - 3 / 8))
    assert figures.peer_percentile[2, 0] == pytest.approx(3 / 8)
    assert figures.advice[7, 0, 0] == -1  # the best firm has nothing to reach


def test_the_input_hash_follows_one_firms_data_only():
    population = make_population(3, invention_patents=[1, 2, 3])
    changed = make_population(3, invention_patents=[1, 5, 3])
    a, b = input_hashes(population), input_hashes(changed)
    assert a[0] == b[0] and a[2] == b[2] and a[1] != b[1]
    assert len(set(a.tolist())) == 3


def test_the_stored_record_reads_back_what_was_computed():
    system = dataclasses.replace(NATIONAL_V1, min_group_size=3)
    population = make_population(12, invention_patents=list(range(12)), rd_expense=[float(i * 37) for i in range(12)])
    figures = report_figures(population, system, score(population, system))
    packed = figures.packed()
    assert packed.shape == (12, figures_record(len(system.indicators)).itemsize)
    for firm in range(12):
        percentiles, advice = unpack_figures(packed[firm].tobytes(), len(system.indicators))
        assert percentiles == pytest.approx(figures.peer_percentile[firm].tolist(), abs=1e-6)
        used = [tuple(row) for row in figures.advice[firm] if row[0] >= 0]
        assert advice == [(int(c), t, g_t, g) for c, t, g_t, g in used]


def _percentile_advice(values, firm):
    system = make_system(indicator("P", "invention_patents", "percentile", 100.0), min_group_size=1)
    population = make_population(len(values), invention_patents=values)
    result = score(population, system)
    figures = report_figures(population, system, result)
    return figures.advice[firm, 0], score_lift(population, system, result, firm)


def test_above_p75_the_step_is_p90_never_the_peer_maximum():
    # 20 peers, one outlier at 800: the firm at 15 (s = 16/20 = 0.8) is sent to p90 (18 of 20 at or below: 17),
    # not to the best peer's 800 — the "+768 patents for 1.75 points" advice the old steps gave.
    values = [*range(19), 800]
    (column, today, target, gain), options = _percentile_advice(values, 15)
    assert (column, today, target) == (0, 15.0, 17.0)
    assert gain == pytest.approx(100 * (18 / 20 - 16 / 20))
    assert [o.value for o in options] == [17.0] and "peer step 90%" in options[0].target


def test_at_or_above_p90_there_is_no_peer_step():
    values = [*range(19), 800]
    (column, *_), options = _percentile_advice(values, 18)  # s = 19/20 = 0.95
    assert column == -1 and options == []


def test_a_p90_step_tied_with_the_maximum_gives_full_marks():
    values = [0, 1, 2, 3, 4, 5, 6, 7, 9, 9]  # p90 is the 9th value: 9, also the maximum
    (column, today, target, gain), _ = _percentile_advice(values, 7)  # s = 8/10
    assert (column, today, target) == (0, 7.0, 9.0) and gain == pytest.approx(100 * (1.0 - 8 / 10))
