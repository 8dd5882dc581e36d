"""Derived indicators (methodology §2), age and stage (§3), all vectorised over enterprises."""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np

from .population import Population
from .system import DERIVED_FIELDS, SystemDef

GROWTH_MIN, GROWTH_MAX = -1.0, 10.0
STARTUP, GROWTH, STABLE = 0, 1, 2


def safe_ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator where denominator > 0, else 0 (§2: a missing or non-positive base scores nothing)."""
    out = np.zeros(numerator.shape, dtype=np.float64)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def growth(current: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """current / previous − 1 when previous > 0, else 0; clipped to [−1, 10] (§2)."""
    out = safe_ratio(current, previous)
    np.subtract(out, 1.0, out=out, where=previous > 0)
    return np.clip(out, GROWTH_MIN, GROWTH_MAX, out=out)


def qualification(population: Population) -> np.ndarray:
    """3 little giant, 2 specialised SME or high-tech enterprise, 1 tech SME, else 0 (§2)."""
    flags = population.flags
    return np.select(
        [
            flags["is_little_giant"],
            flags["is_specialised_sme"] | flags["is_high_tech_enterprise"],
            flags["is_tech_sme"],
        ],
        [3.0, 2.0, 1.0],
        0.0,
    )


def derived_field(population: Population, name: str) -> np.ndarray:
    """One §2 field as float64."""
    v = population.values
    if name == "rd_expense_growth":
        return growth(v["rd_expense"], v["rd_expense_prev"])
    if name == "revenue_growth":
        return growth(v["revenue"], v["revenue_prev"])
    if name == "rd_intensity":
        return safe_ratio(v["rd_expense"], v["revenue"])
    if name == "rd_staff_ratio":
        return safe_ratio(v["rd_staff"], v["employees"])
    if name == "roe":
        return safe_ratio(v["net_profit"], v["net_assets"])
    if name == "high_tech_share":
        return safe_ratio(v["high_tech_revenue"], v["revenue"])
    if name == "qualification":
        return qualification(population)
    raise KeyError(f"unknown derived field {name!r}; known: {', '.join(DERIVED_FIELDS)}")


def source_values(population: Population, name: str) -> np.ndarray:
    """The float64 values an indicator reads: a raw field (§1) or a derived one (§2)."""
    if name in DERIVED_FIELDS:
        return derived_field(population, name)
    return population.column(name)


def whole_years(start: np.ndarray, end: np.datetime64) -> np.ndarray:
    """Completed years from each ``start`` (datetime64[D]) to the date ``end``: the difference of calendar years,
    minus one when the anniversary (month, day) has not been reached yet in the end year. A 29 February start
    therefore completes its years on 1 March in common years; a start after ``end`` gives a negative age.

    Why not convert every date to (year, month, day): that conversion dominates the stage step at 500k firms. With
    one end date, "age >= k" is "start <= the latest start whose k-th anniversary falls on or before ``end``": one
    cutoff per year spanned (a loop over years, not firms) gives the age of every calendar day in the span, and
    each firm's age is a lookup in that table.
    """
    start = np.asarray(start, dtype="datetime64[D]")
    if start.size == 0:
        return np.zeros(start.shape, dtype=np.int64)
    end_date: dt.date = np.datetime64(end, "D").astype(object)
    days = start.view(np.int64)
    first_day, last_day = int(days.min()), int(days.max())
    first_year = int(np.datetime64(first_day, "D").astype("datetime64[Y]").astype(np.int64)) + 1970
    last_year = int(np.datetime64(last_day, "D").astype("datetime64[Y]").astype(np.int64)) + 1970
    youngest, oldest = end_date.year - last_year - 1, end_date.year - first_year
    ages = range(oldest, youngest - 1, -1)  # cutoffs ascend as the age they grant descends
    cutoffs = np.array([_latest_start_for_age(end_date, k) for k in ages], dtype="datetime64[D]").view(np.int64)
    # Every start satisfies age >= youngest; each cutoff at or after the start grants one more year. Ages are
    # tabulated once per calendar day spanned, then looked up: a gather beats a binary search per firm.
    span = np.arange(first_day, last_day + 1, dtype=np.int64)
    age_by_day = youngest - 1 + (cutoffs.size - np.searchsorted(cutoffs, span, side="left"))
    return age_by_day[days - first_day]


def _latest_start_for_age(end: dt.date, years: int) -> np.datetime64:
    """The latest start date with at least ``years`` completed years on ``end``: same month and day, ``years``
    earlier (28 February when ``end`` is 29 February and that year is common)."""
    year = end.year - years
    day = end.day
    if end.month == 2 and day == 29 and not calendar.isleap(year):
        day = 28
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ValueError(f"established date too far from the reference date ({years} years)")
    return np.datetime64(dt.date(year, end.month, day), "D")


def stage_codes(population: Population, system: SystemDef) -> np.ndarray:
    """int8 stage per firm (0 startup, 1 growth, 2 stable; §3). Start-up wins if both conditions held (a system
    whose thresholds overlap), because §3 lists it first."""
    age = whole_years(population.established, population.reference_date)
    revenue = population.values["revenue"]
    startup = (age < system.startup_age) | (revenue < system.startup_revenue)
    stable = (age >= system.stable_age) & (revenue >= system.stable_revenue)
    stage = np.full(population.n, GROWTH, dtype=np.int8)
    stage[stable] = STABLE
    stage[startup] = STARTUP
    return stage
