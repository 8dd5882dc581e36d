"""Pure numpy scoring core (docs: /work/shared/methodology.md, docs/methodology-notes.md). No Django here."""

from .core import score
from .population import SECTIONS, Population
from .result import ScoreResult
from .system import (
    BOOL_FIELDS,
    DERIVED_FIELDS,
    METHODS,
    NUMERIC_FIELDS,
    RAW_FIELDS,
    REASON_CODES,
    STAGES,
    IndicatorDef,
    SystemDef,
)

__all__ = [
    "BOOL_FIELDS",
    "DERIVED_FIELDS",
    "METHODS",
    "NUMERIC_FIELDS",
    "RAW_FIELDS",
    "REASON_CODES",
    "SECTIONS",
    "STAGES",
    "IndicatorDef",
    "Population",
    "ScoreResult",
    "SystemDef",
    "score",
]
