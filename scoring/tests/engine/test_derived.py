"""§2 derived indicators, §3 age and stage — hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.engine.defaults import NATIONAL_V1
from scoring.engine.derived import derived_field, growth, safe_ratio, stage_codes, whole_years

from .builders import make_population


def days(*dates: str) -> np.ndarray:
    return np.array(dates, dtype="datetime64[D]")


def test_growth_is_ratio_minus_one():
    assert growth(np.array([150.0]), np.array([100.0])).tolist() == [0.5]


def test_growth_is_zero_when_previous_is_zero_or_negative():
    assert growth(np.array([80.0, 80.0]), np.array([0.0, -5.0])).tolist() == [0.0, 0.0]


def test_growth_is_clipped_to_minus_one_and_ten():
    current = np.array([1200.0, 0.0, -50.0])
    previous = np.array([100.0, 100.0, 10.0])
    assert growth(current, previous).tolist() == [10.0, -1.0, -1.0]


def test_ratios_are_zero_for_non_positive_denominators():
    assert safe_ratio(np.array([3.0, 3.0, 3.0]), np.array([6.0, 0.0, -2.0])).tolist() == [0.5, 0.0, 0.0]


def test_derived_ratios_with_zero_denominators():
    population = make_population(
        3,
        revenue=[0.0, 200.0, 0.0],
        rd_expense=[10.0, 20.0, 0.0],
        high_tech_revenue=[5.0, 50.0, 0.0],
        rd_staff=[3.0, 3.0, 0.0],
        employees=[0.0, 12.0, 0.0],
        net_profit=[-5.0, 30.0, 10.0],
        net_assets=[0.0, 120.0, -40.0],
    )
    assert derived_field(population, "rd_intensity").tolist() == [0.0, 0.1, 0.0]
    assert derived_field(population, "high_tech_share").tolist() == [0.0, 0.25, 0.0]
    assert derived_field(population, "rd_staff_ratio").tolist() == [0.0, 0.25, 0.0]
    assert derived_field(population, "roe").tolist() == [0.0, 0.25, 0.0]


def test_negative_profit_gives_negative_roe():
    population = make_population(1, net_profit=-30.0, net_assets=120.0)
    assert derived_field(population, "roe").tolist() == [-0.25]


def test_qualification_takes_the_highest_level():
    population = make_population(
        5,
        is_little_giant=[True, False, False, False, False],
        is_specialised_sme=[True, True, False, False, False],
        is_high_tech_enterprise=[False, False, True, False, False],
        is_tech_sme=[True, True, True, True, False],
    )
    assert derived_field(population, "qualification").tolist() == [3.0, 2.0, 2.0, 1.0, 0.0]


def test_age_counts_whole_years_with_the_birthday_edge():
    start = days("2021-12-31", "2022-01-01", "2021-06-15", "2025-01-01")
    assert whole_years(start, np.datetime64("2024-12-31")).tolist() == [3, 2, 3, -1]


def test_age_on_the_day_before_and_on_the_anniversary():
    start = days("2014-06-15", "2014-06-15")
    assert whole_years(start[:1], np.datetime64("2024-06-14")).tolist() == [9]
    assert whole_years(start[1:], np.datetime64("2024-06-15")).tolist() == [10]


def test_a_29_february_start_completes_its_year_on_1_march_in_common_years():
    start = days("2020-02-29")
    assert whole_years(start, np.datetime64("2023-02-28")).tolist() == [2]
    assert whole_years(start, np.datetime64("2023-03-01")).tolist() == [3]
    assert whole_years(start, np.datetime64("2024-02-29")).tolist() == [4]


def test_age_with_a_29_february_reference_date():
    start = days("2021-02-28", "2021-03-01", "2020-02-29")
    assert whole_years(start, np.datetime64("2024-02-29")).tolist() == [3, 2, 4]


def test_age_matches_a_calendar_computation_over_many_dates():
    rng = np.random.default_rng(3)
    start = np.datetime64("1950-01-01") + rng.integers(0, 30000, 2000).astype("timedelta64[D]")
    for end in ("2024-12-31", "2024-02-29", "2023-03-01", "2000-01-01"):
        expected = []
        end_date = np.datetime64(end).astype(object)
        for d in start.astype(object):
            years = end_date.year - d.year - ((end_date.month, end_date.day) < (d.month, d.day))
            expected.append(years)
        assert whole_years(start, np.datetime64(end)).tolist() == expected


@pytest.mark.parametrize(
    ("established", "revenue", "stage"),
    [
        ("2022-01-01", 50000.0, 0),  # 2 years old: start-up whatever the revenue
        ("2021-12-31", 499.99, 0),  # 3 years old but revenue below 500
        ("2021-12-31", 500.0, 1),  # exactly 3 years and 500: growth
        ("2014-12-31", 20000.0, 2),  # exactly 10 years and 20000: stable
        ("2015-01-01", 20000.0, 1),  # one day short of 10 years
        ("2000-01-01", 19999.0, 1),  # old but revenue below 20000
    ],
)
def test_stage_thresholds(established, revenue, stage):
    population = make_population(1, established=established, revenue=revenue)
    assert stage_codes(population, NATIONAL_V1).tolist() == [stage]
