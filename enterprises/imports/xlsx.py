"""A streaming reader of an .xlsx workbook's first sheet: rows of cell values, as openpyxl's read-only mode gives them
with ``values_only=True`` and ``data_only=False``, at a fraction of its cost.

An import reads 100,000 filings of a dozen cells; openpyxl builds a cell object, a style look-up and a type
conversion for each of the 1.2 million, which made reading 80 % of an .xlsx import. Here the sheet's XML goes through
expat with three small handlers, straight from the zip member in 1 MB blocks, and a row is a list of plain values.

What a cell gives (the importer only needs text, numbers and formulas):
- a shared string (``t="s"``) or an inline string: its text (rich-text runs joined, phonetic runs left out);
- a number: an ``int`` when the text is integral, else a ``float``; a boolean (``t="b"``): ``True``/``False``;
- an error (``t="e"``) or a cached formula string (``t="str"``): its text;
- a formula: ``"=" + formula`` (as openpyxl with ``data_only=False``), so the validator can refuse it by name.
Styles are not read: a date-formatted cell gives its serial number (no filed value is a date).

Safety: the caller has already checked the zip directory (part sizes, compression ratios). A document type
declaration or an entity declaration in any part is refused (no workbook has one; it is how XML bombs start).
A row with a cell past ``max_columns`` is refused (its width counted, no cell of it kept), and a jump of more
than ``max_rows`` blank rows before they are produced. A declared ``<dimension>`` is ignored: rows are as wide as
their own cells, so a forged dimension costs nothing.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from posixpath import join, normpath
from xml.parsers import expat

from defusedxml.ElementTree import fromstring

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
BLOCK_BYTES = 1 << 20
_INTEGRAL = re.compile(r"-?\d{1,15}$")


class UnsafeXml(ValueError):
    """A part declares a document type or entities."""


class TooWide(ValueError):
    def __init__(self, row: int, columns: int):
        super().__init__(row, columns)
        self.row, self.columns = row, columns


class TooManyBlankRows(ValueError):
    pass


def first_sheet_rows(
    archive: zipfile.ZipFile, *, shared_strings_part: str | None, max_columns: int, max_rows: int
) -> Iterator[list]:
    """Yield the first worksheet's rows from row 1 (blank rows as ``[]``), each a list of values (``None`` for a
    cell that is missing or empty)."""
    strings = _shared_strings(archive, shared_strings_part) if shared_strings_part else []
    part = _first_sheet(archive)
    if archive.getinfo(part).file_size <= PLAIN_SHEET_MAX_BYTES:
        data = archive.read(part)
        content = plain_sheet_data(data)
        if content is not None:
            yield from _plain_rows(data, content, strings, max_columns=max_columns, max_rows=max_rows)
            return
    reader = _SheetReader(strings, max_columns=max_columns, max_rows=max_rows)
    yield from reader.rows(archive.open(part))


# --- The plain sheet: regular expressions instead of an XML parser ---------------------------------------------------
# Excel, LibreOffice and openpyxl write a sheet's cells in one fixed shape: <c r="B2" s="1" t="s"><v>3</v></c>, or
# an inline string <c r="A2" t="inlineStr"><is><t>…</t></is></c>, rows in <row r="2" …>, no whitespace between
# elements. expat calls Python five times per such cell (~3 s for 1.2 million cells, most of an import's reading);
# a sheet whose <sheetData> is made of that shape alone is read here by two regular expressions per row, in C. Any
# other shape — a formula, rich text, a phonetic run, a namespace prefix, whitespace between elements, a character
# reference, a character XML forbids — sends the whole sheet to expat, which reads everything. The parts around
# <sheetData> still go through expat (with its refusal of a DTD or entity), so the document is checked whole.

PLAIN_SHEET_MAX_BYTES = 128 * 1024 * 1024  # held in memory whole (the expat reader streams bigger sheets)
_ATTRIBUTE = rb' [A-Za-z_][-\w.:]*="[^"<&]*"'
_CELL = (
    rb'<c r="([A-Z]{1,3})[0-9]+"(?: s="[0-9]+")?(?: t="([a-zA-Z]+)")?(?: s="[0-9]+")?'
    rb'(?:/>|>(?:(?:<v>|<is><t(?: xml:space="preserve")?>)([^<]*)(?:</v>|</t></is>))?</c>)'
)
_ROW = rb"<row((?:" + _ATTRIBUTE + rb")*)(?:/>|>((?:" + _CELL + rb")*+)</row>)"
_PLAIN_CONTENT = re.compile(rb"(?:" + _ROW + rb")*+")
_ROWS = re.compile(_ROW)
_CELLS = re.compile(_CELL)
_ROW_NUMBER = re.compile(rb' r="([0-9]*)"')
_ATTRIBUTE_NAME = re.compile(rb' ([A-Za-z_][-\w.:]*)="')
# What the cell pattern lets through that is not (the same) XML: a style given twice, a value element closed as an
# inline string's or the other way round.
_NOT_XML = re.compile(rb's="[0-9]+" t="[a-zA-Z]+" s="|<v>[^<]*</t>|<is><t[^>]*>[^<]*</v>')
# What expat reads differently from the bytes: references (but the five named ones), carriage returns (end-of-line
# handling), and what it refuses: characters XML forbids, "]]>".
_FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\r]")
_NAMED_REFERENCE = re.compile(rb"&(?:amp|lt|gt|quot|apos);")
_SHEET_DATA = (b"<sheetData>", b"</sheetData>")
_PARSED_NAMES = {"row", "c", "v", "t", "f", "is", "r", "rPh"}  # the reader's elements: never outside <sheetData>
_BYTE_COLUMNS: dict[bytes, int] = {}  # b"A" → 0 …: at most 18,278 names of three letters
_NOT_CHARACTERS = (b"]]>", b"\xef\xbf\xbe", b"\xef\xbf\xbf")  # refused by expat (U+FFFE, U+FFFF)
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}


def plain_sheet_data(data: bytes) -> tuple[int, int] | None:
    """Where the ``<sheetData>`` content of the sheet ``data`` starts and ends if the plain reader can read it (see
    above), else None. Raises like the expat reader on a document type or entity declaration."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data.count(_SHEET_DATA[0]) != 1:
        return None  # UTF-16, or no (or an empty <sheetData/>, or several) sheet data
    start = data.index(_SHEET_DATA[0]) + len(_SHEET_DATA[0])
    end = data.find(_SHEET_DATA[1], start)
    if end < 0 or data.count(_SHEET_DATA[1]) != 1:
        return None
    declaration = re.match(rb'(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding=["\']([^"\']*)', data)
    if declaration and declaration.group(1).lower() not in (b"utf-8", b"utf8"):
        return None
    if _PLAIN_CONTENT.fullmatch(data, start, end) is None or _NOT_XML.search(data, start, end):
        return None
    if _FORBIDDEN.search(data, start, end) or any(data.find(x, start, end) >= 0 for x in _NOT_CHARACTERS):
        return None
    references = data.count(b"&", start, end)
    if references and references != len(_NAMED_REFERENCE.findall(data, start, end)):
        return None
    # The rest of the document, with the sheet data left out, must be well-formed and hold none of the elements the
    # reader reads (the expat reader would read a row anywhere).
    outside = {"clean": True}

    def element(name, _attrs):
        if _local(name) in _PARSED_NAMES:
            outside["clean"] = False

    parser = _parser()
    parser.StartElementHandler = element
    parser.Parse(data[:start], False)
    parser.Parse(data[end:], True)
    return (start, end) if outside["clean"] else None


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8")
    if "&" in text:
        for entity, character in _ENTITIES.items():
            text = text.replace(entity, character)
        text = text.replace("&amp;", "&")  # last: "&amp;lt;" is the text "&lt;"
    return text


