"""The offline-scoring CSV format (methodology §1, §12): read a population, write results and re-export inputs.

Input columns: ``enterprise_id, industry_code, region_code, established, approved, consent`` and every raw field of
§1 by name (``RAW_FIELDS``); extra columns are ignored. Blank or missing numeric cells are 0, blank flags False.
Booleans are true/false/1/0 in any letter case. ``enterprise_id``, ``industry_code``, ``region_code`` and
``established`` are required in every row.

Row numbers in errors count like a spreadsheet: the header is row 1, the first data row is row 2. Every problem is
collected before raising, so a filer fixes the whole file in one pass.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from typing import IO, Any

import numpy as np
import pandas as pd

from .population import Population, as_reference_date
from .result import ScoreResult
from .system import BOOL_FIELDS, NUMERIC_FIELDS, RAW_FIELDS, SIGNED_FIELDS

ID_COLUMNS = ("enterprise_id", "industry_code", "region_code", "established", "approved", "consent")
REQUIRED_COLUMNS = ID_COLUMNS + RAW_FIELDS
TRUE_WORDS = ("true", "1")
FALSE_WORDS = ("false", "0", "")
MAX_LISTED_ERRORS = 20
FIRST_DATA_ROW = 2


class CsvInputError(ValueError):
    """A problem with an input CSV, located by 1-based spreadsheet ``row`` (header = 1) and ``column`` name.

    The exception raised by ``read_population_csv`` carries every problem found in ``errors`` (each itself a
    CsvInputError); its own ``row``/``column`` are those of the first problem.
    """

    def __init__(
        self, message: str, row: int | None = None, column: str | None = None, errors: Iterable[Any] = ()
    ) -> None:
        super().__init__(message)
        self.message, self.row, self.column = message, row, column
        self.errors: list[CsvInputError] = list(errors) or [self]


def _cell_error(row: int, column: str, problem: str) -> CsvInputError:
    return CsvInputError(f"row {row}, column {column}: {problem}", row, column)


class _Problems:
    """Collects cell problems, vectorised: one call per (column, kind of problem) with the failing row positions."""

    def __init__(self) -> None:
        self.found: list[tuple[int, int, CsvInputError]] = []

    def add(self, column: str, column_order: int, positions: np.ndarray, describe: Any) -> None:
        for position in np.flatnonzero(positions)[: MAX_LISTED_ERRORS * 50].tolist():
            row = position + FIRST_DATA_ROW
            self.found.append((row, column_order, _cell_error(row, column, describe(position))))

    def raise_if_any(self) -> None:
        if not self.found:
            return
        errors = [e for _, _, e in sorted(self.found, key=lambda item: item[:2])]
        listed = "; ".join(e.message for e in errors[:MAX_LISTED_ERRORS])
        more = f" (and {len(errors) - MAX_LISTED_ERRORS} more)" if len(errors) > MAX_LISTED_ERRORS else ""
        summary = f"{len(errors)} problem(s) in the CSV: {listed}{more}"
        raise CsvInputError(summary, errors[0].row, errors[0].column, errors)


def read_population_csv(path_or_file: str | os.PathLike[str] | IO[Any], reference_date: Any) -> Population:
    """Parse and validate an offline-scoring CSV into a Population; raises CsvInputError listing every problem."""
    try:
        frame = pd.read_csv(
            path_or_file, dtype=str, keep_default_na=False, na_filter=False, skipinitialspace=True, encoding="utf-8-sig"
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CsvInputError(f"unreadable CSV: {exc}", None, None) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        errors = [CsvInputError(f"row 1, column {c}: missing required column", 1, c) for c in missing]
        raise CsvInputError(
            f"missing required column(s): {', '.join(missing)}", 1, missing[0], errors
        )
    order = {name: i for i, name in enumerate(frame.columns)}
    cells = {name: _strings(frame[name]) for name in REQUIRED_COLUMNS}
    problems = _Problems()

    enterprise_id = _parse_ids(cells["enterprise_id"], order["enterprise_id"], problems)
    industry = cells["industry_code"]
    first_letter = np.char.upper(industry.astype("U1")) if industry.size else industry
    bad_industry = ~((first_letter >= "A") & (first_letter <= "T") & (np.char.str_len(industry) > 0))
    bad_industry |= first_letter != industry.astype("U1")  # lower-case letters are not GB/T 4754 sections
    problems.add(
        "industry_code", order["industry_code"], bad_industry,
        lambda p: f"industry code {industry[p]!r} must start with a section letter A-T",
    )
    region = cells["region_code"]
    bad_region = ~(np.char.isdigit(region) & (np.char.str_len(region) == 6))
    problems.add("region_code", order["region_code"], bad_region, lambda p: f"region code {region[p]!r} is not 6 digits")
    established = _parse_dates(cells["established"], order["established"], problems)
    values = {name: _parse_number(cells[name], name, order[name], problems) for name in NUMERIC_FIELDS}
    flags = {name: _parse_bool(cells[name], name, order[name], problems) for name in BOOL_FIELDS}
    approved = _parse_bool(cells["approved"], "approved", order["approved"], problems)
    consent = _parse_bool(cells["consent"], "consent", order["consent"], problems)
    problems.raise_if_any()

    section = (industry.astype("U1").view(np.uint32) - ord("A")).astype(np.uint8)
    province = (region.astype("U2").astype(np.int16)) if region.size else np.zeros(0, np.int16)
    return Population(
        enterprise_id=enterprise_id,
        section=section,
        province=province,
        established=established,
        values=values,
        flags=flags,
        approved=approved,
        consent=consent,
        reference_date=as_reference_date(reference_date),
        industry_code=industry,
        region_code=region,
    )


def _strings(column: pd.Series) -> np.ndarray:
    """The column as a fixed-width unicode array, surrounding spaces removed."""
    return np.char.strip(column.to_numpy(dtype=str))


def _parse_ids(cells: np.ndarray, column_order: int, problems: _Problems) -> np.ndarray:
    valid = np.char.isdigit(cells) & (np.char.str_len(cells) <= 18)
    problems.add(
        "enterprise_id", column_order, ~valid, lambda p: f"enterprise id {cells[p]!r} is not a positive whole number"
    )
    ids = np.zeros(cells.shape[0], dtype=np.int64)
    ids[valid] = cells[valid].astype(np.int64)
    sort = np.argsort(ids, kind="stable")
    repeated = np.zeros(cells.shape[0], dtype=bool)
    repeated[sort[1:]] = (ids[sort[1:]] == ids[sort[:-1]]) & valid[sort[1:]]
    first_row = {}
    if repeated.any():
        first_index = np.searchsorted(ids[sort], ids[repeated], side="left")
        first_row = dict(zip(np.flatnonzero(repeated).tolist(), sort[first_index].tolist(), strict=True))
    problems.add(
        "enterprise_id", column_order, repeated,
        lambda p: f"duplicate enterprise id {ids[p]} (first seen in row {first_row[p] + FIRST_DATA_ROW})",
    )
    return ids


def _parse_dates(cells: np.ndarray, column_order: int, problems: _Problems) -> np.ndarray:
    parsed = pd.to_datetime(pd.Series(cells, dtype=object), format="%Y-%m-%d", errors="coerce")
    bad = parsed.isna().to_numpy()
    problems.add("established", column_order, bad, lambda p: f"date {cells[p]!r} is not a valid YYYY-MM-DD date")
    out = parsed.to_numpy(dtype="datetime64[D]", na_value=np.datetime64("1970-01-01"))
    return out.astype("datetime64[D]")


def _parse_number(cells: np.ndarray, name: str, column_order: int, problems: _Problems) -> np.ndarray:
    """float64 parsed like Python's float() — correctly rounded, so an export re-reads bit for bit — but rejecting
    non-finite values and digit-group underscores, which a spreadsheet user never means."""
    filled = np.where(np.char.str_len(cells) == 0, "0", cells)
    try:
        numbers = filled.astype(np.float64)
    except ValueError:
        # Some cell is not a number: the file is rejected anyway, so only which cells fail matters from here on.
        numbers = pd.to_numeric(pd.Series(filled, dtype=object), errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(numbers) | (np.char.find(filled, "_") >= 0)
    problems.add(name, column_order, bad, lambda p: f"{cells[p]!r} is not a number")
    numbers[bad] = 0.0
    if name not in SIGNED_FIELDS:
        problems.add(
            name, column_order, numbers < 0, lambda p: f"{cells[p]} is negative (only net_profit and net_assets may be)"
        )
    return numbers


def _parse_bool(cells: np.ndarray, name: str, column_order: int, problems: _Problems) -> np.ndarray:
    lowered = np.char.lower(cells)
    truthy = np.isin(lowered, TRUE_WORDS)
    bad = ~(truthy | np.isin(lowered, FALSE_WORDS))
    problems.add(name, column_order, bad, lambda p: f"{cells[p]!r} is not a boolean (true/false/1/0)")
    return truthy


def write_population_csv(population: Population, path_or_file: str | os.PathLike[str] | IO[str]) -> None:
    """Export a population in the input format, floats in shortest round-trip form so re-reading is bit-exact.

    Without the original codes, the industry code is the section letter and the region code the province + "0000".
    """
    from .population import SECTIONS

    industry = population.industry_code
    if industry is None:
        industry = np.asarray(list(SECTIONS))[population.section]
    region = population.region_code
    if region is None:
        region = np.char.add(np.char.zfill(population.province.astype(str), 2), "0000")
    columns: dict[str, Any] = {
        "enterprise_id": population.enterprise_id,
        "industry_code": industry,
        "region_code": region,
        "established": np.datetime_as_string(population.established, unit="D"),
        "approved": population.approved,
        "consent": population.consent,
    }
    # pandas writes float64 in shortest round-trip form (repr), which read_population_csv parses back exactly.
    columns.update({name: population.values[name] for name in NUMERIC_FIELDS})
    columns.update({name: population.flags[name] for name in BOOL_FIELDS})
    pd.DataFrame(columns).to_csv(path_or_file, index=False, lineterminator="\n")


def write_result_csv(result: ScoreResult, population: Population, path_or_file: str | os.PathLike[str] | IO[str]) -> None:
    """One row per enterprise, columns as the methodology's expected-*.csv files (§12).

    Points, base, bonus and stage percentile at full float64 precision; total with 2 decimals.
    """
    if not np.array_equal(result.enterprise_id, population.enterprise_id):
        raise ValueError("result and population do not describe the same enterprises in the same order")
    columns: dict[str, Any] = {"enterprise_id": result.enterprise_id, "stage": result.stage_labels()}
    for i, code in enumerate(result.indicator_codes):
        columns[f"pts_{code}"] = result.points[:, i]
    columns.update(
        {
            "base": result.base,
            "bonus": result.bonus,
            "total": np.char.mod("%.2f", result.total_rounded),
            "grade": result.grade_strings(),
            "rank_national": result.rank_national,
            "rank_province": result.rank_province,
            "rank_industry": result.rank_industry,
            "stage_percentile": result.stage_percentile,
            "reasons": result.reason_strings(),
            "eligible": result.eligible,
            "peer_level": result.peer_level,
        }
    )
    pd.DataFrame(columns).to_csv(path_or_file, index=False, lineterminator="\n")


def population_csv_text(population: Population) -> str:
    """The export as a string (handy for downloads and tests)."""
    buffer = io.StringIO()
    write_population_csv(population, buffer)
    return buffer.getvalue()
