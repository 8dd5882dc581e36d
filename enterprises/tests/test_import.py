"""Bulk import: every bad file writes nothing and names each problem by row and column; good files go in whole."""

from decimal import Decimal

import pytest

from core.exceptions import ApplicationError
from enterprises.models import Submission, SubmissionChange
from enterprises.services import submission_import
from enterprises.tests import import_files
from enterprises.tests.factories import EnterpriseFactory, SubmissionFactory, valid_credit_code
from tests.factories import BureauStaffFactory

pytestmark = pytest.mark.django_db
CODES = [valid_credit_code(7001 + i) for i in range(3)]


@pytest.fixture
def folder(tmp_path, batch):
    firms = [EnterpriseFactory(credit_code=code, region_code="440305") for code in CODES]
    SubmissionFactory(enterprise=firms[0], batch=batch, status="approved")  # one filing exists already
    return import_files.build(tmp_path, CODES)


@pytest.fixture
def officer(db):
    return BureauStaffFactory(region_scope="44").user


def run(folder, name, officer, batch, *, dry_run=False):
    return submission_import(user=officer, batch=batch, data=(folder / name).read_bytes(), filename=name,
                             dry_run=dry_run)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("wrong_headers.csv", [(1, "C", "未知的列")]),
        ("missing_key.csv", [(1, "A", "缺少")]),
        ("no_data_columns.csv", [(1, "B", "至少需要一列")]),
        ("bad_codes.csv", [(2, "A", "无效"), (3, "A", "无效")]),
        ("unknown_firm.csv", [(3, "A", "无效")]),
        ("negative_and_text.csv", [(2, "B", "负数"), (3, "C", "数字")]),
        ("blanks.csv", [(2, "B", "不能为空"), (3, "A", "不能为空")]),
        ("duplicates.csv", [(3, "A", "重复")]),
        ("staff_over_employees.csv", [(2, "C", "研发人员数不能超过从业人员数")]),
        ("fractions.csv", [(2, "B", "整数"), (2, "C", "两位小数")]),
        ("gbk_negative.csv", [(2, "B", "负数")]),
        ("formula.xlsx", [(2, "B", "公式")]),
    ],
)
def test_a_bad_file_reports_each_problem_and_writes_nothing(folder, officer, batch, name, expected):
    before = list(Submission.objects.values_list("pk", "revenue", "data_source"))
    report = run(folder, name, officer, batch)
    found = [(e.row, e.column, e.message) for e in report.errors]
    assert [(row, column) for row, column, _ in found] == [(row, column) for row, column, _ in expected]
    for (_, _, message), (_, _, fragment) in zip(found, expected, strict=True):
        assert fragment in message
    assert not report.committed
    assert list(Submission.objects.values_list("pk", "revenue", "data_source")) == before
    assert not SubmissionChange.objects.exists()


def test_a_firm_outside_the_region_is_reported_like_an_unknown_one(folder, batch):
    jiangsu = BureauStaffFactory(region_scope="32").user
    report = run(folder, "good_gbk.csv", jiangsu, batch)
    assert [(e.row, e.column) for e in report.errors] == [(2, "A"), (3, "A")]
    assert "管辖范围" in report.errors[0].message


@pytest.mark.parametrize(
    ("name", "fragment"),
    [("xml_bomb.xlsx", "不安全"), ("oversize.csv", "20 MB"), ("not_really.xlsx", "无法读取")],
)
def test_unreadable_files_are_refused_whole(folder, officer, batch, name, fragment):
    with pytest.raises(ApplicationError) as info:
        run(folder, name, officer, batch)
    assert fragment in info.value.message
    assert not SubmissionChange.objects.exists()


def test_a_dry_run_previews_without_writing(folder, officer, batch):
    report = run(folder, "good.xlsx", officer, batch, dry_run=True)
    assert (report.errors, report.rows, report.new_count, report.update_count) == ([], 2, 1, 1)
    assert not report.committed and Submission.objects.count() == 1


def test_a_good_file_updates_and_creates_filings_marked_with_their_source(folder, officer, batch):
    report = run(folder, "good.xlsx", officer, batch)
    assert report.committed
    updated = Submission.objects.get(enterprise__credit_code=CODES[0])
    created = Submission.objects.get(enterprise__credit_code=CODES[2])
    assert (updated.revenue, updated.employees, updated.is_tech_sme, updated.status) == (
        Decimal("3200.5"), 50, True, "approved")  # fmt: skip
    assert (created.revenue, created.employees, created.status) == (Decimal(300), 7, "submitted")
    assert {updated.data_source, created.data_source} == {"imported"}
    diff = SubmissionChange.objects.get(submission=updated).diff
    assert diff["revenue"] == ["5000", "3200.5"] and diff["employees"] == ["80", "50"]
    assert SubmissionChange.objects.get(submission=created).diff["revenue"] == ["0", "300"]