def _plain_rows(data: bytes, content: tuple[int, int], strings: list[str], *, max_columns: int, max_rows: int):
    """The rows of a plain sheet, value for value what ``_SheetReader`` gives (``_value``'s rules, inlined for the
    three kinds nearly every cell is: a number, a shared string, an inline string)."""
    row = 0
    columns = _BYTE_COLUMNS
    for match in _ROWS.finditer(data, *content):
        attributes, cells = match.group(1), match.group(2)
        number = row + 1
        if attributes:
            names = _ATTRIBUTE_NAME.findall(attributes)
            if len(set(names)) != len(names):
                raise ValueError("a duplicate attribute")  # expat refuses the document
            reference = _ROW_NUMBER.search(attributes)
            if reference and reference.group(1):
                number = int(reference.group(1))
        gap = number - row - 1
        if gap > max_rows:
            raise TooManyBlankRows(number)
        yield from ([] for _ in range(max(gap, 0)))
        row = number
        values: list = []
        if not cells:
            yield values
            continue
        wide = 0
        for letters, kind, text in _CELLS.findall(cells):
            column = columns.get(letters)
            if column is None:
                column = columns[letters] = _column_index(letters.decode() + "1")
            if column >= max_columns:
                wide = max(wide, column + 1)
            if wide:
                continue
            if not kind or kind == b"n":
                if not text:
                    continue
                # _INTEGRAL's rule (-?\d{1,15}) on ASCII bytes; int() and float() read bytes as they read text
                digits = text[1:] if text[:1] == b"-" else text
                value = int(text) if len(digits) <= 15 and digits.isdigit() else float(text)
            elif kind == b"s":
                if not text:
                    continue
                index = int(text)
                value = strings[index] if 0 <= index < len(strings) else ""
            elif kind == b"inlineStr":
                value = _text(text)
                if not value:
                    continue
            else:
                value = _value(kind.decode(), _text(text), [], strings)
                if value is None:
                    continue
            if column == len(values):
                values.append(value)
            elif column > len(values):
                values.extend([None] * (column - len(values)))
                values.append(value)
            else:
                values[column] = value
        if wide:
            raise TooWide(row, wide)
        yield values


