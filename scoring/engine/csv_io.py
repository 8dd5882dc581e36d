"""The offline-scoring CSV format (methodology §1, §12): read a population, write results and re-export inputs.

Input columns: ``enterprise_id, industry_code, region_code, established, approved, consent`` and every raw field of
§1 by name (``RAW_FIELDS``); other columns are ignored, unless the caller names them as extra fields (a local
system's batch-level fields: ``extra_fields``), which are then required and read as numbers (any sign). Blank or
missing numeric cells are 0, blank flags False.
Booleans are true/false/1/0 in any letter case. ``enterprise_id``, ``industry_code``, ``region_code`` and
``established`` are required in every row.

Row numbers in errors count like a spreadsheet: the header is row 1, the first data row is row 2. Every problem is
collected before raising, so a filer fixes the whole file in one pass.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterable
from typing import IO, Any

import numpy as np
import pandas as pd

from .population import SECTIONS, Population, as_reference_date
from .result import ScoreResult, reason_table
from .rounding import total_cents
from .system import BOOL_FIELDS, NUMERIC_FIELDS, RAW_FIELDS, SIGNED_FIELDS

ID_COLUMNS = ("enterprise_id", "industry_code", "region_code", "established", "approved", "consent")
REQUIRED_COLUMNS = ID_COLUMNS + RAW_FIELDS
TRUE_WORDS = ("true", "1")
FALSE_WORDS = ("false", "0", "")
REQUIRED_SET = frozenset(REQUIRED_COLUMNS)
MAX_LISTED_ERRORS = 20
MAX_ERRORS_PER_CHECK = 1000
"""A broken column of a million rows should not build a million messages: each check keeps its first 1000."""
FIRST_DATA_ROW = 2
WRITE_BLOCK_ROWS = 50_000
"""Rows converted to text at a time when writing: ~100 MB of Python strings for a 33-column block. Measured with
write_population_csv on 520,000 firms (busy 2-core box): 20,000 rows 13.0 s, 50,000 11.2 s, 200,000 16.3 s."""
_BOOLEAN_TEXTS = np.array(["False", "True"], dtype=object)


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

    def __init__(self, column_order: dict[str, int]) -> None:
        self.column_order = column_order
        self.found: list[tuple[int, int, CsvInputError]] = []

    def add(self, column: str, failing: np.ndarray, describe: Callable[[int], str]) -> None:
        """Record the failing rows (a boolean mask over data rows); ``describe`` words one problem."""
        for position in np.flatnonzero(failing)[:MAX_ERRORS_PER_CHECK].tolist():
            row = position + FIRST_DATA_ROW
            self.found.append((row, self.column_order[column], _cell_error(row, column, describe(position))))

    def raise_if_any(self) -> None:
        if not self.found:
            return
        errors = [e for _, _, e in sorted(self.found, key=lambda item: item[:2])]
        listed = "; ".join(e.message for e in errors[:MAX_LISTED_ERRORS])
        more = f" (and {len(errors) - MAX_LISTED_ERRORS} more)" if len(errors) > MAX_LISTED_ERRORS else ""
        summary = f"{len(errors)} problem(s) in the CSV: {listed}{more}"
        raise CsvInputError(summary, errors[0].row, errors[0].column, errors)


def read_population_csv(
    path_or_file: str | os.PathLike[str] | IO[Any], reference_date: Any, *, extra_fields: Iterable[str] = ()
) -> Population:
    """Parse and validate an offline-scoring CSV into a Population; raises CsvInputError listing every problem.

    Why two passes at most: the first lets pandas' C parser type the numeric columns directly (fast, and exports
    re-read bit for bit — a test checks it). Only when a numeric cell is not a number at all does that parse fail;
    the file is then re-read as text, purely to locate every bad cell. Text columns (codes, dates, flags) take few
    distinct values, so they are factorised and each distinct value is checked once, not each row.
    """
    source = _rewindable(path_or_file)
    extra = tuple(dict.fromkeys(extra_fields))
    try:
        frame, numbers_parsed = _read(source, typed=True, extra=extra), True
    except (ValueError, OverflowError) as exc:
        if isinstance(exc, pd.errors.ParserError):
            raise _unreadable(exc) from exc
        _rewind(source)
        frame, numbers_parsed = _read(source, typed=False, extra=extra), False
    missing = [c for c in (*REQUIRED_COLUMNS, *extra) if c not in frame.columns]
    if missing:
        errors = [CsvInputError(f"row 1, column {c}: missing required column", 1, c) for c in missing]
        raise CsvInputError(f"missing required column(s): {', '.join(missing)}", 1, missing[0], errors)
    order = {name: i for i, name in enumerate(frame.columns)}
    problems = _Problems(order)

    enterprise_id = _ids(frame["enterprise_id"], numbers_parsed, problems)
    values = {name: _numbers(frame[name], name, numbers_parsed, problems) for name in NUMERIC_FIELDS}
    values |= {name: _numbers(frame[name], name, numbers_parsed, problems, signed=True) for name in extra}
    section, industry = _industry(frame["industry_code"], problems)
    province, region = _region(frame["region_code"], problems)
    established = _dates(frame["established"], problems)
    flags = {name: _booleans(frame[name], name, problems) for name in BOOL_FIELDS}
    approved = _booleans(frame["approved"], "approved", problems)
    consent = _booleans(frame["consent"], "consent", problems)
    problems.raise_if_any()
    if not numbers_parsed:  # pragma: no cover - the text pass found nothing the typed pass choked on
        raise CsvInputError("unreadable CSV: a numeric column could not be parsed")
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


def _rewindable(source: Any) -> Any:
    """Paths re-open; file objects that cannot seek are read into memory so that a second pass is possible."""
    if isinstance(source, str | os.PathLike):
        return source
    if getattr(source, "seekable", lambda: False)():
        return (source, source.tell())
    data = source.read()
    return (io.BytesIO(data) if isinstance(data, bytes) else io.StringIO(data), 0)


def _rewind(source: Any) -> None:
    if isinstance(source, tuple):
        source[0].seek(source[1])


def _read(source: Any, *, typed: bool, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    handle = source[0] if isinstance(source, tuple) else source
    text_columns = dict.fromkeys((*REQUIRED_COLUMNS, *extra), object)
    wanted = REQUIRED_SET | set(extra)
    if typed:
        numeric = (*NUMERIC_FIELDS, *extra)
        dtype = {**text_columns, "enterprise_id": np.int64, **dict.fromkeys(numeric, np.float64)}
        na_values: Any = {name: [""] for name in numeric}
    else:
        dtype, na_values = text_columns, None
    try:
        frame = pd.read_csv(
            handle,
            dtype=dtype,
            na_values=na_values,
            keep_default_na=False,
            na_filter=typed,
            skipinitialspace=True,
            encoding="utf-8-sig",
            usecols=lambda name: str(name).strip() in wanted,
        )
    except (pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise _unreadable(exc) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _unreadable(exc: Exception) -> CsvInputError:
    line = re.search(r"line (\d+)", str(exc))  # pandas counts physical lines from 1, the header included
    row = int(line.group(1)) if line else None
    where = f"row {row}: " if row else ""
    return CsvInputError(f"{where}unreadable CSV ({exc})", row, None)


def _distinct(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes per row and the distinct stripped texts they index (blank cells are '')."""
    codes, uniques = pd.factorize(column)  # NaN (cells missing from a short row) gets code -1, read as ""
    texts = [str(u).strip() for u in uniques] + [""]
    return np.where(codes < 0, len(texts) - 1, codes), texts


