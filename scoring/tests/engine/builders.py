"""Small builders for engine tests: populations from a few columns, systems from a few indicators."""

from __future__ import annotations

from typing import Any

import numpy as np

from scoring.engine.population import Population
from scoring.engine.system import NUMERIC_FIELDS, IndicatorDef, SystemDef

REFERENCE_DATE = "2024-12-31"
GROWTH_FIRM = {"established": "2015-06-01", "revenue": 5000.0}
"""Defaults that put a firm in the growth stage on REFERENCE_DATE (9 years old, revenue between the limits)."""


def make_population(n: int, **columns: Any) -> Population:
    """n firms; keyword columns override defaults (scalars broadcast). Numeric and flag fields go by their name.

    Defaults: ids 1..n, section C, province 11 (Beijing), a growth-stage firm, approved, consenting, a tech SME.
    """

    def column(name: str, default: Any) -> Any:
        value = columns.pop(name, default)
        return np.broadcast_to(np.asarray(value), (n,)).copy()

    enterprise_id = column("enterprise_id", np.arange(1, n + 1))
    section = column("section", "C")
    province = column("province", 11)
    established = column("established", GROWTH_FIRM["established"]).astype("datetime64[D]")
    approved = column("approved", True)
    consent = column("consent", True)
    reference_date = columns.pop("reference_date", REFERENCE_DATE)
    values = {"revenue": column("revenue", GROWTH_FIRM["revenue"])}
    flags = {"is_tech_sme": column("is_tech_sme", True)}
    for name in list(columns):
        target = values if name in NUMERIC_FIELDS else flags
        target[name] = column(name, 0)
    return Population.from_columns(
        enterprise_id=enterprise_id,
        section=section,
        province=province,
        established=established,
        reference_date=reference_date,
        values=values,
        flags=flags,
        approved=approved,
        consent=consent,
    )


def indicator(code: str, source: str, method: str, weight: float, **kwargs: Any) -> IndicatorDef:
    """An indicator weighted alike for every stage, in category "cat" unless told."""
    return IndicatorDef(
        code=code,
        category=kwargs.pop("category", "cat"),
        source=source,
        method=method,
        weights={"startup": weight, "growth": weight, "stable": weight},
        **kwargs,
    )


def make_system(*indicators: IndicatorDef, **params: Any) -> SystemDef:
    """A system of the given indicators; parameters (bonus_cap, min_group_size, ...) by keyword."""
    params.setdefault("bonus_cap", 0.0)
    return SystemDef(code="test", version=1, name="test system", indicators=tuple(indicators), **params)


def single_indicator_system(source: str, method: str, **kwargs: Any) -> SystemDef:
    """One base indicator carrying all 100 points: points = 100 · s, so a test reads s off the total."""
    params = {k: kwargs.pop(k) for k in ("min_group_size", "threshold", "grade_bands") if k in kwargs}
    return make_system(indicator("X1", source, method, 100.0, **kwargs), **params)
