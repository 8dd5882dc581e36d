"""The firm's filing page: draft, submit, errors shown and nothing saved, read-only once submitted, evidence."""

import re

import pytest
from django.urls import reverse

from enterprises.models import Submission, SubmissionEvidence
from enterprises.tests.factories import GOOD_FILING
from tests.factories import BureauStaffFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("enterprises:filing")


def test_anonymous_users_are_sent_to_login_and_non_members_get_404(client, batch):
    assert client.get(URL).status_code == 302
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 404
    client.force_login(BureauStaffFactory().user)
    assert client.get(URL).status_code == 404


def test_the_page_groups_every_field_with_units_and_help(firm_client, batch):
    page = firm_client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    for text in (
        "经营情况",
        "技术创新",
        "资质与信用",
        "融资需求",
        "营业收入(万元)",
        "研发人员数(人)",
        "保存草稿",
        "提交审核",
    ):
        assert text in html
    assert 'data-unit="万元"' in html


def test_saving_a_draft_keeps_values_and_shows_warnings(firm_client, batch, firm):
    response = firm_client.post(URL, {"action": "draft", "revenue": "100", "rd_expense": "150"})
    assert response.status_code == 200
    assert "研发费用高于营业收入" in response.content.decode()
    submission = Submission.objects.get(enterprise=firm)
    assert (submission.status, submission.revenue) == ("draft", 100)


def test_a_bad_value_is_explained_and_nothing_is_saved(firm_client, batch, firm):
    response = firm_client.post(URL, {"action": "draft", "revenue": "100", "employees": "5", "rd_staff": "6"})
    assert response.status_code == 400
    assert "研发人员数不能超过从业人员数" in response.content.decode()
    assert Submission.objects.get(enterprise=firm).revenue == 0


def test_submitting_with_blanks_names_the_missing_fields(firm_client, batch, firm):
    response = firm_client.post(URL, {"action": "submit", "revenue": "100"})
    assert response.status_code == 400
    assert response.content.decode().count("提交前必须填写此项") == 8
    assert Submission.objects.get(enterprise=firm).status == "draft"


def test_a_submitted_filing_is_read_only(firm_client, batch, firm):
    response = firm_client.post(URL, {"action": "submit", **GOOD_FILING})
    assert response.status_code == 302
    assert Submission.objects.get(enterprise=firm).status == "submitted"
    page = firm_client.get(URL).content.decode()
    assert "已提交的填报为只读" in page and 'name="action"' not in page
    firm_client.post(URL, {"action": "draft", **GOOD_FILING, "revenue": "1"})
    assert Submission.objects.get(enterprise=firm).revenue == 5000


def test_a_returned_filing_shows_the_comment(firm_client, batch, firm):
    firm_client.post(URL, {"action": "submit", **GOOD_FILING})
    Submission.objects.filter(enterprise=firm).update(status="returned", review_comment="请补充研发费用明细")
    page = firm_client.get(URL).content.decode()
    assert "请补充研发费用明细" in page and "保存草稿" in page


def test_the_page_is_in_english_too(firm_client, batch):
    firm_client.cookies["django_language"] = "en"
    response = firm_client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200


def test_evidence_upload_checks_the_content(firm_client, batch, firm, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    firm_client.get(URL)
    bad = firm_client.post(
        reverse("enterprises:evidence-upload"), {"file": SimpleUploadedFile("x.pdf", b"<html>")}, follow=True
    )
    assert "只接受 PDF、JPEG 或 PNG 文件" in bad.content.decode()
    good = SimpleUploadedFile("report.pdf", b"%PDF-1.4 minimal")
    firm_client.post(reverse("enterprises:evidence-upload"), {"file": good})
    assert list(SubmissionEvidence.objects.values_list("content_type", flat=True)) == ["application/pdf"]


def test_without_an_open_batch_the_page_says_so(firm_client, db):
    assert "当前没有开放的填报批次" in firm_client.get(URL).content.decode()


def test_evidence_downloads_only_for_the_firm_and_reviewers_of_its_region(
    client, firm_client, batch, firm, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from enterprises.services import evidence_add, submission_get_or_create
    from enterprises.tests.factories import MembershipFactory

    settings.MEDIA_ROOT = tmp_path
    submission = submission_get_or_create(enterprise=firm, batch=batch)
    evidence = evidence_add(submission=submission, user=None, upload=SimpleUploadedFile("r.pdf", b"%PDF-1.4 x"))
    assert re.fullmatch(r"evidence/\d+/[0-9a-f]{32}\.pdf", evidence.file.name)  # unguessable, not the upload name
    own = firm_client.get(reverse("enterprises:evidence-download", args=[evidence.pk]))
    assert own.status_code == 200 and own["Content-Type"] == "application/pdf"
    client.force_login(MembershipFactory().user)  # another firm's administrator
    assert client.get(reverse("enterprises:evidence-download", args=[evidence.pk])).status_code == 404
    client.force_login(BureauStaffFactory(region_scope="4403").user)
    assert client.get(reverse("review:evidence", args=[evidence.pk])).status_code == 404  # a draft is the firm's own
    Submission.objects.filter(pk=submission.pk).update(status="submitted")
    client.force_login(BureauStaffFactory(region_scope="32").user)
    assert client.get(reverse("review:evidence", args=[evidence.pk])).status_code == 404
    client.force_login(BureauStaffFactory(region_scope="4403").user)
    assert client.get(reverse("review:evidence", args=[evidence.pk])).status_code == 200


def test_people_read_labels_on_the_filing_and_its_change_log(firm_client, batch, firm):
    """Flags as 是/否, a level by its name, the preferred banks by name, fields by their labels — never a code."""
    import re

    from core.models import Bank

    banks = list(Bank.objects.order_by("code")[:2])
    data = {**GOOD_FILING, "is_tech_sme": "on", "rd_platform_level": "2", "preferred_banks": [b.pk for b in banks]}
    assert firm_client.post(URL, {"action": "submit", **data}).status_code == 302
    page = firm_client.get(URL).content.decode()
    readonly = page[page.index("已提交的填报为只读") : page.index("变更记录")]
    assert "省级" in readonly and "是" in readonly and all(b.name in readonly for b in banks)
    assert not re.search(r">\s*(True|False|None)\s*<", readonly)
    log = page[page.index("变更记录") :]
    assert "研发平台级别: 无 → 省级" in log and "科技型中小企业: 否 → 是" in log
    banks_line = log[log.index("意向银行") :].split(";")[0]
    assert all(b.name in banks_line for b in banks)
    assert "rd_platform_level" not in log and "preferred_banks" not in log and "True" not in log


def test_a_change_log_with_an_evidence_entry_reads_in_words(firm_client, batch, firm):
    from enterprises.models import Submission, SubmissionChange

    firm_client.post(URL, {"action": "draft", **GOOD_FILING})
    submission = Submission.objects.get(enterprise=firm)
    SubmissionChange.objects.create(submission=submission, action="evidence", diff={"evidence": [None, "执照.pdf"]})
    page = firm_client.get(URL)
    assert page.status_code == 200 and "证明材料: — → 执照.pdf" in page.content.decode()