def _first_sheet(archive: zipfile.ZipFile) -> str:
    """The part of the workbook's first ``<sheet>``, through the workbook's relationships."""
    workbook = fromstring(archive.read("xl/workbook.xml"))
    sheet = workbook.find(f"{{{MAIN}}}sheets/{{{MAIN}}}sheet")
    if sheet is None:
        raise KeyError("no sheet")
    rel_id = sheet.get(f"{{{OFFICE_RELS}}}id")
    for rel in fromstring(archive.read("xl/_rels/workbook.xml.rels")).iter(f"{{{RELS}}}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target") or ""
            return target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
    raise KeyError("no relationship for the first sheet")


def _parser() -> expat.XMLParserType:
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args):
        raise UnsafeXml("a document type or entity declaration")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.buffer_text = True
    return parser


def _feed(parser: expat.XMLParserType, stream) -> None:
    with stream:
        while block := stream.read(BLOCK_BYTES):
            parser.Parse(block, False)
    parser.Parse(b"", True)


def _local(name: str) -> str:
    return name.rpartition(":")[2]  # "x:si" → "si" (no namespace processing: a prefix is all that can differ)


def _shared_strings(archive: zipfile.ZipFile, part: str) -> list[str]:
    """Each ``<si>``'s text: its ``<t>`` elements joined, except those inside a phonetic run (``<rPh>``)."""
    strings: list[str] = []
    text: list[str] = []
    state = {"in_t": False, "phonetic": 0}
    parser = _parser()

    def start(name, _attrs):
        local = _local(name)
        if local == "t":
            state["in_t"] = not state["phonetic"]
        elif local == "rPh":
            state["phonetic"] += 1
        elif local == "si":
            text.clear()

    def end(name):
        local = _local(name)
        if local == "t":
            state["in_t"] = False
        elif local == "rPh":
            state["phonetic"] -= 1
        elif local == "si":
            strings.append("".join(text))

    def chars(data):
        if state["in_t"]:
            text.append(data)

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
    _feed(parser, archive.open(part))
    return strings