def _ids(column: pd.Series, parsed: bool, problems: _Problems) -> np.ndarray:
    if parsed:
        ids = column.to_numpy(dtype=np.int64)
        valid = ids > 0
        problems.add("enterprise_id", ~valid, lambda p: f"enterprise id {ids[p]} is not a positive whole number")
    else:
        text = column.fillna("").astype(str).str.strip()
        valid = text.str.fullmatch(r"[0-9]{1,18}").to_numpy(dtype=bool)
        problems.add("enterprise_id", ~valid, lambda p: f"enterprise id {text.iat[p]!r} is not a positive whole number")
        ids = np.where(valid, pd.to_numeric(text.where(valid, "0")).to_numpy(dtype=np.int64), 0)
    order = np.argsort(ids, kind="stable")
    repeated = np.zeros(ids.shape[0], dtype=bool)
    repeated[order[1:]] = (ids[order[1:]] == ids[order[:-1]]) & valid[order[1:]]
    first_position = order[np.searchsorted(ids[order], ids, side="left")]  # stable: the first row with that id
    problems.add(
        "enterprise_id",
        repeated,
        lambda p: f"duplicate enterprise id {ids[p]} (first seen in row {first_position[p] + FIRST_DATA_ROW})",
    )
    return ids


def _numbers(column: pd.Series, name: str, parsed: bool, problems: _Problems, *, signed: bool = False) -> np.ndarray:
    """float64 values, blank = 0; non-numbers, non-finite values and forbidden negatives are problems."""
    if parsed:
        numbers = column.to_numpy(dtype=np.float64, copy=True)
        numbers[np.isnan(numbers)] = 0.0  # only blank cells are NaN here: a 'nan' text fails the typed parse
    else:
        text = column.fillna("").astype(str).str.strip()
        coerced = pd.to_numeric(text.where(text != "", "0"), errors="coerce")
        numbers = np.array(coerced, dtype=np.float64)
    bad = ~np.isfinite(numbers)
    problems.add(name, bad, lambda p: f"{column.iat[p]!r} is not a number")
    numbers[bad] = 0.0
    if name not in SIGNED_FIELDS and not signed:
        problems.add(
            name, numbers < 0, lambda p: f"{column.iat[p]} is negative (only net_profit and net_assets may be)"
        )
    return numbers


