"""Indicator systems as plain data (methodology §1–§9).

A system says which field every indicator reads (§1 raw or §2 derived), how it is normalised (§5), its weight per
stage (§6), and the run-wide parameters: stage thresholds (§3), minimum peer-group size (§4), bonus cap (§6), grade
bands (§6) and the recommendation threshold (§7). Systems are versioned data, so they serialise to canonical JSON and
carry a content hash that a published run records: the hash proves which definition produced the numbers.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

STAGES: tuple[str, ...] = ("startup", "growth", "stable")
"""Stage codes of §3, in the order of the integer stage codes (0, 1, 2) used by the engine."""

NUMERIC_FIELDS: tuple[str, ...] = (
    "revenue",
    "revenue_prev",
    "rd_expense",
    "rd_expense_prev",
    "employees",
    "rd_staff",
    "invention_patents",
    "other_ip",
    "standards",
    "tech_contract_turnover",
    "high_tech_revenue",
    "net_profit",
    "net_assets",
    "taxes_paid",
    "graduates_hired",
    "vc_investment",
    "rd_platform_level",
    "sci_awards",
    "sci_projects",
)
"""Numeric raw fields of §1 (float64 in a Population), methodology order."""

BOOL_FIELDS: tuple[str, ...] = (
    "is_high_tech_enterprise",
    "is_tech_sme",
    "is_specialised_sme",
    "is_little_giant",
    "dishonest_debtor",
    "tax_credit_d",
    "major_violation",
)
"""Qualification and veto flags of §1 (bool in a Population), methodology order."""

RAW_FIELDS: tuple[str, ...] = NUMERIC_FIELDS + BOOL_FIELDS
"""Every raw field an enterprise files (§1), methodology order; ``established`` is carried separately as a date."""

SIGNED_FIELDS: frozenset[str] = frozenset({"net_profit", "net_assets"})
"""The only raw fields allowed to be negative (§1)."""

DERIVED_FIELDS: tuple[str, ...] = (
    "rd_expense_growth",
    "revenue_growth",
    "rd_intensity",
    "rd_staff_ratio",
    "roe",
    "high_tech_share",
    "qualification",
)
"""Fields the engine derives (§2); an indicator may read these like raw fields."""

SOURCE_FIELDS: frozenset[str] = frozenset(RAW_FIELDS + DERIVED_FIELDS)

RESERVED_NAMES: frozenset[str] = SOURCE_FIELDS | frozenset(
    ("enterprise_id", "industry_code", "region_code", "region", "section", "province", "established", "approved",
     "consent", "stage", "total")
)  # fmt: skip
"""Names an extra (batch-level, locally filed) field may not take: every field of §1–§2 and every column the
engine, the offline CSV or a result already names."""

EXTRA_FIELD_PATTERN = r"^[a-z][a-z0-9_]{1,39}$"
"""An extra field's code: lower-case ASCII, digits and underscores, 2–40 characters, starting with a letter."""

METHODS: tuple[str, ...] = ("percentile", "reference", "tiers", "flag")
"""Normalisation methods of §5."""

REASON_CODES: tuple[str, ...] = (
    "not_approved",
    "veto_dishonest",
    "veto_tax_d",
    "veto_violation",
    "not_tech_firm",
    "no_consent",
    "below_threshold",
)
"""Ineligibility reasons of §7; bit ``i`` of a result's ``reasons`` mask means ``REASON_CODES[i]``."""

DEFAULT_GRADE_BANDS: tuple[tuple[str, float], ...] = (("A", 85.0), ("B", 80.0), ("C", 70.0), ("D", 60.0))


def _floats(values: Any) -> tuple[float, ...]:
    return tuple(float(v) for v in values)


