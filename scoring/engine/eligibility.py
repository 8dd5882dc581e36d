"""Eligibility for recommendation (methodology §7): every failing condition sets one bit of a reason mask."""

from __future__ import annotations

import numpy as np

from .population import Population
from .system import REASON_CODES


def reason_mask(population: Population, total_rounded: np.ndarray, threshold: float) -> np.ndarray:
    """uint8 bitmask per firm; bit i set means ``REASON_CODES[i]`` applies; 0 means eligible."""
    flags = population.flags
    failing = {
        "not_approved": ~population.approved,
        "veto_dishonest": flags["dishonest_debtor"],
        "veto_tax_d": flags["tax_credit_d"],
        "veto_violation": flags["major_violation"],
        "not_tech_firm": ~(flags["is_tech_sme"] | flags["is_high_tech_enterprise"]),
        "no_consent": ~population.consent,
        "below_threshold": ~(total_rounded >= threshold),
    }
    mask = np.zeros(population.n, dtype=np.uint8)
    for bit, code in enumerate(REASON_CODES):
        mask |= failing[code].astype(np.uint8) << np.uint8(bit)
    return mask