def _industry(column: pd.Series, problems: _Problems) -> tuple[np.ndarray, np.ndarray]:
    """uint8 section codes (A..T) and the full industry codes."""
    codes, uniques = _distinct(column)
    ok = np.array([bool(u) and "A" <= u[0] <= "T" for u in uniques], dtype=bool)
    section = np.array([ord(u[0]) - ord("A") if good else 0 for u, good in zip(uniques, ok, strict=True)], np.uint8)
    problems.add(
        "industry_code", ~ok[codes], lambda p: f"industry code {uniques[codes[p]]!r} must start with a letter A-T"
    )
    return section[codes], np.array(uniques, dtype=str)[codes]


def _region(column: pd.Series, problems: _Problems) -> tuple[np.ndarray, np.ndarray]:
    """Province (first two digits) and the full 6-digit GB/T 2260 region codes."""
    codes, uniques = _distinct(column)
    ok = np.array([len(u) == 6 and u.isascii() and u.isdigit() for u in uniques], dtype=bool)
    province = np.array([int(u[:2]) if good else 0 for u, good in zip(uniques, ok, strict=True)], np.int16)
    problems.add("region_code", ~ok[codes], lambda p: f"region code {uniques[codes[p]]!r} is not 6 digits")
    return province[codes], np.array(uniques, dtype=str)[codes]


def _dates(column: pd.Series, problems: _Problems) -> np.ndarray:
    codes, uniques = _distinct(column)
    parsed = pd.to_datetime(pd.Series(uniques, dtype=object), format="%Y-%m-%d", errors="coerce")
    ok = parsed.notna().to_numpy()
    days = parsed.to_numpy(dtype="datetime64[D]", na_value=np.datetime64("1970-01-01")).astype("datetime64[D]")
    problems.add("established", ~ok[codes], lambda p: f"date {uniques[codes[p]]!r} is not a valid YYYY-MM-DD date")
    return days[codes]


def _booleans(column: pd.Series, name: str, problems: _Problems) -> np.ndarray:
    codes, uniques = _distinct(column)
    lowered = [u.lower() for u in uniques]
    truthy = np.array([u in TRUE_WORDS for u in lowered], dtype=bool)
    ok = truthy | np.array([u in FALSE_WORDS for u in lowered], dtype=bool)
    problems.add(name, ~ok[codes], lambda p: f"{uniques[codes[p]]!r} is not a boolean (true/false/1/0)")
    return truthy[codes]


