"""Which enterprise profiles and filings an API caller may read (see docs/api.md).

Profiles — bureau staff: firms in their region. An enterprise member: their own firm. A bank officer or a bank's API
client: firms in their region that consent, now, to share with that bank (a blanket consent or one naming the bank)
— as the bank pages will. A platform API client without a bank: firms in its region.

Filings — an enterprise member: every filing of their own firm, drafts included. Bureau staff and platform clients:
the filings of firms in their region once submitted (a draft is the firm's unfinished work; the review queue and the
funnel leave drafts out too). Banks: none (a bank reads a firm's filed figures on its consented profile).
"""

from django.db.models import QuerySet

from core.actors import Actor
from enterprises.models import Enterprise, Submission


def enterprises_for(actor: Actor) -> QuerySet[Enterprise]:
    """The profiles ``actor`` may read: ``Enterprise.objects.visible_to``, as on the pages."""
    return Enterprise.objects.visible_to(actor)


def submissions_for(actor: Actor) -> QuerySet[Submission]:
    """The filings ``actor`` may read: ``Submission.objects.visible_to``, as on the pages."""
    return Submission.objects.visible_to(actor)


def own_submissions(actor: Actor) -> QuerySet[Submission]:
    """The filings ``actor`` may write (draft, correct, submit): an enterprise member's own firm's, else none."""
    if actor.enterprise_id is None:
        return Submission.objects.none()
    return Submission.objects.filter(enterprise_id=actor.enterprise_id)
