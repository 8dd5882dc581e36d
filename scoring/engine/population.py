"""The engine's input: one batch's enterprises as column arrays (methodology §1, §3, §4, §7, §8).

Encodings chosen here (see docs/methodology-notes.md):

- ``section`` is ``uint8`` 0..19 for the GB/T 4754 letters A..T (``SECTIONS[code]`` decodes); small integer codes make
  peer-group keys cheap to build and to radix-sort.
- ``province`` is an integer array holding the first two digits of the GB/T 2260 region code (11 for Beijing).
- ``reference_date`` is a ``numpy.datetime64[D]`` scalar (Dec 31 of the filing year, §3).
- numeric raw fields are ``float64`` (missing = 0), flags are ``bool`` (missing = False).
- ``values`` may hold *extra* fields besides §1's (a batch's locally filed fields, by their codes; float64, missing
  = 0, a yes/no field 0/1): ``extra_fields`` names them, and an indicator of a local system reads them like raw
  fields. Which extras exist is the caller's data, never the engine's: nothing here knows a local field by name.
- ``industry_code`` / ``region_code`` optionally keep the full codes so that an export reproduces its input exactly;
  the engine itself reads only ``section`` and ``province``. ``region`` (optional) is the 6-digit code as an integer,
  which a run stores with each score: loaded with the population, it costs no second read of every firm.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .system import BOOL_FIELDS, NUMERIC_FIELDS, RESERVED_NAMES

SECTIONS = "ABCDEFGHIJKLMNOPQRST"
"""GB/T 4754 industry sections; a Population's ``section`` code indexes this string."""


def as_reference_date(value: Any) -> np.datetime64:
    """A ``datetime64[D]`` scalar from a date, an ISO string or a datetime64."""
    if isinstance(value, dt.datetime):
        value = value.date()
    return np.datetime64(value, "D")