def write_population_csv(population: Population, path_or_file: str | os.PathLike[str] | IO[str]) -> None:
    """Export a population in the input format, floats in shortest round-trip form so re-reading is bit-exact.

    Without the original codes, the industry code is the section letter and the region code the province + "0000".
    """
    industry = population.industry_code
    if industry is None:
        industry = np.asarray(list(SECTIONS))[population.section]
    region = population.region_code
    if region is None:
        region = np.char.add(np.char.zfill(population.province.astype(str), 2), "0000")
    columns: dict[str, np.ndarray] = {
        "enterprise_id": population.enterprise_id,
        "industry_code": industry,
        "region_code": region,
        "established": np.datetime_as_string(population.established, unit="D"),
        "approved": population.approved,
        "consent": population.consent,
    }
    columns.update({name: population.values[name] for name in NUMERIC_FIELDS})
    columns.update({name: population.flags[name] for name in BOOL_FIELDS})
    columns.update({name: population.values[name] for name in population.extra_fields})
    _write_table(path_or_file, columns)


def write_result_csv(
    result: ScoreResult, population: Population, path_or_file: str | os.PathLike[str] | IO[str]
) -> None:
    """One row per enterprise, columns as the methodology's expected-*.csv files (§12).

    Points, base, bonus and stage percentile at full float64 precision (shortest round-trip text); the total with
    exactly 2 decimals; reasons ';'-joined, empty when eligible.
    """
    if not np.array_equal(result.enterprise_id, population.enterprise_id):
        raise ValueError("result and population do not describe the same enterprises in the same order")
    columns: dict[str, np.ndarray] = {"enterprise_id": result.enterprise_id, "stage": result.stage_labels()}
    for i, code in enumerate(result.indicator_codes):
        columns[f"pts_{code}"] = result.points[:, i]
    columns.update(
        {
            "base": result.base,
            "bonus": result.bonus,
            "total": _two_decimals(total_cents(result.total)),
            "grade": result.grade_strings(),
            "rank_national": result.rank_national,
            "rank_province": result.rank_province,
            "rank_industry": result.rank_industry,
            "stage_percentile": result.stage_percentile,
            "reasons": reason_table()[result.reasons],
            "eligible": result.eligible,
            "peer_level": result.peer_level,
        }
    )
    _write_table(path_or_file, columns)


def _two_decimals(cents: np.ndarray) -> np.ndarray:
    """'12.30' from 1230 cents: integer formatting, so the text is exactly the published 2-decimal total."""
    whole, fraction = np.divmod(cents, 100)
    return np.strings.add(np.strings.add(whole.astype(str), "."), np.strings.zfill(fraction.astype(str), 2))


def _write_table(path_or_file: str | os.PathLike[str] | IO[str], columns: dict[str, np.ndarray]) -> None:
    """CSV with a header row, written in blocks of rows so that only one block is ever held as Python strings."""
    if isinstance(path_or_file, str | os.PathLike):
        with open(path_or_file, "w", newline="", encoding="utf-8") as handle:
            _write_table(handle, columns)
        return
    writer = csv.writer(path_or_file, lineterminator="\n")
    writer.writerow(list(columns))
    n = len(next(iter(columns.values()))) if columns else 0
    for start in range(0, n, WRITE_BLOCK_ROWS):
        block = [_texts(values[start : start + WRITE_BLOCK_ROWS]) for values in columns.values()]
        writer.writerows(zip(*block, strict=True))


def _texts(values: np.ndarray) -> list[str]:
    """Cell texts: floats in shortest round-trip form (Python repr), booleans True/False, the rest via str.

    Formatting floats is the expensive part of an export, and many columns repeat few values (counts, tiers), so a
    column with many repeats formats each distinct bit pattern once (bit patterns keep -0.0 apart from 0.0)."""
    if values.dtype == np.bool_:
        return _BOOLEAN_TEXTS[values.view(np.uint8)].tolist()
    if values.dtype.kind == "f":
        bits, inverse = np.unique(values.view(np.int64), return_inverse=True)
        if bits.size * 4 <= values.size:
            return np.array(list(map(repr, bits.view(np.float64).tolist())), dtype=object)[inverse].tolist()
        return list(map(repr, values.tolist()))
    return list(map(str, values.tolist()))
