"""The streaming .xlsx reader (``enterprises.imports.xlsx``) reads what openpyxl reads: the same texts for every kind
of cell an import meets (numbers, text, Chinese, booleans, formulas, blanks, gaps, rich text, inline strings), row for
row, on workbooks written by openpyxl itself."""

import io
import random
import zipfile

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from enterprises.imports.reader import _cell_text, _shared_strings_part, read_table
from enterprises.imports.xlsx import first_sheet_rows

pytestmark = pytest.mark.django_db  # the session preloads region names from the database


def _openpyxl_texts(data: bytes) -> list[list[str]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    rows = [["" if v is None else _cell_text(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    return rows


def _ours(data: bytes) -> list[list[str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        rows = list(first_sheet_rows(archive, shared_strings_part=_shared_strings_part(archive), max_columns=200,
                                     max_rows=200_000))  # fmt: skip
    return [["" if v is None else _cell_text(v) for v in row] for row in rows]


def _trimmed(rows):
    """Rows without trailing blanks (openpyxl pads each row to the sheet's width; ours stop at the last cell)."""
    out = [list(row) for row in rows]
    for row in out:
        while row and row[-1] == "":
            row.pop()
    return out


def _save(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_every_kind_of_cell_reads_as_openpyxl_reads_it():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["credit_code", "营业收入(万元)", "employees", "is_tech_sme", "note"])
    sheet.append(["91440300MA5F000000", 1234.5, 30, True, "中文 & <符号>"])
    sheet.append(["91440300MA5F000001", 0.1, 0, False, None])
    sheet.append(["91440300MA5F000002", "=1000*2", -7, "是", " spaces "])
    sheet.append([None, None, None, None, None])
    sheet.append(["x", 1e-7, 12345678901234, 3.0, 2.5e20])
    sheet["F9"] = "far right, two rows down"
    sheet["B10"] = CellRichText([TextBlock(InlineFont(b=True), "粗"), "体"])
    data = _save(book)
    assert _trimmed(_ours(data)) == _trimmed(_openpyxl_texts(data))


def test_random_workbooks_read_alike():
    rng = random.Random(7)
    for _ in range(20):
        book = openpyxl.Workbook()
        sheet = book.active
        texts = ["是", "否", "abc", "=SUM(A1:A2)", "1,000", "  "]
        for _row in range(rng.randint(1, 40)):
            number = round(rng.uniform(-1e6, 1e6), rng.randint(0, 4))
            sheet.append([rng.choice([None, rng.randint(-10**6, 10**6), number, rng.choice(texts), rng.random() < 0.5])
                          for _col in range(rng.randint(1, 12))])  # fmt: skip
        data = _save(book)
        assert _trimmed(_ours(data)) == _trimmed(_openpyxl_texts(data))


def test_an_inline_string_and_a_prefixed_namespace_read_as_text():
    book = openpyxl.Workbook()
    book.active.append(["credit_code", "revenue"])
    data = _save(book)
    sheet = (b'<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b'<x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>credit_code</x:t></x:is></x:c>'
             b'<x:c r="B1" t="inlineStr"><x:is><x:r><x:t>reve</x:t></x:r><x:r><x:t>nue</x:t></x:r></x:is></x:c></x:row>'
             b'<x:row r="3"><x:c r="B3"><x:v>42</x:v></x:c></x:row></x:sheetData></x:worksheet>')  # fmt: skip
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, sheet if info.filename == "xl/worksheets/sheet1.xml" else source.read(info))
    table = read_table(buffer.getvalue(), "prefixed.xlsx")
    assert table.header == ["credit_code", "revenue"] and table.rows == [["", ""], ["", "42"]]


@pytest.mark.parametrize("declaration", [b'<!DOCTYPE x [<!ENTITY a "b">]>', b"<!DOCTYPE x>"])
def test_a_document_type_in_the_sheet_is_refused(declaration):
    book = openpyxl.Workbook()
    book.active.append(["credit_code", "revenue"])
    source = zipfile.ZipFile(io.BytesIO(_save(book)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, mark, rest = body.partition(b"?>")
                body = head + mark + declaration + rest if mark else declaration + body
            target.writestr(info.filename, body)
    from enterprises.imports.reader import ImportFileError

    with pytest.raises(ImportFileError, match="不安全"):
        read_table(buffer.getvalue(), "dtd.xlsx")
