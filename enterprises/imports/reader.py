"""Read an uploaded table into text cells, refusing what could hurt the server: oversize files, zip and XML bombs.

Every limit is checked as early as the file lets it show (the zip directory before any part is inflated, each CSV
line before it is split, each row as it is read), so a small hostile file is refused in milliseconds, not after the
parser has paid for it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # an .xlsx of 100,000 filings is ~6 MB, the same CSV ~9 MB
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a zip bomb expands far beyond this before a byte is parsed
MAX_ROWS = 200_000
MAX_COLUMNS = 200  # the template has 27 columns; a 10,000-column header is an attack, not a filing
MAX_CELLS = 6_000_000  # rows × columns read (a blank line counts one): 200,000 rows of 30 columns
MAX_CELL_CHARS = 1_000  # the longest real value is an 18-character credit code or a header label
MAX_LINE_CHARS = 200_000  # a CSV line of 200 full cells; a 20 MB single line is refused before csv splits it
# The shared strings are read whole into memory; the worksheet is streamed (and the cell caps bound it):
MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024  # every text cell of an Excel-saved file; 200,000 credit codes ~7 MB
MAX_PART_BYTES = 16 * 1024 * 1024  # styles, workbook, relationships, content types … (a few KB in a real file)
# Real parts deflate at most ~25:1 (measured on openpyxl files of 50,000 identical rows); parts of repeated bytes
# reach 1,000:1, the shape of a bomb that costs seconds to parse while fitting every size cap.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024  # small parts (a theme, a few rows) may compress oddly and cost nothing
XLSX_MAGIC = b"PK\x03\x04"
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


class ImportFileError(Exception):
    """The file as a whole cannot be read; ``message`` is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]  # every cell as text ("" for blank); row i is spreadsheet row i + 2