@dataclass(frozen=True, eq=False)
class Population:
    """Column arrays of one run's enterprises, all of the same length ``n``; validated on construction."""

    enterprise_id: np.ndarray
    section: np.ndarray
    province: np.ndarray
    established: np.ndarray
    values: Mapping[str, np.ndarray]
    flags: Mapping[str, np.ndarray]
    approved: np.ndarray
    consent: np.ndarray
    reference_date: np.datetime64
    industry_code: np.ndarray | None = None
    region_code: np.ndarray | None = None
    region: np.ndarray | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "reference_date", as_reference_date(self.reference_date))
        n = len(self.enterprise_id)
        problems: list[str] = []

        def check(name: str, array: Any, kind: str) -> None:
            if not isinstance(array, np.ndarray) or array.ndim != 1:
                problems.append(f"{name}: expected a 1-D numpy array")
            elif array.shape[0] != n:
                problems.append(f"{name}: length {array.shape[0]} differs from enterprise_id's {n}")
            elif kind == "datetime" and array.dtype != np.dtype("datetime64[D]"):
                problems.append(f"{name}: expected datetime64[D], got {array.dtype}")
            elif kind != "datetime" and array.dtype.kind not in kind:
                problems.append(f"{name}: unexpected dtype {array.dtype}")

        check("enterprise_id", self.enterprise_id, "i")
        check("section", self.section, "u")
        check("province", self.province, "iu")
        check("established", self.established, "datetime")
        check("approved", self.approved, "b")
        check("consent", self.consent, "b")
        for field_name in NUMERIC_FIELDS:
            if field_name not in self.values:
                problems.append(f"values: missing field {field_name}")
            else:
                check(field_name, self.values[field_name], "f")
                if self.values[field_name].dtype != np.float64:
                    problems.append(f"{field_name}: expected float64")
        for field_name in self.extra_fields:
            if field_name in RESERVED_NAMES:
                problems.append(f"values: extra field {field_name} shadows a standard field")
            else:
                check(field_name, self.values[field_name], "f")
                if self.values[field_name].dtype != np.float64:
                    problems.append(f"{field_name}: expected float64")
        for field_name in BOOL_FIELDS:
            if field_name not in self.flags:
                problems.append(f"flags: missing field {field_name}")
            else:
                check(field_name, self.flags[field_name], "b")
        for name, codes in (("industry_code", self.industry_code), ("region_code", self.region_code)):
            if codes is not None:
                check(name, codes, "UO")
        if self.region is not None:
            check("region", self.region, "iu")
        if not problems and n:
            if self.section.max() >= len(SECTIONS):
                problems.append("section: codes must be 0..19 (A..T)")
            if self.province.min() < 0 or self.province.max() > 99:
                problems.append("province: must be the two leading digits of a region code (0..99)")
            if not all(np.isfinite(self.values[f]).all() for f in (*NUMERIC_FIELDS, *self.extra_fields)):
                problems.append("values: NaN or infinite values are not allowed")
        if problems:
            raise ValueError("invalid population: " + "; ".join(problems))

    @property
    def n(self) -> int:
        return len(self.enterprise_id)

    @property
    def extra_fields(self) -> tuple[str, ...]:
        """The extra (non-§1) fields in ``values``, sorted: what a local indicator may read besides §1–§2."""
        return tuple(sorted(name for name in self.values if name not in NUMERIC_FIELDS))

    def column(self, name: str) -> np.ndarray:
        """A raw field as float64 (flags become 0.0/1.0) — what an indicator reading a raw field sees."""
        if name in self.values:
            return self.values[name]
        return self.flags[name].astype(np.float64)

    def take(self, index: np.ndarray) -> Population:
        """The sub-population at ``index`` (a slice, mask or index array), same reference date."""

        def pick(array: np.ndarray | None) -> np.ndarray | None:
            return None if array is None else np.ascontiguousarray(array[index])

        return Population(
            enterprise_id=pick(self.enterprise_id),
            section=pick(self.section),
            province=pick(self.province),
            established=pick(self.established),
            values={k: pick(v) for k, v in self.values.items()},
            flags={k: pick(v) for k, v in self.flags.items()},
            approved=pick(self.approved),
            consent=pick(self.consent),
            reference_date=self.reference_date,
            industry_code=pick(self.industry_code),
            region_code=pick(self.region_code),
            region=pick(self.region),
        )

    @classmethod
    def from_columns(
        cls,
        *,
        enterprise_id: Any,
        section: Any,
        province: Any,
        established: Any,
        reference_date: Any,
        values: Mapping[str, Any] | None = None,
        flags: Mapping[str, Any] | None = None,
        approved: Any = True,
        consent: Any = True,
        industry_code: Any = None,
        region_code: Any = None,
        extra_values: Mapping[str, Any] | None = None,
    ) -> Population:
        """Build from loose inputs: lists or arrays; section as letters or codes; missing fields become 0/False.

        ``approved``/``consent`` may be a scalar applied to every firm; ``extra_values`` are extra fields by code.
        This is the convenient door for tests and adapters; the strict dataclass constructor stays the one that
        checks what the engine will read.
        """
        ids = np.asarray(enterprise_id, dtype=np.int64)
        n = ids.shape[0]
        values = values or {}
        flags = flags or {}
        sec = np.asarray(section)
        if sec.dtype.kind in "UO":
            sec = section_codes(sec)
        return cls(
            enterprise_id=ids,
            section=sec.astype(np.uint8),
            province=np.asarray(province, dtype=np.int16),
            established=np.asarray(established, dtype="datetime64[D]"),
            values={f: _column(values.get(f, 0.0), n, np.float64) for f in NUMERIC_FIELDS}
            | {f: _column(v, n, np.float64) for f, v in (extra_values or {}).items()},
            flags={f: _column(flags.get(f, False), n, np.bool_) for f in BOOL_FIELDS},
            approved=_column(approved, n, np.bool_),
            consent=_column(consent, n, np.bool_),
            reference_date=as_reference_date(reference_date),
            industry_code=None if industry_code is None else np.asarray(industry_code, dtype=str),
            region_code=None if region_code is None else np.asarray(region_code, dtype=str),
        )


def _column(value: Any, n: int, dtype: type) -> np.ndarray:
    array = np.asarray(value, dtype=dtype)
    if array.ndim == 0:
        return np.full(n, array, dtype=dtype)
    return np.ascontiguousarray(array)


def section_codes(letters: np.ndarray) -> np.ndarray:
    """uint8 section codes from industry codes or section letters (first character, A..T); raises on others."""
    first = np.asarray(letters, dtype="U1").view(np.uint32).astype(np.int64) - ord("A")
    if first.size and (first.min() < 0 or first.max() >= len(SECTIONS)):
        raise ValueError("industry codes must start with a section letter A..T")
    return first.astype(np.uint8)
