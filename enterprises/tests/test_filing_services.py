"""Filing services: draft, submit, validation rules, evidence and the audit trail."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.exceptions import ApplicationError
from enterprises.choices import SubmissionStatus
from enterprises.models import Submission, SubmissionChange, SubmissionEvidence
from enterprises.services import (
    evidence_add,
    submission_get_or_create,
    submission_save_draft,
    submission_submit,
)
from enterprises.tests.factories import GOOD_FILING, EnterpriseFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(batch):
    return submission_get_or_create(enterprise=EnterpriseFactory(), batch=batch)


def test_a_draft_saves_with_blanks_and_records_the_changed_fields(draft):
    user = UserFactory()
    check = submission_save_draft(submission=draft, user=user, data={"revenue": "1200.5", "employees": ""})
    draft.refresh_from_db()
    assert draft.revenue == Decimal("1200.5")
    assert draft.employees == 0
    assert check.errors == {}
    change = SubmissionChange.objects.get()
    assert (change.user, change.action, change.diff) == (user, "save", {"revenue": ["0", "1200.5"]})


def test_saving_the_same_values_again_writes_no_audit_entry(draft):
    submission_save_draft(submission=draft, user=None, data={"revenue": "100"})
    submission_save_draft(submission=draft, user=None, data={"revenue": "100.00"})
    assert SubmissionChange.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        ({"revenue": "-1"}, "revenue", "负数"),
        ({"employees": "-3"}, "employees", "负数"),
        ({"rd_expense": "abc"}, "rd_expense", "数字"),
        ({"employees": "10", "rd_staff": "11"}, "rd_staff", "研发人员数"),
        ({"revenue": "100", "high_tech_revenue": "101"}, "high_tech_revenue", "营业收入"),
        ({"rd_platform_level": "4"}, "rd_platform_level", "0 至 3"),
        ({"financing_term_months": "0"}, "financing_term_months", "1 至 360"),
        ({"financing_amount": "-5"}, "financing_amount", "负数"),
    ],
)
def test_bad_values_name_their_field_and_save_nothing(draft, data, field, fragment):
    with pytest.raises(ValidationError) as info:
        submission_save_draft(submission=draft, user=None, data=data)
    assert fragment in " ".join(info.value.message_dict[field])
    assert Submission.objects.get(pk=draft.pk).revenue == 0
    assert not SubmissionChange.objects.exists()


def test_negative_profit_and_assets_are_allowed(draft):
    submission_save_draft(submission=draft, user=None, data={"net_profit": "-10", "net_assets": "-2"})
    draft.refresh_from_db()
    assert (draft.net_profit, draft.net_assets) == (Decimal(-10), Decimal(-2))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"revenue": "100", "rd_expense": "150"}, "rd_expense"),
        ({"revenue": "1200", "revenue_prev": "100"}, "revenue"),
        ({"rd_expense": "1101", "rd_expense_prev": "100", "revenue": "5000"}, "rd_expense"),
    ],
)
def test_implausible_values_are_warnings_that_still_save(draft, data, field):
    check = submission_save_draft(submission=draft, user=None, data=data)
    assert field in check.warnings
    draft.refresh_from_db()
    assert draft.revenue == Decimal(data.get("revenue", "0"))


def test_growth_of_exactly_1000_percent_is_not_flagged(draft):
    check = submission_save_draft(submission=draft, user=None, data={"revenue": "1100", "revenue_prev": "100"})
    assert "revenue" not in check.warnings


def test_submit_requires_every_required_field(draft):
    with pytest.raises(ValidationError) as info:
        submission_submit(submission=draft, user=None, data={"revenue": "100"})
    assert {"revenue_prev", "employees", "rd_expense"} <= set(info.value.message_dict)
    assert "revenue" not in info.value.message_dict
    draft.refresh_from_db()
    assert (draft.status, draft.revenue) == (SubmissionStatus.DRAFT, 0)


def test_a_valid_filing_is_submitted_and_becomes_read_only(draft):
    submission_submit(submission=draft, user=None, data=GOOD_FILING)
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.SUBMITTED
    assert draft.submitted_at is not None
    assert draft.net_profit == Decimal("-30.5")
    with pytest.raises(ApplicationError):
        submission_save_draft(submission=draft, user=None, data={"revenue": "1"})
    with pytest.raises(ApplicationError):
        submission_submit(submission=draft, user=None)
    assert list(draft.changes.values_list("action", flat=True)) == ["submit"]
    assert draft.changes.get().diff["revenue"] == ["0", "5000"]


def test_more_than_three_preferred_banks_is_refused(draft):
    from core.models import Bank

    banks = list(Bank.objects.all()[:4])
    with pytest.raises(ValidationError) as info:
        submission_save_draft(submission=draft, user=None, data={"preferred_banks": banks})
    assert "preferred_banks" in info.value.message_dict
    submission_save_draft(submission=draft, user=None, data={"preferred_banks": banks[:3]})
    assert draft.preferred_banks.count() == 3
    assert SubmissionChange.objects.get().diff["preferred_banks"][1] == sorted(b.pk for b in banks[:3])


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


def test_evidence_is_accepted_by_content_not_by_name(draft, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    evidence = evidence_add(submission=draft, user=None, upload=SimpleUploadedFile("scan.pdf", PNG))
    assert evidence.content_type == "image/png"
    with pytest.raises(ValidationError) as info:
        evidence_add(submission=draft, user=None, upload=SimpleUploadedFile("report.pdf", b"MZ\x90\0 not a pdf"))
    assert "PDF" in info.value.message_dict["file"][0]
    assert SubmissionEvidence.objects.count() == 1


def test_evidence_over_10_mb_is_refused(draft, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError) as info:
        evidence_add(submission=draft, user=None, upload=big)
    assert "10 MB" in info.value.message_dict["file"][0]
    assert not SubmissionEvidence.objects.exists()
