"""Which enterprise profiles and filings an API caller may read (see docs/api.md).

Profiles — bureau staff: firms in their region. An enterprise member: their own firm. A bank officer or a bank's API
client: firms in their region that consent, now, to share with that bank (a blanket consent or one naming the bank)
— as the bank pages will. A platform API client without a bank: firms in its region.

Filings — an enterprise member: every filing of their own firm, drafts included. Bureau staff and platform clients:
the filings of firms in their region once submitted (a draft is the firm's unfinished work; the review queue and the
funnel leave drafts out too). Banks: none (a bank reads a firm's filed figures on its consented profile).
"""

from django.db.models import QuerySet

from core.api.auth import Audience
from enterprises.choices import SubmissionStatus
from enterprises.models import Enterprise, Submission
from enterprises.selectors import consent_covers_bank


def enterprises_for(audience: Audience) -> QuerySet[Enterprise]:
    if audience.sees_nothing:
        return Enterprise.objects.none()
    if audience.enterprise_id is not None:
        return Enterprise.objects.filter(pk=audience.enterprise_id)
    firms = Enterprise.objects.filter(region_code__startswith=audience.region)
    if audience.bank_id is None:
        return firms
    return firms.filter(consent_covers_bank(audience.bank_id, "pk"))


def submissions_for(audience: Audience) -> QuerySet[Submission]:
    """The filings ``audience`` may read."""
    if audience.sees_nothing or audience.bank_id is not None:
        return Submission.objects.none()
    if audience.enterprise_id is not None:
        return own_submissions(audience)
    return Submission.objects.filter(enterprise__region_code__startswith=audience.region).exclude(
        status=SubmissionStatus.DRAFT
    )


def own_submissions(audience: Audience) -> QuerySet[Submission]:
    """The filings ``audience`` may write (draft, correct, submit): an enterprise member's own firm's, else none."""
    if audience.enterprise_id is None:
        return Submission.objects.none()
    return Submission.objects.filter(enterprise_id=audience.enterprise_id)
