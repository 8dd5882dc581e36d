"""The full GB/T 2260 list as shipped in ``core/data/regions.csv`` (source, version and licence: its README).

The data migration ``core 0007`` loads it into ``core.Region``; the demo generator reads it to give its firms real
county codes without a database. Everything else asks the database (``core.validators``, the region picker).
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

REGIONS_CSV = Path(__file__).resolve().parent / "data" / "regions.csv"


class RegionRow(NamedTuple):
    code: str
    name: str
    level: str  # core.Region.Level: province, city, county
    parent: str  # '' for a province


@lru_cache(maxsize=1)
def region_rows() -> tuple[RegionRow, ...]:
    """Every row of the file, parents before children (provinces, then cities, then counties), by code."""
    with REGIONS_CSV.open(encoding="utf-8", newline="") as f:
        rows = [RegionRow(r["code"], r["name"], r["level"], r["parent"]) for r in csv.DictReader(f)]
    depth = {"province": 0, "city": 1, "county": 2}
    return tuple(sorted(rows, key=lambda row: (depth[row.level], row.code)))


@lru_cache(maxsize=1)
def region_children() -> dict[str, tuple[str, ...]]:
    """Child codes of each code that has any ('' holds the provinces), in code order."""
    children: dict[str, list[str]] = {}
    for row in sorted(region_rows(), key=lambda row: row.code):
        children.setdefault(row.parent, []).append(row.code)
    return {code: tuple(kids) for code, kids in children.items()}
