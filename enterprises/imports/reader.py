"""Read an uploaded table into text cells, refusing what could hurt the server: oversize files, zip and XML bombs."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # an .xlsx of 100,000 filings is ~6 MB, the same CSV ~9 MB
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a zip bomb expands far beyond this before openpyxl parses a byte
MAX_ROWS = 200_000
XLSX_MAGIC = b"PK\x03\x04"


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
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise ImportFileError(_("CSV 格式错误:%(error)s") % {"error": error}) from None
    return _table(rows)


def _read_xlsx(data: bytes) -> Table:
    import openpyxl
    from openpyxl import DEFUSEDXML

    if not DEFUSEDXML:  # openpyxl parses with defusedxml only when it is installed; refuse to parse without it
        raise ImportFileError("defusedxml is required to read .xlsx files")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise ImportFileError(_("Excel 文件解压后过大,已拒绝。"))
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except ImportFileError:
        raise
    except Exception:  # a malformed archive, an XML bomb (defusedxml raises), a non-workbook zip
        raise ImportFileError(_("无法读取该 Excel 文件:文件已损坏或包含不安全的内容。")) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(["" if v is None else _cell_text(v) for v in values])
            if len(rows) > MAX_ROWS + 1:
                break
    except Exception:
        raise ImportFileError(_("无法读取该 Excel 文件:文件已损坏或包含不安全的内容。")) from None
    finally:
        workbook.close()
    return _table(rows)


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _table(rows: list[list[str]]) -> Table:
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()  # trailing empty lines
    if not rows:
        raise ImportFileError(_("文件为空。"))
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFileError(_("一次最多导入 200,000 行,请拆分后导入。"))
    header = [cell.strip() for cell in rows[0]]
    width = len(header)
    body = [(row + [""] * width)[:width] if len(row) != width else row for row in rows[1:]]
    return Table(header, body)