_DIGITS = "0123456789"
_COLUMNS: dict[str, int] = {}  # "A" → 0 … filled on first use


def _column_index(reference: str) -> int:
    """``"AB12"`` → 27 (zero-based); -1 when the reference is not one."""
    letters = reference.rstrip(_DIGITS)
    index = _COLUMNS.get(letters)
    if index is None:
        if not (letters.isalpha() and letters.isupper() and len(letters) <= 3) or letters == reference:
            return -1
        index = 0
        for letter in letters:
            index = index * 26 + ord(letter) - 64
        index -= 1
        if index < 1024:
            _COLUMNS[letters] = index
    return index


class _SheetReader:
    def __init__(self, strings: list[str], *, max_columns: int, max_rows: int):
        self.strings, self.max_columns, self.max_rows = strings, max_columns, max_rows

    def rows(self, stream) -> Iterator[list]:  # the three handlers share the parser's state
        done: list[list] = []  # rows completed while parsing the current block
        text: list[str] = []
        formula: list[str] = []
        row = column = wide = phonetic = 0
        cells: list | None = None
        kind = "n"
        tag = None
        strings, max_columns, max_rows = self.strings, self.max_columns, self.max_rows

        def start(name, attrs):
            nonlocal row, column, wide, phonetic, cells, kind, tag
            local = name.rpartition(":")[2]
            if local == "c":
                reference = attrs.get("r")
                if reference:
                    index = _column_index(reference)
                    if index >= 0:
                        column = index
                if column >= max_columns:  # counted to the row's end (no cell kept), then refused with the width
                    wide = max(wide, column + 1)
                kind = attrs.get("t", "n")
                text.clear()
                formula.clear()
                tag = None
            elif local == "v" or local == "t":
                tag = None if phonetic else local
            elif local == "f":
                tag = "f"
                formula.append("")  # a shared formula's dependent cell has no text and is still a formula
            elif local == "row":
                reference = attrs.get("r")
                number = int(reference) if reference and reference.isdigit() else row + 1
                gap = number - row - 1
                if gap > max_rows:
                    raise TooManyBlankRows(number)
                done.extend([] for _ in range(max(gap, 0)))
                row, cells, column = number, [], 0
            elif local == "rPh":
                phonetic += 1

        def end(name):
            nonlocal column, phonetic, cells, tag
            local = name.rpartition(":")[2]
            if local == "c":
                if cells is not None and not wide:
                    value = _value(kind, "".join(text), formula, strings)
                    if value is not None:
                        if column == len(cells):
                            cells.append(value)
                        elif column > len(cells):
                            cells.extend([None] * (column - len(cells)))
                            cells.append(value)
                        else:
                            cells[column] = value
                column += 1
                tag = None
            elif local == "v" or local == "t" or local == "f":
                tag = None
            elif local == "row":
                if wide:
                    raise TooWide(row, wide)
                done.append(cells or [])
                cells = None
            elif local == "rPh":
                phonetic -= 1

        def chars(data):
            if tag == "f":
                formula.append(data)
            elif tag is not None:
                text.append(data)

        parser = _parser()
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
        with stream:
            while block := stream.read(BLOCK_BYTES):
                parser.Parse(block, False)
                yield from done
                done.clear()
        parser.Parse(b"", True)
        yield from done


def _value(kind: str, text: str, formula: list[str], strings: list[str]):
    if formula:
        return "=" + "".join(formula)
    if kind == "s":
        if not text:
            return None
        index = int(text)
        return strings[index] if 0 <= index < len(strings) else ""
    if kind == "inlineStr" or kind == "str" or kind == "e":
        return text or None
    if kind == "b":
        return text.strip() in ("1", "true")
    if not text:
        return None
    if _INTEGRAL.match(text):
        return int(text)
    return float(text)
