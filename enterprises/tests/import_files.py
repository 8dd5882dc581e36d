"""Builds the folder of bad import files the import tests read (and one good file per format)."""

import io
import zipfile
from pathlib import Path

import openpyxl

BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetData><row r="1"><c r="A1" t="inlineStr">
<is><t>&lol4;</t></is></c></row></sheetData></worksheet>"""


def xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xml_bomb(rows: list[list]) -> bytes:
    """A real workbook whose first sheet is replaced by a billion-laughs document."""
    source = zipfile.ZipFile(io.BytesIO(xlsx(rows)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = BOMB.encode() if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            target.writestr(info, data)
    return buffer.getvalue()


def build(folder: Path, codes: list[str]) -> Path:
    """Write the files into ``folder``; ``codes`` are credit codes of three firms registered in the region."""
    a, b, c = codes
    other = a[:-1] + ("0" if a[-1] != "0" else "1")  # a broken check character
    files = {
        "wrong_headers.csv": f"credit_code,revenue,营收总额\n{a},100,5\n",
        "missing_key.csv": "revenue,employees\n100,5\n",
        "no_data_columns.csv": f"credit_code\n{a}\n",
        "bad_codes.csv": f"credit_code,revenue\n{other},100\n91440300MA5FXXXX00,100\n{b},100\n",
        "unknown_firm.csv": f"credit_code,revenue\n{a},100\n91110000100000000A,100\n",
        "negative_and_text.csv": f"credit_code,revenue,employees,net_profit\n{a},-5,30,-3\n{b},100,abc,1\n",
        "blanks.csv": f"credit_code,revenue,employees\n{a},,30\n,100,10\n",
        "duplicates.csv": f"credit_code,revenue\n{a},100\n{a},200\n",
        "staff_over_employees.csv": f"credit_code,employees,rd_staff\n{a},10,11\n{b},10,10\n",
        "fractions.csv": f"credit_code,employees,revenue\n{a},30.5,6000.234\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "gbk_negative.csv").write_bytes(f"统一社会信用代码,营业收入(万元),从业人员数\n{a},-1,25\n".encode("gbk"))
    (folder / "formula.xlsx").write_bytes(xlsx([["credit_code", "revenue"], [a, "=1000*2"], [b, 5]]))
    (folder / "xml_bomb.xlsx").write_bytes(xml_bomb([["credit_code", "revenue"], [a, 1]]))
    (folder / "oversize.csv").write_bytes(b"credit_code,revenue\n" + (f"{a},1\n".encode() * 1_100_000))
    (folder / "not_really.xlsx").write_bytes(b"this is not a workbook")
    # Good files: the same firms, every format.
    (folder / "good_gbk.csv").write_bytes(
        f"统一社会信用代码,营业收入(万元),从业人员数\n{a},3200.5,50\n{b},80,3\n".encode("gbk")
    )
    good = [["credit_code", "revenue", "employees", "is_tech_sme"], [a, 3200.5, 50, "是"], [c, 300, 7, "否"]]
    (folder / "good.xlsx").write_bytes(xlsx(good))
    return folder
