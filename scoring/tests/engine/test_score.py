"""§6 points, bonus cap, rounding and grades; §7 eligibility; §8 ranks; the per-run summary."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.engine import IndicatorDef, core, score
from scoring.engine.defaults import NATIONAL_V1
from scoring.engine.rounding import round_total

from .builders import indicator, make_population, make_system, single_indicator_system

# total = standards (reference 100 with weight 100): a firm's total is the value it files.
TOTAL_IS_STANDARDS = single_indicator_system("standards", "reference", reference=100.0)


def two_flag_system(weight: float):
    """A firm with is_little_giant scores exactly ``weight`` (the other flag takes the rest of the 100)."""
    return make_system(
        indicator("F1", "is_little_giant", "flag", weight), indicator("F2", "dishonest_debtor", "flag", 100.0 - weight)
    )


@pytest.mark.parametrize(
    ("weight", "published", "grade"),
    [
        (59.995, 60.00, "D"),  # stored as 59.99499999…: half-even on the decimal value -> 60.00
        (60.0, 60.00, "D"),
        (59.994, 59.99, "E"),
        (69.99, 69.99, "D"),
        (69.995, 70.00, "C"),
        (70.0, 70.00, "C"),
        (80.0, 80.00, "B"),
        (84.995, 85.00, "A"),
    ],
)
def test_grade_boundaries_apply_to_the_rounded_total(weight, published, grade):
    result = score(make_population(1, is_little_giant=True), two_flag_system(weight))
    assert result.total[0] == weight
    assert result.total_rounded[0] == published
    assert result.grade_strings().tolist() == [grade]


def test_eligibility_threshold_uses_the_rounded_total():
    result = score(make_population(2, is_little_giant=[True, True]), two_flag_system(69.995))
    assert result.eligible.tolist() == [True, True]
    result = score(make_population(1, is_little_giant=True), two_flag_system(69.99))
    assert result.reason_strings() == ["below_threshold"]


@pytest.mark.parametrize(
    ("total", "published"),
    [(0.125, 0.12), (0.135, 0.14), (0.375, 0.38), (2.675, 2.68), (1.005, 1.0), (59.9949999, 59.99), (100.0, 100.0)],
)
def test_round_total_is_half_to_even_on_the_decimal_value(total, published):
    # 2.675 is stored as 2.67499999…; snapping to 9 decimals first makes it the decimal 2.675, then half-even.
    # 1.005 -> 1.00 (0 is even); 0.135 -> 0.14 (4 is even).
    assert round_total(np.array([total])).tolist() == [published]


def test_round_total_removes_binary_noise_from_sums():
    noisy = 0.1 + 0.2 + 69.695  # 69.995 plus float noise
    assert round_total(np.array([noisy])).tolist() == [70.0]


def test_points_use_the_weight_of_the_firms_stage():
    ind = IndicatorDef("A", "c", "standards", "reference", {"startup": 50, "growth": 100, "stable": 20}, reference=2)
    rest = IndicatorDef("B", "c", "sci_awards", "flag", {"startup": 50, "growth": 0, "stable": 80})
    population = make_population(
        3,
        established=["2023-01-01", "2015-01-01", "2000-01-01"],
        revenue=[100.0, 5000.0, 30000.0],
        standards=1.0,
    )
    result = score(population, make_system(ind, rest))
    assert result.stage_labels().tolist() == ["startup", "growth", "stable"]
    assert result.points[:, 0].tolist() == [25.0, 50.0, 10.0]


def test_bonus_is_added_on_top_and_capped():
    system = make_system(
        indicator("A", "standards", "reference", 100.0, reference=4.0),
        indicator("B1", "sci_awards", "flag", 20.0, bonus=True),
        indicator("B2", "sci_projects", "flag", 15.0, bonus=True),
        bonus_cap=30.0,
    )
    population = make_population(3, standards=[2, 2, 4], sci_awards=[1, 0, 1], sci_projects=[1, 1, 0])
    result = score(population, system)
    assert result.base.tolist() == [50.0, 50.0, 100.0]
    assert result.bonus.tolist() == [30.0, 15.0, 20.0]
    assert result.total.tolist() == [80.0, 65.0, 120.0]


def test_category_subtotals_sum_their_points():
    system = make_system(
        indicator("A", "standards", "reference", 60.0, reference=4.0, category="one"),
        indicator("B", "sci_awards", "flag", 40.0, category="two"),
        indicator("C", "sci_projects", "flag", 10.0, category="one", bonus=True),
        bonus_cap=5.0,
    )
    result = score(make_population(1, standards=2, sci_awards=1, sci_projects=1), system)
    assert result.categories == ("one", "two")
    assert result.category_subtotals() == {"one": pytest.approx([40.0]), "two": pytest.approx([40.0])}
    assert result.bonus.tolist() == [5.0]  # the cap applies to the bonus, not to the category subtotal


def test_competition_ranks_1224_on_the_rounded_total():
    # 80.001 and 79.999 both publish as 80.00: they tie.
    population = make_population(5, standards=[90.0, 80.001, 79.999, 70.0, 95.0])
    result = score(population, TOTAL_IS_STANDARDS)
    assert result.rank_national.tolist() == [2, 3, 3, 5, 1]


def test_province_and_industry_ranks_are_within_their_partition():
    population = make_population(
        5,
        standards=[90.0, 80.0, 85.0, 70.0, 80.0],
        province=[11, 11, 44, 44, 44],
        section=list("CHCHC"),
    )
    result = score(population, TOTAL_IS_STANDARDS)
    assert result.rank_province.tolist() == [1, 2, 1, 3, 2]
    assert result.rank_industry.tolist() == [1, 1, 2, 2, 3]


def test_stage_percentile_is_the_cdf_of_the_rounded_total_without_the_zero_rule():
    population = make_population(
        5, standards=[0.0, 0.0, 50.0, 50.004, 60.0], established=["2015-01-01"] * 4 + ["2023-01-01"]
    )
    result = score(population, TOTAL_IS_STANDARDS)
    assert result.stage_percentile.tolist() == [0.5, 0.5, 1.0, 1.0, 1.0]


ELIGIBLE_FIRM = {"standards": 80.0, "is_tech_sme": True, "approved": True, "consent": True}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"approved": False}, "not_approved"),
        ({"dishonest_debtor": True}, "veto_dishonest"),
        ({"tax_credit_d": True}, "veto_tax_d"),
        ({"major_violation": True}, "veto_violation"),
        ({"is_tech_sme": False}, "not_tech_firm"),
        ({"consent": False}, "no_consent"),
        ({"standards": 69.99}, "below_threshold"),
    ],
)
def test_each_failing_condition_is_its_own_reason(change, reason):
    result = score(make_population(1, **{**ELIGIBLE_FIRM, **change}), TOTAL_IS_STANDARDS)
    assert result.reason_strings() == [reason]
    assert result.eligible.tolist() == [False]


def test_a_high_tech_enterprise_without_tech_sme_is_a_tech_firm():
    firm = {**ELIGIBLE_FIRM, "is_tech_sme": False, "is_high_tech_enterprise": True}
    result = score(make_population(1, **firm), TOTAL_IS_STANDARDS)
    assert result.eligible.tolist() == [True] and result.reason_strings() == [""]


def test_reasons_are_listed_in_methodology_order():
    firm = {**ELIGIBLE_FIRM, "consent": False, "approved": False, "standards": 10.0, "tax_credit_d": True}
    result = score(make_population(1, **firm), TOTAL_IS_STANDARDS)
    assert result.reason_strings() == ["not_approved;veto_tax_d;no_consent;below_threshold"]


def test_configurable_threshold_and_min_group_size_are_used():
    system = single_indicator_system("standards", "reference", reference=100.0, threshold=60.0, min_group_size=2)
    result = score(make_population(1, standards=65.0), system)
    assert result.eligible.tolist() == [True]


def test_summary_counts_by_grade_stage_and_province():
    population = make_population(
        4,
        standards=[90.0, 50.0, 50.0, 75.0],
        province=[11, 44, 44, 44],
        established=["2023-01-01"] + ["2015-01-01"] * 3,
    )
    summary = score(population, TOTAL_IS_STANDARDS).summary()
    assert summary["by_grade"] == {"A": 1, "B": 0, "C": 1, "D": 0, "E": 2}
    assert summary["by_stage"] == {"startup": 1, "growth": 3, "stable": 0}
    assert summary["by_province"] == {"11": 1, "44": 3}
    assert summary["eligible"] == 2 and summary["enterprises"] == 4
    assert summary["system"]["hash"] == TOTAL_IS_STANDARDS.content_hash()


def test_score_refuses_an_invalid_system():
    broken = single_indicator_system("standards", "reference", reference=0.0)
    with pytest.raises(ValueError, match="reference value must be > 0"):
        score(make_population(1), broken)


def test_threads_do_not_change_results(monkeypatch):
    rng = np.random.default_rng(11)
    n = 600
    population = make_population(
        n,
        section=rng.choice(list("ACHM"), n),
        standards=rng.integers(0, 5, n),
        rd_expense=rng.random(n) * 100,
        vc_investment=rng.random(n) * (rng.random(n) < 0.3),
        employees=rng.integers(0, 50, n),
    )
    one = score(population, NATIONAL_V1, threads=1)
    monkeypatch.setattr(core, "PARALLEL_MIN_FIRMS", 1)
    two = score(population, NATIONAL_V1, threads=2)
    assert np.array_equal(one.points, two.points) and np.array_equal(one.total, two.total)
