"""The bank-side business rules, each written once: the suggested credit line (methodology §11) and whether a loan
product fits a firm (grade, stage, section, the regions its branches serve).

Each rule has a scalar form (``credit_line``, ``product_fits``) that pages, the API, the loan form and the firm's
report call, and a vectorised twin (``credit_lines_half_cents``, ``product_fit_mask``) that the push runs over
70,000 firms at once. ``banks/tests/test_rules.py`` proves the twins agree on random inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import numpy as np

from core.regions import scope_covers
from scoring.choices import GRADE_ORDER, grade_at_least

CENT = Decimal("0.01")


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def revenue_basis(revenue: Any, revenue_prev: Any) -> Decimal:
    """§11's revenue term: the average of revenue and revenue_prev when revenue_prev > 0, else revenue (a missing
    filing counts as 0, §1)."""
    revenue, previous = _decimal(revenue or 0), _decimal(revenue_prev or 0)
    return (revenue + previous) / 2 if previous > 0 else revenue


def credit_line(
    *, line_by_grade: Mapping[str, Any], max_amount: Any, grade: str, revenue: Any, revenue_prev: Any, eligible: bool
) -> Decimal:
    """Methodology §11 in 万元, exact to the cent (half to even): min(line for the grade, product maximum, revenue
    basis), never negative; 0 for a firm that is not recommendable."""
    if not eligible:
        return Decimal("0.00")
    line = min(_decimal(line_by_grade.get(grade, 0)), _decimal(max_amount), revenue_basis(revenue, revenue_prev))
    return max(line, Decimal(0)).quantize(CENT, rounding=ROUND_HALF_EVEN)


def cents_of(amount: Any) -> int:
    """A 万元 amount as integer cents (exact for the two decimals amounts carry)."""
    return int((_decimal(amount) * 100).to_integral_value())


def half_cents_to_cents(half: np.ndarray) -> np.ndarray:
    """Amounts in half-cents to cents, a half rounded to even (as ``Decimal.quantize`` does)."""
    whole, rest = np.divmod(half, 2)
    return whole + (rest & (whole & 1))


def credit_lines_half_cents(
    *, line_by_grade: Mapping[str, Any], max_amount: Any, grade: np.ndarray, basis_x2: np.ndarray
) -> np.ndarray:
    """``credit_line`` for many eligible firms at once, in half-cents (the revenue basis is a sum of two cent
    amounts, so twice it is exact): ``grade`` indexes ``GRADE_ORDER``, ``basis_x2`` is twice the revenue basis in
    cents. ``half_cents_to_cents`` of the result equals ``credit_line`` firm by firm."""
    by_grade = np.array([cents_of(line_by_grade.get(g, 0)) * 2 for g in GRADE_ORDER], dtype=np.int64)
    line = np.minimum(np.minimum(by_grade[grade], cents_of(max_amount) * 2), basis_x2)
    return np.maximum(line, 0)


@dataclass(frozen=True)
class ProductRule:
    """Who a product is for: its minimum grade, its stages and sections (empty: all) and the region scopes of the
    branches that serve it (its own branches, or all of the bank's). Built by ``banks.selectors.product_rules``."""

    min_grade: str
    stages: Sequence[str]
    sections: Sequence[str]
    scopes: Sequence[str]


PRODUCT_CONDITIONS = ("region", "section", "grade", "stage")
"""A product's conditions in the order a firm reads them (where it is, what it does, then its result)."""


def product_misses(
    rule: ProductRule, *, grade: str | None, stage: str | None, section: str, region_code: str
) -> tuple[str, ...]:
    """The product's conditions this firm does not meet (of ``PRODUCT_CONDITIONS``; empty: the product is for it).
    ``grade`` and ``stage`` None: the firm has no published result yet, so those two are not judged. Recommendability
    and consent are the list's own conditions, not the product's."""
    unmet = {
        "region": not any(scope_covers(scope, region_code) for scope in rule.scopes),
        "section": bool(rule.sections) and section not in rule.sections,
        "grade": grade is not None and not grade_at_least(grade, rule.min_grade),
        "stage": stage is not None and bool(rule.stages) and stage not in rule.stages,
    }
    return tuple(condition for condition in PRODUCT_CONDITIONS if unmet[condition])


def product_fits(rule: ProductRule, *, grade: str, stage: str, section: str, region_code: str) -> bool:
    """The product is for this firm: grade good enough, stage and section among the product's, and a branch that
    serves its region (``product_misses`` is empty)."""
    return not product_misses(rule, grade=grade, stage=stage, section=section, region_code=region_code)


def product_fit_mask(
    rule: ProductRule, *, grade: np.ndarray, stage: np.ndarray, section: np.ndarray, region: np.ndarray,
    stages: Sequence[str],
) -> np.ndarray:  # fmt: skip
    """``product_fits`` over arrays: ``grade`` indexes ``GRADE_ORDER``, ``stage`` indexes ``stages``, ``section``
    is ``S1`` bytes, ``region`` the six-digit code as an integer."""
    mask = grade <= GRADE_ORDER.index(rule.min_grade)
    if rule.stages:
        mask &= np.isin(stage, [stages.index(s) for s in rule.stages])
    if rule.sections:
        mask &= np.isin(section, [s.encode() for s in rule.sections])
    served = np.zeros(region.size, dtype=bool)
    for scope in rule.scopes:
        if not scope:
            served[:] = True
            break
        served |= region // 10 ** (6 - len(scope)) == int(scope)
    return mask & served