def test_a_gbk_csv_with_chinese_headers_imports(folder, officer, batch):
    report = submission_import(user=officer, batch=batch, data=(folder / "good_gbk.csv").read_bytes(),
                               filename="good_gbk.csv", source="verified", dry_run=False)  # fmt: skip
    assert report.committed and report.errors == []
    assert Submission.objects.get(enterprise__credit_code=CODES[1]).data_source == "verified"


def test_chinese_headers_import_while_the_officer_uses_the_english_ui(folder, officer, batch):
    from django.utils import translation

    with translation.override("en"):
        report = submission_import(user=officer, batch=batch, data=(folder / "good_gbk.csv").read_bytes(),
                                   filename="good_gbk.csv", source="verified", dry_run=True)  # fmt: skip
    assert report.errors == []


def test_the_import_page_previews_then_commits_the_stored_file(client, folder, officer, batch, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(officer)
    url = reverse("review:import")
    assert client.get(url).status_code == 200
    bad = client.post(
        url,
        {
            "batch": batch.pk,
            "source": "imported",
            "action": "preview",
            "file": SimpleUploadedFile("bad.csv", (folder / "negative_and_text.csv").read_bytes()),
        },
    )
    assert bad.status_code == 400 and "不能为负数" in bad.content.decode() and "token" not in bad.context
    good = client.post(
        url,
        {
            "batch": batch.pk,
            "source": "verified",
            "action": "preview",
            "file": SimpleUploadedFile("good.xlsx", (folder / "good.xlsx").read_bytes()),
        },
    )
    assert good.status_code == 200 and Submission.objects.count() == 1
    done = client.post(
        url, {"batch": batch.pk, "source": "verified", "action": "commit", "token": good.context["token"]}
    )
    assert done.status_code == 302
    assert Submission.objects.filter(data_source="verified").count() == 2
    replay = client.post(url, {"batch": batch.pk, "action": "commit", "token": good.context["token"]})
    assert replay.status_code == 302 and SubmissionChange.objects.count() == 2


def test_the_export_escapes_formula_text_but_not_numbers(client, officer, batch):
    from django.urls import reverse

    from core.exports import inert as escape_cell

    assert [escape_cell(v) for v in ("=HYPERLINK(1)", "+1", "-2", "@SUM", "正常")] == [
        "'=HYPERLINK(1)", "'+1", "'-2", "'@SUM", "正常"]  # fmt: skip
    SubmissionFactory(
        batch=batch, net_profit=-30, status="submitted", enterprise=EnterpriseFactory(name="=cmd|' /C calc'!A0")
    )
    client.force_login(officer)
    body = b"".join(client.post(reverse("review:export"), {"batch": batch.pk}).streaming_content).decode("utf-8-sig")
    assert "'=cmd" in body and ",-30" in body


def test_cells_padded_with_any_white_space_are_trimmed(officer, batch, folder):
    data = f"credit_code,revenue,employees\n{CODES[1]},\u3000300.5 ,\t7\n{CODES[2]}, 12,8\r\n".encode()
    report = submission_import(user=officer, batch=batch, data=data, filename="padded.csv", dry_run=False)
    assert report.committed and not report.errors
    created = Submission.objects.get(enterprise__credit_code=CODES[1])
    assert (created.revenue, created.employees) == (Decimal("300.5"), 7)
    assert Submission.objects.get(enterprise__credit_code=CODES[2]).revenue == 12


def test_a_formula_or_a_third_decimal_deep_in_a_column_is_found(officer, batch, folder):
    rows = f"{CODES[1]},1,7\n{CODES[2]},=1+1,8\n{CODES[0]},1.230,9000\n"
    report = submission_import(user=officer, batch=batch, data=f"credit_code,revenue,employees\n{rows}".encode(),
                               filename="deep.csv", dry_run=True)  # fmt: skip
    assert [(e.row, e.column, e.message[:4]) for e in report.errors] == [(3, "B", "单元格包"), (4, "B", "金额最多")]
