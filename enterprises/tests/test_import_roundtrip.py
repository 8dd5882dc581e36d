"""The import round-trips: the template is filled and imported, the dry run lists each change old → new in words,
and the filings export imports back changing nothing."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from enterprises.models import Submission, SubmissionChange
from enterprises.services import submission_import
from enterprises.tests.factories import EnterpriseFactory, SubmissionFactory, valid_credit_code
from tests.factories import BureauStaffFactory

pytestmark = pytest.mark.django_db
CODES = [valid_credit_code(7101 + i) for i in range(3)]


@pytest.fixture
def officer(db):
    return BureauStaffFactory(region_scope="44").user


@pytest.fixture
def firms(batch):
    firms = [EnterpriseFactory(credit_code=code, region_code="440305", name=f"粤测{i}科技有限公司")
             for i, code in enumerate(CODES)]  # fmt: skip
    SubmissionFactory(enterprise=firms[0], batch=batch, status="approved", data_source="self_reported",
                      rd_platform_level=1, is_tech_sme=False, net_profit=Decimal("-30.50"))  # fmt: skip
    SubmissionFactory(enterprise=firms[1], batch=batch, status="submitted", data_source="verified",
                      revenue=Decimal("12345.67"), is_high_tech_enterprise=True, invention_patents=4)  # fmt: skip
    return firms


def _get(client, officer, name, **kwargs):
    client.force_login(officer)
    return client.get(reverse(name), **kwargs)


def _template(client, officer, language="zh-hans") -> openpyxl.Workbook:
    response = _get(client, officer, "review:import-template", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _bytes(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _import(officer, batch, data: bytes, name: str, *, dry_run: bool):
    return submission_import(user=officer, batch=batch, data=data, filename=name, dry_run=dry_run)


def test_the_template_names_every_column_with_its_unit_and_explains_it(client, officer):
    workbook = _template(client, officer)
    data, help_sheet = workbook.worksheets
    header = [cell.value for cell in data[1]]
    assert header[:4] == ["统一社会信用代码", "企业名称", "营业收入(万元)", "上年营业收入(万元)"]
    assert "研发平台级别" in header and "科技型中小企业" in header and "从业人员数(人)" in header
    assert data.max_row == 1  # nothing to import by mistake
    lists = {v.formula1 for v in data.data_validations.dataValidation}
    assert lists == {'"是,否"', '"无,市级,省级,国家级"'}
    explained = {row[2]: row for row in help_sheet.iter_rows(values_only=True) if row and len(row) > 2}
    for name in Submission.MONEY_FIELDS + Submission.COUNT_FIELDS + Submission.FLAG_FIELDS:
        assert name in explained, name
    assert explained["revenue"][3] == "万元" and "不能为负数" in explained["revenue"][4]
    assert "可为负数" in explained["net_profit"][4]
    assert explained["is_tech_sme"][4] == "“是”或“否”"
    assert explained["rd_platform_level"][4] == "“无”、“市级”、“省级”、“国家级”"
    assert explained["employees"][3] == "人" and explained["invention_patents"][3] == "项"


def test_the_template_is_in_english_for_an_english_officer(client, officer):
    data, help_sheet = _template(client, officer, language="en").worksheets
    header = [cell.value for cell in data[1]]
    assert header[:3] == ["Unified social credit code", "Enterprise name", "Revenue (10k CNY)"]
    assert {v.formula1 for v in data.data_validations.dataValidation} == {
        '"Yes,No"', '"No platform,Municipal,Provincial,National"'}  # fmt: skip
    assert help_sheet.title != "填写说明"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_filled_template_imports(client, officer, batch, firms, language):
    workbook = _template(client, officer, language=language)
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    row = dict.fromkeys(header, 0)
    labels = {"zh-hans": ("是", "否", "省级"), "en": ("Yes", "No", "Provincial")}[language]
    with translation.override(language):
        from enterprises.labels import field_label

        filled = {"revenue": 3200.5, "employees": 40, "rd_staff": 8, "net_profit": -12.25, "is_tech_sme": labels[0],
                  "dishonest_debtor": labels[1], "rd_platform_level": labels[2]}  # fmt: skip
        row.update({header[0]: CODES[2], header[1]: ""} | {field_label(k): v for k, v in filled.items()})
        for name in Submission.FLAG_FIELDS:
            if row[field_label(name)] == 0:
                row[field_label(name)] = labels[1]
    sheet.append([row[title] for title in header])
    with translation.override(language):
        report = _import(officer, batch, _bytes(workbook), "filled.xlsx", dry_run=False)
    assert report.errors == [] and report.committed and report.new_count == 1
    filing = Submission.objects.get(enterprise__credit_code=CODES[2], batch=batch)
    assert (filing.revenue, filing.employees, filing.net_profit, filing.is_tech_sme, filing.dishonest_debtor,
            filing.rd_platform_level, filing.status) == (Decimal("3200.5"), 40, Decimal("-12.25"), True, False, 2,
                                                         "submitted")  # fmt: skip


def test_the_dry_run_lists_every_changed_value_old_to_new_in_words(officer, batch, firms):
    header = ["统一社会信用代码", "营业收入(万元)", "科技型中小企业", "研发平台级别", "净利润(万元)", "从业人员数(人)"]
    rows = [[CODES[0], 5000, "是", "省级", -30.5, 1250], [CODES[1], 12345.67, "否", "无", 300, 80]]
    report = _import(officer, batch, openpyxl_bytes([header, *rows]), "changes.xlsx", dry_run=True)
    assert report.errors == []
    found = [(c.row, c.credit_code, c.name, c.field, c.old, c.new) for c in report.changes]
    assert found == [
        (2, CODES[0], "粤测0科技有限公司", "科技型中小企业", "否", "是"),
        (2, CODES[0], "粤测0科技有限公司", "研发平台级别", "市级", "省级"),
        (2, CODES[0], "粤测0科技有限公司", "从业人员数(人)", "80", "1,250"),
    ]  # revenue 5000 and net profit −30.5 equal the stored values; the second row changes nothing
    assert (report.change_count, report.update_count, report.unchanged_count, report.new_count) == (3, 1, 1, 0)
    with translation.override("en"):
        english = _import(officer, batch, openpyxl_bytes([header, *rows]), "changes.xlsx", dry_run=True)
    assert [(c.field, c.old, c.new) for c in english.changes][:2] == [
        ("Tech-based SME", "No", "Yes"), ("R&D platform level", "Municipal", "Provincial")]  # fmt: skip
    committed = _import(officer, batch, openpyxl_bytes([header, *rows]), "changes.xlsx", dry_run=False)
    assert committed.committed and committed.update_count == 1
    unchanged = Submission.objects.get(enterprise=firms[1], batch=batch)
    assert unchanged.data_source == "verified" and not SubmissionChange.objects.filter(submission=unchanged).exists()
    changed = Submission.objects.get(enterprise=firms[0], batch=batch)
    assert (changed.rd_platform_level, changed.employees, changed.data_source) == (2, 1250, "imported")


def openpyxl_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    return _bytes(workbook)


def _export(client, officer, batch) -> bytes:
    client.force_login(officer)
    response = client.post(reverse("review:export"), {"batch": batch.pk})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_filings_export_imports_back_changing_nothing(client, officer, batch, firms):
    exported = _export(client, officer, batch)
    text = exported.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("统一社会信用代码,企业名称,状态,数据来源,营业收入(万元)")
    assert "已审核通过,企业自报" in text and ",市级," in text and ",否," in text and ",-30.50," in text
    preview = _import(officer, batch, exported, "filings.csv", dry_run=True)
    assert preview.errors == []
    assert (preview.change_count, preview.changes, preview.update_count, preview.unchanged_count) == (0, [], 0, 2)
    before = list(Submission.objects.order_by("pk").values())
    report = _import(officer, batch, exported, "filings.csv", dry_run=False)
    assert report.committed and not SubmissionChange.objects.exists()
    assert list(Submission.objects.order_by("pk").values()) == before  # data sources and timestamps included
    assert _export(client, officer, batch) == exported


def test_an_edited_export_changes_only_the_edited_value(client, officer, batch, firms):
    lines = _export(client, officer, batch).decode("utf-8-sig").splitlines()
    edited = next(i for i, line in enumerate(lines) if ",市级," in line)
    lines[edited] = lines[edited].replace(",市级,", ",国家级,")
    report = _import(officer, batch, "\n".join(lines).encode(), "edited.csv", dry_run=True)
    assert [(c.field, c.old, c.new) for c in report.changes] == [("研发平台级别", "市级", "国家级")]


def test_bad_input_names_row_and_column_in_the_officers_language(officer, batch, firms):
    rows = [["credit_code", "rd_platform_level", "is_tech_sme"], [CODES[0], "区级", "maybe"]]
    with translation.override("en"):
        report = _import(officer, batch, openpyxl_bytes(rows), "bad.xlsx", dry_run=True)
    assert [(e.row, e.column, e.title) for e in report.errors] == [
        (2, "B", "rd_platform_level"),
        (2, "C", "is_tech_sme"),
    ]
    assert "R&D platform level" in report.errors[0].message and "Provincial" in report.errors[0].message
    assert "Yes" in report.errors[1].message or "yes" in report.errors[1].message
    assert not report.changes


def test_the_import_page_shows_the_changes_before_committing(client, officer, batch, firms):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(officer)
    data = openpyxl_bytes([["统一社会信用代码", "营业收入(万元)"], [CODES[1], 23456.7]])
    page = client.post(reverse("review:import"), {"batch": batch.pk, "source": "imported", "action": "preview",
                                                  "file": SimpleUploadedFile("up.xlsx", data)})  # fmt: skip
    body = page.content.decode()
    assert page.status_code == 200 and 'id="import-changes"' in body
    assert "12,345.67" in body and "→ 23,456.7" in body and "粤测1科技有限公司" in body
    assert Submission.objects.get(enterprise=firms[1]).revenue == Decimal("12345.67")
