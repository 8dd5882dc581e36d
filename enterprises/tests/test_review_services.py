"""Review services: approve, return with a comment, bulk approve, all limited to the reviewer's region."""

import pytest
from django.core.exceptions import ValidationError

from core.exceptions import ApplicationError
from enterprises.choices import SubmissionStatus
from enterprises.models import Submission, SubmissionChange
from enterprises.services import (
    submission_approve,
    submission_bulk_approve,
    submission_return,
    submission_save_draft,
    submission_submit,
)
from enterprises.tests.factories import EnterpriseFactory, SubmissionFactory
from tests.factories import BureauStaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(batch, firm):
    return SubmissionFactory(enterprise=firm, batch=batch, status=SubmissionStatus.SUBMITTED)


def test_approving_records_the_reviewer_and_the_trail(submitted, reviewer):
    submission_approve(submission=submitted, user=reviewer, comment="数据完整")
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reviewer, submitted.review_comment) == ("approved", reviewer, "数据完整")
    assert SubmissionChange.objects.get().action == "approve"


def test_a_return_needs_a_comment_and_reopens_the_filing_for_correction(submitted, reviewer):
    with pytest.raises(ValidationError) as info:
        submission_return(submission=submitted, user=reviewer, comment="  ")
    assert "comment" in info.value.message_dict
    submission_return(submission=submitted, user=reviewer, comment="研发费用请附审计报告")
    submitted.refresh_from_db()
    assert submitted.status == SubmissionStatus.RETURNED
    submission_save_draft(submission=submitted, user=None, data={"rd_expense": "380"})
    submission_submit(submission=submitted, user=None)
    submitted.refresh_from_db()
    assert submitted.status == SubmissionStatus.SUBMITTED
    assert list(submitted.changes.values_list("action", flat=True)) == ["return", "save", "submit"]


def test_only_submitted_filings_can_be_reviewed(batch, firm, reviewer):
    draft = SubmissionFactory(enterprise=firm, batch=batch)
    with pytest.raises(ApplicationError):
        submission_approve(submission=draft, user=reviewer)
    assert Submission.objects.get().status == SubmissionStatus.DRAFT


def test_a_reviewer_of_another_region_cannot_review(submitted):
    jiangsu = BureauStaffFactory(region_scope="32").user
    with pytest.raises(ApplicationError):
        submission_approve(submission=submitted, user=jiangsu)
    with pytest.raises(ApplicationError):
        submission_approve(submission=submitted, user=UserFactory())
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED


def test_bulk_approval_takes_only_submitted_filings_of_the_region(batch, reviewer):
    here = [SubmissionFactory(batch=batch, status="submitted") for _ in range(3)]
    draft = SubmissionFactory(batch=batch)
    elsewhere = SubmissionFactory(batch=batch, status="submitted", enterprise=EnterpriseFactory(region_code="320102"))
    count = submission_bulk_approve(user=reviewer, submission_ids=[s.pk for s in [*here, draft, elsewhere]])
    assert count == 3
    statuses = dict(Submission.objects.values_list("pk", "status"))
    assert [statuses[s.pk] for s in here] == ["approved"] * 3
    assert (statuses[draft.pk], statuses[elsewhere.pk]) == ("draft", "submitted")
    assert SubmissionChange.objects.filter(action="approve").count() == 3