def read_table(data: bytes, filename: str) -> Table:
    """Parse ``data`` as .xlsx (by content, not by name) or CSV."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(_("文件超过 20 MB 上限,请拆分后导入。"))
    if not data.strip():
        raise ImportFileError(_("文件为空。"))
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data)
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise ImportFileError(_("无法读取该 Excel 文件,请另存为 .xlsx 或 CSV(UTF-8)后导入。"))
    return _read_csv(data)


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030, the superset of GBK that Excel in Chinese saves."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("无法识别文件编码,请保存为 UTF-8 或 GBK 编码的 CSV。"))


def _read_csv(data: bytes) -> Table:
    text = _decode(data)
    try:
        rows = _collect(csv.reader(_bounded_lines(text)))
    except csv.Error as error:
        raise ImportFileError(_("CSV 格式错误:%(error)s") % {"error": error}) from None
    return _table(rows)


def _bounded_lines(text: str) -> Iterator[str]:
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise ImportFileError(_("CSV 第 %(line)d 行超过 %(limit)s 个字符的上限,请检查文件格式。")
                                  % {"line": number, "limit": f"{MAX_LINE_CHARS:,}"})  # fmt: skip
        yield line


def _read_xlsx(data: bytes) -> Table:
    from .xlsx import TooManyBlankRows, TooWide, first_sheet_rows

    unreadable = _("无法读取该 Excel 文件:文件已损坏或包含不安全的内容。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_parts(archive)
            rows = _collect(first_sheet_rows(archive, shared_strings_part=_shared_strings_part(archive),
                                             max_columns=MAX_COLUMNS, max_rows=MAX_ROWS))  # fmt: skip
    except ImportFileError:
        raise
    except TooWide as wide:
        raise ImportFileError(_too_wide(wide.row, wide.columns)) from None
    except TooManyBlankRows:
        raise ImportFileError(_("一次最多导入 200,000 行,请拆分后导入。")) from None
    except Exception:  # a malformed archive or XML, a DTD or entity (an XML bomb), a non-workbook zip
        raise ImportFileError(unreadable) from None
    return _table(rows)


def _too_wide(row: int, columns: int) -> str:
    return _("一次最多导入 %(limit)d 列,第 %(row)d 行有 %(count)d 列,请删除多余的列。") % {
        "limit": MAX_COLUMNS, "row": row, "count": columns}  # fmt: skip


def _check_parts(archive: zipfile.ZipFile) -> None:
    """Refuse by the sizes the zip directory declares, before a byte is inflated (zipfile stops reading a part at its
    declared size and then fails its CRC, so a part cannot lie its way past these)."""
    parts = archive.infolist()
    if sum(info.file_size for info in parts) > MAX_UNZIPPED_BYTES:
        raise ImportFileError(_("Excel 文件解压后过大,已拒绝。"))
    shared_strings = _shared_strings_part(archive)
    for info in parts:
        if info.filename == shared_strings:
            if info.file_size > MAX_SHARED_STRINGS_BYTES:
                message = _("Excel 文件的共享字符串(sharedStrings.xml)解压后超过 %(limit)d MB 上限,已拒绝。")
                raise ImportFileError(message % {"limit": MAX_SHARED_STRINGS_BYTES // (1024 * 1024)})
        elif not info.filename.startswith("xl/worksheets/"):
            _check_part_size(info)
    for info in parts:
        if info.file_size >= RATIO_CHECKED_FROM and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise ImportFileError(_("Excel 文件中有部件的压缩比超过 %(limit)d:1,疑似压缩炸弹,已拒绝。")
                                  % {"limit": MAX_COMPRESSION_RATIO})  # fmt: skip


def _check_part_size(info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_PART_BYTES:
        raise ImportFileError(_("Excel 文件中有部件解压后超过 %(limit)d MB 上限,已拒绝。")
                              % {"limit": MAX_PART_BYTES // (1024 * 1024)})  # fmt: skip


def _shared_strings_part(archive: zipfile.ZipFile) -> str | None:
    """The part holding the shared strings: the one the content types name, whatever its file name."""
    from defusedxml.ElementTree import fromstring

    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return None  # not a workbook: reading its sheet fails
    _check_part_size(info)  # read before the loop that checks the others
    for entry in fromstring(archive.read(info)):
        if entry.get("ContentType") == SHARED_STRINGS_TYPE:
            return (entry.get("PartName") or "")[1:]
    return None


def _collect(rows: Iterable[Sequence]) -> list[list[str]]:
    """Each row as text, refusing the file at the first row past a limit. Blank rows are held back until a filled row
    follows: trailing ones (a sheet formatted far below its data) are counted against the caps, never stored."""
    table: list[list[str]] = []
    blank_run = cells = 0
    for number, values in enumerate(rows, start=1):
        if len(values) > MAX_COLUMNS:
            raise ImportFileError(_too_wide(number, len(values)))
        cells += max(len(values), 1)
        if cells > MAX_CELLS:  # a blank row counts one: a sheet of skipped rows is bounded too
            message = _("一次最多导入 %(limit)s 个单元格(行数 × 列数),请拆分后导入。")
            raise ImportFileError(message % {"limit": f"{MAX_CELLS:,}"})
        texts = ["" if v is None else _cell_text(v) for v in values]
        if max(map(len, texts), default=0) > MAX_CELL_CHARS:
            from .validation import column_letter

            column = next(i for i, text in enumerate(texts) if len(text) > MAX_CELL_CHARS)
            raise ImportFileError(_("第 %(row)d 行 %(column)s 列的内容超过 %(limit)s 个字符的上限。")
                                  % {"row": number, "column": column_letter(column),
                                     "limit": f"{MAX_CELL_CHARS:,}"})  # fmt: skip
        if not any(text.strip() for text in texts):
            blank_run += 1
            continue
        if len(table) + blank_run > MAX_ROWS:  # the header and MAX_ROWS rows at most
            raise ImportFileError(_("一次最多导入 200,000 行,请拆分后导入。"))
        table.extend([] for _ in range(blank_run))
        blank_run = 0
        table.append(texts)
    return table


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _table(rows: list[list[str]]) -> Table:
    if not rows:
        raise ImportFileError(_("文件为空。"))
    header = [cell.strip() for cell in rows[0]]
    width = len(header)
    body = [(row + [""] * width)[:width] if len(row) != width else row for row in rows[1:]]
    return Table(header, body)
