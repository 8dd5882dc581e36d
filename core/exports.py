"""Exports are inert: the one helper every CSV and Excel download writes its cells through.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or carriage return) as a
formula, so a firm named ``=HYPERLINK(...)`` could act on the bureau's or a bank's machine. Text cells that begin so
get a leading apostrophe (which Excel shows as plain text); numbers, dates and booleans are left as they are (a
negative profit stays a number). In Excel files every text cell is also written with the string type, never as a
formula, whatever it begins with.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

SQL_INERT = "(CASE WHEN left({0}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN '''' || {0} ELSE {0} END)"
"""``inert`` in SQL (PostgreSQL), for exports the database formats itself (``scoring.api.export``)."""


def inert(value: Any) -> Any:
    """``value`` as an export cell: text beginning like a formula gets a quote; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def inert_row(row: Iterable[Any]) -> list[Any]:
    return [inert(value) for value in row]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Iterable[Any]], *, bom: bool = True) -> Iterator[str]:
    """A CSV document line by line (for ``StreamingHttpResponse``): the header, then each row made inert. The BOM
    lets Excel open UTF-8 Chinese correctly."""
    writer = csv.writer(_Echo())
    yield ("\ufeff" if bom else "") + writer.writerow(inert_row(header))
    for row in rows:
        yield writer.writerow(inert_row(row))


def xlsx_row(sheet, row: Iterable[Any]) -> list:
    """A row for an openpyxl write-only ``sheet``: text as string cells (never formulas), numbers as numbers
    (``Decimal`` as float, which openpyxl writes), the rest as is."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in row:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=inert(value))
            cell.data_type = "s"
        else:
            cell = WriteOnlyCell(sheet, value=float(value) if hasattr(value, "as_tuple") else value)
        cells.append(cell)
    return cells
