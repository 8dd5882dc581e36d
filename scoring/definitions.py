"""Translation between indicator-system rows and the engine's plain ``SystemDef`` dataclass.

Functions take the model classes as arguments so that data migrations (which see historical models) and the live
services share one implementation.
"""

from typing import Any

from scoring.engine.rounding import grade_ranges
from scoring.engine.system import IndicatorDef, SystemDef

STAGE_WEIGHT_FIELDS = {"startup": "weight_startup", "growth": "weight_growth", "stable": "weight_stable"}
SYSTEM_PARAMETERS = ("bonus_cap", "min_group_size", "threshold", "startup_age", "startup_revenue", "stable_age",
                     "stable_revenue")  # fmt: skip


def stored_grade_bands(system: Any) -> tuple[tuple[str, float], ...]:
    """A stored system's grade bands as the engine applies them: (grade, lower limit), best first; the defaults of
    methodology §6 when the system sets none. The fallback grade below the last band is ``SystemDef.fallback_grade``."""
    bands = system.grade_bands or {}
    return tuple(sorted(bands.items(), key=lambda item: -item[1])) if bands else SystemDef.grade_bands


def system_grade_ranges(system: Any) -> tuple[tuple[str, float | None, float | None], ...]:
    """(grade, lowest total, total of the next better grade) for every grade of a stored system, best first
    (``engine.rounding.grade_ranges`` of ``stored_grade_bands``): what pages, filters and reports show and query."""
    return grade_ranges(stored_grade_bands(system), SystemDef.fallback_grade)


def system_to_definition(system: Any, indicators: list[Any]) -> SystemDef:
    """The engine's view of a stored system; ``indicators`` in their stored order."""
    return SystemDef(
        code=system.code,
        version=system.version,
        name=system.name,
        indicators=tuple(
            IndicatorDef(
                code=ind.code,
                name=ind.name,
                category=ind.category,
                source=ind.source_field,
                method=ind.method,
                weights={stage: getattr(ind, attr) for stage, attr in STAGE_WEIGHT_FIELDS.items()},
                reference=ind.reference,
                thresholds=tuple(ind.thresholds or ()),
                fractions=tuple(ind.fractions or ()),
                bonus=ind.is_bonus,
            )
            for ind in indicators
        ),
        grade_bands=stored_grade_bands(system),
        **{name: getattr(system, name) for name in SYSTEM_PARAMETERS},
    )


def definition_to_rows(defn: SystemDef, system_model: Any, indicator_model: Any, **extra: Any) -> Any:
    """Create (or replace the indicators of) the stored system ``(defn.code, defn.version)``; returns it."""
    system, _ = system_model.objects.update_or_create(
        code=defn.code,
        version=defn.version,
        defaults={
            "name": defn.name,
            "grade_bands": dict(defn.grade_bands),
            "content_hash": defn.content_hash(),
            **{name: getattr(defn, name) for name in SYSTEM_PARAMETERS},
            **extra,
        },
    )
    indicator_model.objects.filter(system=system).delete()
    indicator_model.objects.bulk_create(
        indicator_model(
            system=system,
            order=order,
            code=ind.code,
            name=ind.name,
            category=ind.category,
            source_field=ind.source,
            method=ind.method,
            reference=ind.reference,
            thresholds=list(ind.thresholds),
            fractions=list(ind.fractions),
            is_bonus=ind.bonus,
            **{attr: ind.weight(stage) for stage, attr in STAGE_WEIGHT_FIELDS.items()},
        )
        for order, ind in enumerate(defn.indicators, start=1)
    )
    return system