@dataclass(frozen=True)
class IndicatorDef:
    """One indicator: the field it reads, how it is normalised to s in [0, 1], and its weight for each stage.

    Values are normalised on construction (weights and tiers become floats, tuples stay tuples), so that a system
    built from ints and one built from floats compare equal and hash identically.
    """

    code: str
    category: str
    source: str
    method: str
    weights: dict[str, float]
    reference: float | None = None
    thresholds: tuple[float, ...] = ()
    fractions: tuple[float, ...] = ()
    bonus: bool = False
    name: str = ""

    def __post_init__(self) -> None:
        # Keep unknown stage keys (validate() reports them) but order the known ones canonically.
        weights = {stage: float(self.weights[stage]) for stage in STAGES if stage in self.weights}
        weights.update({str(k): float(v) for k, v in self.weights.items() if k not in STAGES})
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "reference", None if self.reference is None else float(self.reference))
        object.__setattr__(self, "thresholds", _floats(self.thresholds))
        object.__setattr__(self, "fractions", _floats(self.fractions))
        object.__setattr__(self, "bonus", bool(self.bonus))

    def weight(self, stage: str) -> float:
        return self.weights.get(stage, 0.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "category": self.category,
            "source": self.source,
            "method": self.method,
            "weights": dict(self.weights),
            "reference": self.reference,
            "thresholds": list(self.thresholds),
            "fractions": list(self.fractions),
            "bonus": self.bonus,
            "name": self.name,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IndicatorDef:
        return cls(
            code=data["code"],
            category=data["category"],
            source=data["source"],
            method=data["method"],
            weights=dict(data["weights"]),
            reference=data.get("reference"),
            thresholds=tuple(data.get("thresholds", ())),
            fractions=tuple(data.get("fractions", ())),
            bonus=data.get("bonus", False),
            name=data.get("name", ""),
        )

    def validate(self, extra_fields: Iterable[str] = ()) -> list[str]:
        """Problems with this indicator alone, as short English sentences prefixed by its code. ``extra_fields``
        are the extra (locally filed) fields the caller knows of, besides §1 and §2: a batch's, for a run."""
        errors: list[str] = []
        prefix = f"{self.code}:"
        if self.source not in SOURCE_FIELDS and self.source not in set(extra_fields):
            errors.append(f"{prefix} unknown source field '{self.source}'")
        if self.method not in METHODS:
            errors.append(f"{prefix} unknown method '{self.method}'")
        unknown_stages = sorted(set(self.weights) - set(STAGES))
        if unknown_stages:
            errors.append(f"{prefix} unknown stage(s) in weights: {', '.join(unknown_stages)}")
        missing_stages = [stage for stage in STAGES if stage not in self.weights]
        if missing_stages:
            errors.append(f"{prefix} missing weight for stage(s): {', '.join(missing_stages)}")
        for stage, weight in self.weights.items():
            if not math.isfinite(weight) or weight < 0:
                errors.append(f"{prefix} weight for {stage} must be a number >= 0")
        if self.method == "reference" and not (
            self.reference is not None and math.isfinite(self.reference) and self.reference > 0
        ):
            errors.append(f"{prefix} reference value must be > 0")
        if self.method == "tiers":
            errors.extend(self._validate_tiers(prefix))
        return errors

    def _validate_tiers(self, prefix: str) -> list[str]:
        errors: list[str] = []
        if not self.thresholds:
            errors.append(f"{prefix} tiers need at least one threshold")
        if len(self.thresholds) != len(self.fractions):
            errors.append(f"{prefix} tiers need as many fractions as thresholds")
        if not all(math.isfinite(t) for t in self.thresholds):
            errors.append(f"{prefix} tier thresholds must be finite numbers")
        elif any(b <= a for a, b in zip(self.thresholds, self.thresholds[1:], strict=False)):
            errors.append(f"{prefix} tier thresholds must be strictly ascending")
        if any(not (0.0 <= f <= 1.0) for f in self.fractions):
            errors.append(f"{prefix} tier fractions must be between 0 and 1")
        elif any(b < a for a, b in zip(self.fractions, self.fractions[1:], strict=False)):
            errors.append(f"{prefix} tier fractions must not decrease")
        return errors


@dataclass(frozen=True)
class SystemDef:
    """A complete, versioned indicator system: indicators plus the run-wide parameters of §3, §4, §6 and §7."""

    code: str
    version: int
    name: str
    indicators: tuple[IndicatorDef, ...]
    bonus_cap: float
    min_group_size: int = 30
    threshold: float = 70.0
    grade_bands: tuple[tuple[str, float], ...] = field(default=DEFAULT_GRADE_BANDS)
    fallback_grade: str = "E"
    startup_age: int = 3
    startup_revenue: float = 500.0
    stable_age: int = 10
    stable_revenue: float = 20000.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "version", int(self.version))
        object.__setattr__(self, "indicators", tuple(self.indicators))
        object.__setattr__(self, "bonus_cap", float(self.bonus_cap))
        object.__setattr__(self, "min_group_size", int(self.min_group_size))
        object.__setattr__(self, "threshold", float(self.threshold))
        object.__setattr__(self, "grade_bands", tuple((str(g), float(t)) for g, t in self.grade_bands))
        object.__setattr__(self, "startup_age", int(self.startup_age))
        object.__setattr__(self, "startup_revenue", float(self.startup_revenue))
        object.__setattr__(self, "stable_age", int(self.stable_age))
        object.__setattr__(self, "stable_revenue", float(self.stable_revenue))

    @property
    def indicator_codes(self) -> tuple[str, ...]:
        return tuple(ind.code for ind in self.indicators)

    @property
    def categories(self) -> tuple[str, ...]:
        """Category names in order of first appearance among the indicators."""
        return tuple(dict.fromkeys(ind.category for ind in self.indicators))

    @property
    def grade_labels(self) -> tuple[str, ...]:
        """Grade labels best first, the fallback last; a result's grade code indexes this tuple."""
        return tuple(g for g, _ in self.grade_bands) + (self.fallback_grade,)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict; ``SystemDef.from_dict(s.to_dict()) == s`` for every system."""
        return {
            "code": self.code,
            "version": self.version,
            "name": self.name,
            "indicators": [ind.to_dict() for ind in self.indicators],
            "bonus_cap": self.bonus_cap,
            "min_group_size": self.min_group_size,
            "threshold": self.threshold,
            "grade_bands": [[g, t] for g, t in self.grade_bands],
            "fallback_grade": self.fallback_grade,
            "startup_age": self.startup_age,
            "startup_revenue": self.startup_revenue,
            "stable_age": self.stable_age,
            "stable_revenue": self.stable_revenue,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SystemDef:
        defaults = cls.__dataclass_fields__
        return cls(
            code=data["code"],
            version=data["version"],
            name=data["name"],
            indicators=tuple(IndicatorDef.from_dict(d) for d in data["indicators"]),
            bonus_cap=data["bonus_cap"],
            grade_bands=tuple((g, t) for g, t in data.get("grade_bands", DEFAULT_GRADE_BANDS)),
            **{
                key: data.get(key, defaults[key].default)
                for key in (
                    "min_group_size",
                    "threshold",
                    "fallback_grade",
                    "startup_age",
                    "startup_revenue",
                    "stable_age",
                    "stable_revenue",
                )
            },
        )

    def canonical_json(self) -> str:
        """Sorted keys, no whitespace, UTF-8 names kept as is: the exact text that ``content_hash`` digests."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)

    def content_hash(self) -> str:
        """sha256 hex digest of the canonical JSON: changes with any weight, threshold, name or parameter."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    @property
    def extra_sources(self) -> tuple[str, ...]:
        """Source fields outside §1–§2, in order of first use: extra fields a batch must file for this system."""
        return tuple(dict.fromkeys(ind.source for ind in self.indicators if ind.source not in SOURCE_FIELDS))

    def validate(self, extra_fields: Iterable[str] = ()) -> list[str]:
        """Every rule the system breaks, as short English sentences; an empty list means the engine can run it.
        ``extra_fields``: the extra fields an indicator may read besides §1–§2 (``IndicatorDef.validate``)."""
        extra_fields = frozenset(extra_fields)
        errors: list[str] = []
        if not self.indicators:
            errors.append("the system has no indicators")
        codes = [ind.code for ind in self.indicators]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            errors.append(f"duplicate indicator code(s): {', '.join(duplicates)}")
        for ind in self.indicators:
            errors.extend(ind.validate(extra_fields))
        base = [ind for ind in self.indicators if not ind.bonus]
        for stage in STAGES:
            total = math.fsum(ind.weight(stage) for ind in base)
            if abs(total - 100.0) > 1e-9:
                errors.append(f"base weights for {stage} sum to {total:g}, not 100")
        if not (math.isfinite(self.bonus_cap) and self.bonus_cap >= 0):
            errors.append("bonus cap must be >= 0")
        if self.min_group_size < 1:
            errors.append("minimum peer-group size must be at least 1")
        errors.extend(self._validate_bands())
        if self.startup_age > self.stable_age:
            errors.append("start-up age limit must not exceed the stable age limit")
        return errors

    def _validate_bands(self) -> list[str]:
        errors: list[str] = []
        limits = [t for _, t in self.grade_bands]
        if any(b >= a for a, b in zip(limits, limits[1:], strict=False)):
            errors.append("grade bands must be listed best first with strictly decreasing limits")
        labels = list(self.grade_labels)
        if len(set(labels)) != len(labels):
            errors.append("grade labels must be unique")
        return errors
