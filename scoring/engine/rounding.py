"""Publishing the total (methodology §6): rounding to 2 decimals, half to even, and the grade bands.

Binary floats cannot hold most 2-decimal halves (59.995 is stored as 59.99499999999999744…), and a sum of points
picks up noise in its last bits, so "half to even" needs a precise definition on float64:

1. snap the float to 9 decimals, half to even: ``nano = rint(total · 10⁹)`` — an exact integer count of 10⁻⁹ points
   (totals stay far below 2⁵³ / 10⁹ ≈ 9·10⁶, so the integer is exact);
2. round that integer to cents, half to even, in exact integer arithmetic: ``cents = nano // 10⁷`` plus one when the
   remainder exceeds 5·10⁶, or equals it and ``cents`` is odd.

So 59.995 → 60.00 (grade D), 69.995 → 70.00, 0.125 → 0.12, 0.135 → 0.14, and 69.994999999 → 69.99. The published
total is ``cents / 100``, the double nearest the 2-decimal value; grades, eligibility and ranks all read it (ranks read
the integer cents directly, which is the same order).
"""

from __future__ import annotations

import numpy as np

SNAP_DECIMALS = 9
_NANO_PER_CENT = 10 ** (SNAP_DECIMALS - 2)


def total_cents(total: np.ndarray) -> np.ndarray:
    """int64 cents of the published total (steps 1 and 2 of the module docstring)."""
    nano = np.rint(np.asarray(total, dtype=np.float64) * 10.0**SNAP_DECIMALS).astype(np.int64)
    cents, remainder = np.divmod(nano, _NANO_PER_CENT)
    half = _NANO_PER_CENT // 2
    cents += (remainder > half) | ((remainder == half) & (cents % 2 == 1))
    return cents


def round_total(total: np.ndarray) -> np.ndarray:
    """The published 2-decimal total as float64 (half to even, see the module docstring)."""
    return total_cents(total) / 100.0


def grade_codes(total_rounded: np.ndarray, bands: tuple[tuple[str, float], ...]) -> np.ndarray:
    """Index of the first band (best first) whose limit the rounded total reaches; ``len(bands)`` = fallback grade."""
    limits = np.array([limit for _, limit in bands], dtype=np.float64)
    # Limits are strictly decreasing: the number of limits above the total is the index of the first one reached.
    return np.searchsorted(-limits, -total_rounded, side="left").astype(np.int8)


def grade_ranges(
    bands: tuple[tuple[str, float], ...], fallback: str
) -> tuple[tuple[str, float | None, float | None], ...]:
    """(grade, lowest total, total from which the next better grade starts) for every grade, best first: the ranges
    ``grade_codes`` assigns. The best grade has no upper limit, the fallback grade no lower limit (None)."""
    ranges: list[tuple[str, float | None, float | None]] = []
    upper: float | None = None
    for grade, limit in bands:
        ranges.append((grade, float(limit), upper))
        upper = float(limit)
    ranges.append((fallback, None, upper))
    return tuple(ranges)
