"""Score lift for one firm: next tier, next peer quartile, reference value, flag; bonus cap respected."""

from __future__ import annotations

import pytest

from scoring.engine import score
from scoring.engine.lift import score_lift

from .builders import indicator, make_population, make_system


def lift_of(population, system, index: int):
    return score_lift(population, system, score(population, system), index)


def test_next_tier_reference_and_flag_sorted_by_gain():
    system = make_system(
        indicator("T", "rd_platform_level", "tiers", 50.0, thresholds=(1, 2, 3), fractions=(0.4, 0.8, 1.0)),
        indicator("R", "standards", "reference", 30.0, reference=4.0),
        indicator("F", "is_little_giant", "flag", 20.0),
    )
    population = make_population(1, rd_platform_level=1, standards=3)
    options = lift_of(population, system, 0)
    assert [(o.code, o.value) for o in options] == [("T", 2.0), ("F", 1.0), ("R", 4.0)]
    assert [o.gain for o in options] == pytest.approx([20.0, 20.0, 7.5])
    assert options[0].target.startswith("rd_platform_level >= 2 (tier 2)")


def test_no_option_for_indicators_already_at_full_marks():
    system = make_system(indicator("R", "standards", "reference", 100.0, reference=2.0))
    assert lift_of(make_population(1, standards=5), system, 0) == []


def test_next_peer_quartile_is_the_smallest_peer_value_reaching_it():
    # 8 peers (min group 1): values 0,1,2,...,7 -> firm with 2 has s = 3/8; next quartile 50% needs 4 of 8 at or
    # below it: moving to 3 gives (peers 0,1,3 + itself) = 4/8.
    system = make_system(indicator("P", "invention_patents", "percentile", 100.0), min_group_size=1)
    population = make_population(8, invention_patents=[0, 1, 2, 3, 4, 5, 6, 7])
    options = lift_of(population, system, 2)
    assert [(o.code, o.value) for o in options] == [("P", 3.0)]
    assert options[0].gain == pytest.approx(100 * (4 / 8 - 3 / 8))
    assert "peer step 50%" in options[0].target


def test_a_zero_firm_targets_the_first_quartile():
    system = make_system(indicator("P", "invention_patents", "percentile", 100.0), min_group_size=1)
    population = make_population(4, invention_patents=[0, 5, 9, 9])
    (option,) = lift_of(population, system, 0)
    # at 5: peers 5 and itself -> 2/4 = 50%, the first quartile reachable
    assert (option.value, option.gain) == (5.0, pytest.approx(50.0))


def test_bonus_gain_is_limited_by_the_cap():
    system = make_system(
        indicator("A", "standards", "reference", 100.0, reference=1.0),
        indicator("B1", "sci_awards", "flag", 20.0, bonus=True),
        indicator("B2", "sci_projects", "flag", 20.0, bonus=True),
        bonus_cap=30.0,
    )
    options = lift_of(make_population(1, standards=1, sci_awards=1), system, 0)
    assert [(o.code, o.gain) for o in options] == [("B2", pytest.approx(10.0))]
