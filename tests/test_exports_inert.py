"""Exports are inert (core.exports): a firm named like a formula never becomes one in a bank's list (CSV, Excel), the
scores CSV, the filings export or the funnel workbook; numbers stay numbers."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from banks.models import Recommendation
from core.exports import csv_lines, inert, xlsx_row
from enterprises.models import Enterprise
from tests.api_support import token_client

pytestmark = pytest.mark.django_db
EVIL = '=HYPERLINK("http://evil.example/","点我")'


def test_inert_quotes_formula_text_only():
    assert [inert(v) for v in ("=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "正常", -30, 1.5, None)] == [
        "'=1+1", "'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "正常", -30, 1.5, None]  # fmt: skip
    assert "".join(csv_lines(["a", "b"], [["=x", -3]], bom=False)) == "a,b\r\n'=x,-3\r\n"


def test_excel_text_cells_are_strings_never_formulas():
    from openpyxl import Workbook

    sheet = Workbook(write_only=True).create_sheet()
    text, number = xlsx_row(sheet, ["=1+1", -30])
    assert (text.value, text.data_type) == ("'=1+1", "s") and (number.value, number.data_type) == (-30, "n")


def _listed_firm_named_evil(pushed, icbc):
    rec = Recommendation.objects.filter(run=pushed, bank=icbc).order_by("list_rank").first()
    Enterprise.objects.filter(pk=rec.enterprise_id).update(name=EVIL)
    return rec


def test_the_bank_list_exports_neutralise_a_formula_name(client, pushed, icbc, icbc_officer):
    _listed_firm_named_evil(pushed, icbc)
    client.force_login(icbc_officer)
    body = b"".join(client.get(reverse("banks:export")).streaming_content).decode("utf-8-sig")
    assert "'" + EVIL.replace('"', '""') in body and "\n=HYPERLINK" not in body and ",=HYPERLINK" not in body

    book = load_workbook(io.BytesIO(client.get(reverse("banks:export"), {"format": "xlsx"}).content))
    cells = [cell for row in book.active.iter_rows() for cell in row if "HYPERLINK" in str(cell.value)]
    assert cells and all(c.value == "'" + EVIL and c.data_type == "s" for c in cells)


def test_the_scores_csv_neutralises_a_formula_name(pushed, icbc):
    rec = _listed_firm_named_evil(pushed, icbc)
    body = b"".join(token_client().get(f"/api/v1/batches/{pushed.batch_id}/scores.csv").streaming_content).decode()
    line = next(line for line in body.splitlines() if "HYPERLINK" in line)
    assert line.split(",")[1].startswith("\"'=HYPERLINK"), line
    assert rec.enterprise.credit_code in line
