"""Derived indicators (methodology §2), age and stage (§3), all vectorised over enterprises."""

from __future__ import annotations

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
        [flags["is_little_giant"], flags["is_specialised_sme"] | flags["is_high_tech_enterprise"], flags["is_tech_sme"]],
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


def whole_years(start: np.ndarray, end: np.datetime64 | np.ndarray) -> np.ndarray:
    """Completed years from ``start`` to ``end`` (datetime64[D]): the calendar-year difference, minus one when the
    anniversary (month, day) has not been reached yet in the end year. A 29 February start reaches its anniversary
    on 1 March in common years. A start after ``end`` gives a negative age (and so the start-up stage)."""
    start = np.asarray(start, dtype="datetime64[D]")
    end = np.asarray(end, dtype="datetime64[D]")
    start_year = start.astype("datetime64[Y]")
    end_year = end.astype("datetime64[Y]")
    years = (end_year - start_year).astype(np.int64)
    # (month, day) as month_index * 32 + day_index: orders like the calendar within a year.
    start_month = start.astype("datetime64[M]")
    end_month = end.astype("datetime64[M]")
    start_md = (start_month - start_year).astype(np.int64) * 32 + (start - start_month).astype(np.int64)
    end_md = (end_month - end_year).astype(np.int64) * 32 + (end - end_month).astype(np.int64)
    return years - (end_md < start_md)


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
