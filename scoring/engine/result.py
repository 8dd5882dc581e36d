"""What one scoring run returns (methodology §10): per-enterprise arrays plus per-run identification and counts."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .system import REASON_CODES, STAGES


def reason_table(codes: tuple[str, ...] = REASON_CODES) -> np.ndarray:
    """All 2**len(codes) bitmasks rendered as ';'-joined reason strings, in REASON_CODES order."""
    masks = np.arange(1 << len(codes))
    return np.array([";".join(c for bit, c in enumerate(codes) if mask >> bit & 1) for mask in masks], dtype=object)


@dataclass(frozen=True, eq=False)
class ScoreResult:
    """Arrays of length n aligned with the scored Population; 2-D arrays are [n, k] in ``indicator_codes`` order
    (``s``, ``points``) or [n, c] in ``categories`` order (``category_points``).

    Codes: ``stage`` indexes ``STAGES``; ``grade`` indexes ``grade_labels``; bit i of ``reasons`` is
    ``REASON_CODES[i]``. ``total`` is the unrounded float64 sum; ``total_rounded`` the published 2-decimal value
    that grades, eligibility and ranks use (see ``rounding.round_total``).
    """

    system_code: str
    system_version: int
    system_hash: str
    indicator_codes: tuple[str, ...]
    categories: tuple[str, ...]
    grade_labels: tuple[str, ...]
    enterprise_id: np.ndarray
    province: np.ndarray
    stage: np.ndarray
    peer_level: np.ndarray
    s: np.ndarray
    points: np.ndarray
    category_points: np.ndarray
    base: np.ndarray
    bonus: np.ndarray
    total: np.ndarray
    total_rounded: np.ndarray
    grade: np.ndarray
    rank_national: np.ndarray
    rank_province: np.ndarray
    rank_industry: np.ndarray
    stage_percentile: np.ndarray
    eligible: np.ndarray
    reasons: np.ndarray
    timings: dict[str, float] = field(default_factory=dict)

    STAGES = STAGES
    REASON_CODES = REASON_CODES

    @property
    def n(self) -> int:
        return self.enterprise_id.shape[0]

    def stage_labels(self) -> np.ndarray:
        return np.asarray(STAGES)[self.stage]

    def grade_strings(self) -> np.ndarray:
        return np.asarray(self.grade_labels)[self.grade]

    def reason_strings(self) -> list[str]:
        """';'-joined reason codes per firm ('' when eligible), via a lookup table over the bitmask."""
        return reason_table()[self.reasons].tolist()

    def category_subtotals(self) -> dict[str, np.ndarray]:
        return {name: self.category_points[:, j] for j, name in enumerate(self.categories)}

    def points_of(self, code: str) -> np.ndarray:
        return self.points[:, self.indicator_codes.index(code)]

    def summary(self) -> dict[str, object]:
        """Per-run figures (§10): the system's identity, counts by grade, stage and province, and timings.

        JSON-able: provinces are two-digit strings, every count a plain int, every label present (zero included)."""
        by_grade = np.bincount(self.grade, minlength=len(self.grade_labels))
        by_stage = np.bincount(self.stage, minlength=len(STAGES))
        by_province = np.bincount(self.province, minlength=100)
        return {
            "system": {"code": self.system_code, "version": self.system_version, "hash": self.system_hash},
            "enterprises": self.n,
            "eligible": int(np.count_nonzero(self.eligible)),
            "by_grade": {label: int(c) for label, c in zip(self.grade_labels, by_grade, strict=True)},
            "by_stage": {label: int(c) for label, c in zip(STAGES, by_stage, strict=True)},
            "by_province": {f"{p:02d}": int(c) for p, c in enumerate(by_province.tolist()) if c},
            "timings": dict(self.timings),
        }
