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

from enterprises.imports import xlsx
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


def _with_sheet(sheet: bytes) -> bytes:
    """An openpyxl workbook whose first sheet is replaced by ``sheet``."""
    book = openpyxl.Workbook()
    book.active.append(["credit_code"])
    source = zipfile.ZipFile(io.BytesIO(_save(book)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, sheet if info.filename == "xl/worksheets/sheet1.xml" else source.read(info))
    return buffer.getvalue()


def _by_expat(data: bytes, monkeypatch) -> list[list]:
    with monkeypatch.context() as patch:
        patch.setattr(xlsx, "PLAIN_SHEET_MAX_BYTES", -1)  # every sheet to expat
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return list(first_sheet_rows(archive, shared_strings_part=_shared_strings_part(archive),
                                         max_columns=200, max_rows=200_000))  # fmt: skip


def _values(data: bytes) -> list[list]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return list(first_sheet_rows(archive, shared_strings_part=_shared_strings_part(archive), max_columns=200,
                                     max_rows=200_000))  # fmt: skip


def _plain(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return xlsx.plain_sheet_data(archive.read("xl/worksheets/sheet1.xml")) is not None


def test_random_workbooks_read_by_the_plain_reader_give_expat_s_values(monkeypatch):
    """openpyxl writes the plain shape: the regular-expression reader reads it, value for value as expat does."""
    rng = random.Random(11)
    texts = ["是", "否", "R&D <研发>", "'quoted' \"double\"", "1,000", "  ", "é", "-0", "007", "1e3"]
    for write_only in (False, True):
        for _ in range(10):
            book = openpyxl.Workbook(write_only=write_only)
            sheet = book.create_sheet() if write_only else book.active
            for _row in range(rng.randint(1, 40)):
                number = round(rng.uniform(-1e6, 1e6), rng.randint(0, 4))
                kinds = [None, rng.randint(-(10**16), 10**16), number, rng.choice(texts), rng.random() < 0.5, 2.5e20]
                sheet.append([rng.choice(kinds) for _col in range(rng.randint(1, 12))])
            data = _save(book)
            assert _plain(data)
            assert _values(data) == _by_expat(data, monkeypatch)


@pytest.mark.parametrize(
    "cells",
    [
        b'<c r="A2"><f>1+1</f><v>2</v></c>',  # a formula
        b'<c r="A2" t="inlineStr"><is><r><t>a</t></r></is></c>',  # rich text
        b'<c r="A2">\n<v>1</v></c>',  # whitespace between elements
        b'<c r="A2" t="inlineStr"><is><t>&#65;</t></is></c>',  # a character reference
        b"<c><v>1</v></c>",  # no reference
    ],
)
def test_a_sheet_of_another_shape_is_read_by_expat(cells, monkeypatch):
    head = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    data = _with_sheet(head + b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row><row r="2">'
                       + cells + b"</row></sheetData></worksheet>")  # fmt: skip
    assert not _plain(data)
    assert _values(data) == _by_expat(data, monkeypatch)


@pytest.mark.parametrize(
    "cells",
    [
        b'<c r="A2" s="1" t="n" s="2"><v>1</v></c>',  # an attribute twice
        b'<c r="A2"><v>1</t></is></c>',  # mismatched end tags
        b'<c r="A2" t="inlineStr"><is><t>\x01</t></is></c>',  # a character XML forbids
        b'<c r="A2" t="inlineStr"><is><t>&bogus;</t></is></c>',  # an undefined entity
    ],
)
def test_what_expat_refuses_the_plain_reader_does_not_accept(cells):
    head = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    data = _with_sheet(head + b'<row r="1">' + cells + b"</row></sheetData></worksheet>")
    from enterprises.imports.reader import ImportFileError

    with pytest.raises(ImportFileError, match="无法读取"):
        read_table(data, "bad.xlsx")


def test_a_row_outside_the_sheet_data_sends_the_sheet_to_expat(monkeypatch):
    sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             b'<row r="1"><c r="A1"><v>1</v></c></row></sheetData><extLst><row r="2"><c r="A2"><v>2</v></c></row>'
             b"</extLst></worksheet>")  # fmt: skip
    data = _with_sheet(sheet)
    assert not _plain(data)
    assert _values(data) == _by_expat(data, monkeypatch) == [[1], [2]]
