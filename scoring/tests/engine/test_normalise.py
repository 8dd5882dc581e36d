"""§5 normalisation methods, read through ``score`` with one indicator worth 100 points (so total = 100 · s)."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.engine import score
from scoring.engine.normalise import reference_score, tiers_score

from .builders import make_population, single_indicator_system

PERCENTILE_ON_STANDARDS = single_indicator_system("standards", "percentile", min_group_size=1)


def s_of(population, system) -> list[float]:
    return score(population, system).s[:, 0].tolist()


def test_percentile_methodology_example():
    population = make_population(5, standards=[0, 0, 3, 5, 5])
    assert s_of(population, PERCENTILE_ON_STANDARDS) == [0.0, 0.0, 0.6, 1.0, 1.0]


def test_percentile_ties_share_the_highest_position_of_their_run():
    population = make_population(6, standards=[2, 1, 2, 2, 7, 1])
    assert s_of(population, PERCENTILE_ON_STANDARDS) == [5 / 6, 2 / 6, 5 / 6, 5 / 6, 1.0, 2 / 6]


def test_percentile_of_non_positive_values_is_zero_but_they_count_as_peers():
    population = make_population(4, net_profit=[-10.0, 0.0, 5.0, -3.0])
    system = single_indicator_system("net_profit", "percentile", min_group_size=1)
    assert s_of(population, system) == [0.0, 0.0, 1.0, 0.0]


def test_percentile_of_a_single_firm():
    population = make_population(1, standards=[4])
    assert s_of(population, PERCENTILE_ON_STANDARDS) == [1.0]


def test_percentile_of_an_empty_population():
    result = score(make_population(0), PERCENTILE_ON_STANDARDS)
    assert result.s.shape == (0, 1) and result.total.shape == (0,)


def test_percentile_is_computed_inside_stage_and_section_groups():
    # Two sections of three firms, min group size 3: each section is its own peer group.
    population = make_population(6, section=list("CCCHHH"), standards=[1, 2, 3, 10, 20, 30])
    system = single_indicator_system("standards", "percentile", min_group_size=3)
    result = score(population, system)
    assert result.s[:, 0].tolist() == [1 / 3, 2 / 3, 1.0, 1 / 3, 2 / 3, 1.0]
    assert result.peer_level.tolist() == [0] * 6


def test_fallback_example_of_section_4_32_c_firms_and_6_h_firms():
    """32 stable firms in C use their own group; 6 in H fall back to all 38 stable firms."""
    values = np.arange(1, 39, dtype=np.float64)  # C firms get 1..32, H firms 33..38
    population = make_population(
        38, section=["C"] * 32 + ["H"] * 6, established="2000-01-01", revenue=30000.0, standards=values
    )
    system = single_indicator_system("standards", "percentile")
    result = score(population, system)
    assert result.stage.tolist() == [2] * 38
    assert result.peer_level.tolist() == [0] * 32 + [1] * 6
    assert result.s[:32, 0].tolist() == (np.arange(1, 33) / 32).tolist()
    assert result.s[32:, 0].tolist() == (np.arange(33, 39) / 38).tolist()


def test_level_one_compares_with_the_whole_stage_including_large_group_firms():
    # 30 growth firms in C with value 5; 1 growth firm in H with value 5 -> H firm compared with all 31.
    population = make_population(31, section=["C"] * 30 + ["H"], standards=[5] * 30 + [5])
    result = score(population, single_indicator_system("standards", "percentile"))
    assert result.peer_level.tolist() == [0] * 30 + [1]
    assert result.s[-1, 0] == 1.0
    population = make_population(31, section=["C"] * 30 + ["H"], standards=[6] * 30 + [5])
    assert score(population, single_indicator_system("standards", "percentile")).s[-1, 0] == 1 / 31


def test_level_two_uses_the_whole_population_when_the_stage_is_too_small():
    # 30 growth firms and 2 start-ups: the start-ups fall back to all 32 firms.
    established = ["2015-06-01"] * 30 + ["2023-06-01"] * 2
    standards = list(range(1, 31)) + [15, 100]
    population = make_population(32, established=established, standards=standards)
    result = score(population, single_indicator_system("standards", "percentile"))
    assert result.stage.tolist() == [1] * 30 + [0] * 2
    assert result.peer_level.tolist() == [0] * 30 + [2] * 2
    # value 15: peers <= 15 are growth 1..15 (15 firms) plus itself = 16 of 32
    assert result.s[30:, 0].tolist() == [16 / 32, 1.0]
    assert result.s[:30, 0].tolist() == (np.arange(1, 31) / 30).tolist()


def test_group_sizes_count_firms_with_zero_values():
    population = make_population(30, section="C", standards=[0] * 29 + [1])
    result = score(population, single_indicator_system("standards", "percentile"))
    assert result.peer_level.tolist() == [0] * 30
    assert result.s[-1, 0] == 1.0 and result.s[:-1, 0].sum() == 0.0


@pytest.mark.parametrize(("x", "s"), [(-2.0, 0.0), (0.0, 0.0), (1.5, 0.5), (3.0, 1.0), (7.0, 1.0)])
def test_reference_is_clamped_to_0_1(x, s):
    assert reference_score(np.array([x]), 3.0).tolist() == [s]


@pytest.mark.parametrize(
    ("x", "s"),
    [(0.0, 0.0), (0.0299, 0.0), (0.03, 0.4), (0.0599, 0.4), (0.06, 0.6), (0.1, 0.8), (0.15, 1.0), (2.0, 1.0)],
)
def test_tiers_below_between_and_exactly_on_thresholds(x, s):
    assert tiers_score(np.array([x]), (0.03, 0.06, 0.10, 0.15), (0.4, 0.6, 0.8, 1.0)).tolist() == [s]


def test_tiers_on_integer_levels_through_score():
    population = make_population(4, rd_platform_level=[0, 1, 2, 3])
    system = single_indicator_system("rd_platform_level", "tiers", thresholds=(1, 2, 3), fractions=(0.4, 0.8, 1))
    assert s_of(population, system) == [0.0, 0.4, 0.8, 1.0]


def test_flag_on_a_boolean_and_on_a_count():
    population = make_population(3, is_little_giant=[True, False, True], sci_awards=[0, 1, 0.5])
    assert s_of(population, single_indicator_system("is_little_giant", "flag")) == [1.0, 0.0, 1.0]
    assert s_of(population, single_indicator_system("sci_awards", "flag")) == [0.0, 1.0, 0.0]


def test_percentile_on_a_derived_field_with_negative_growth():
    population = make_population(3, revenue=[900.0, 1100.0, 1000.0], revenue_prev=[1000.0, 1000.0, 0.0])
    system = single_indicator_system("revenue_growth", "percentile", min_group_size=1)
    # growth: -0.1, 0.1 (rounded in float), 0 -> only the positive one scores, 3 of 3 at or below it
    assert s_of(population, system) == [0.0, 1.0, 0.0]
