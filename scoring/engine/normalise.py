"""Normalisation of one indicator's values to s in [0, 1] (methodology §5), except the peer-group part of
``percentile`` which lives in ``peers.py``."""

from __future__ import annotations

import numpy as np

from .system import IndicatorDef


def reference_score(x: np.ndarray, reference: float) -> np.ndarray:
    """min(max(x, 0) / ref, 1)."""
    return np.minimum(np.maximum(x, 0.0) / reference, 1.0)


def tiers_score(x: np.ndarray, thresholds: tuple[float, ...], fractions: tuple[float, ...]) -> np.ndarray:
    """f_j for the largest j with x >= t_j, 0 below t_1: searchsorted(side='right') counts the thresholds <= x."""
    j = np.searchsorted(np.asarray(thresholds, dtype=np.float64), x, side="right")
    return np.concatenate(([0.0], np.asarray(fractions, dtype=np.float64)))[j]


def flag_score(x: np.ndarray) -> np.ndarray:
    """1 when x >= 1 (a set flag or a count of at least one), else 0."""
    return (x >= 1.0).astype(np.float64)


def direct_score(indicator: IndicatorDef, x: np.ndarray) -> np.ndarray:
    """s for the methods that need no peers (reference, tiers, flag)."""
    if indicator.method == "reference":
        assert indicator.reference is not None
        return reference_score(x, indicator.reference)
    if indicator.method == "tiers":
        return tiers_score(x, indicator.thresholds, indicator.fractions)
    if indicator.method == "flag":
        return flag_score(x)
    raise ValueError(f"{indicator.code}: method {indicator.method!r} is not a direct method")
