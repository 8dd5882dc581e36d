"""Per-user visibility of enterprise objects: bureau staff see their region, members see their own firm only."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from core.permissions import bureau_staff_of
from core.regions import overlapping_region


def _enterprise_filter(user, prefix: str = "") -> Q | None:
    """The condition on ``<prefix>enterprise`` fields for ``user``; ``None`` when the user sees nothing."""
    if not user.is_authenticated:
        return None
    staff = bureau_staff_of(user)
    if staff is not None:
        return Q(**{f"{prefix}region_code__startswith": staff.region_scope})
    ids = user.memberships.filter(approved=True).values("enterprise_id")
    return Q(**{f"{prefix}pk__in": ids})


class EnterpriseQuerySet(models.QuerySet):
    def visible_to(self, user):
        condition = _enterprise_filter(user)
        return self.none() if condition is None else self.filter(condition)


class SubmissionQuerySet(models.QuerySet):
    def visible_to(self, user):
        condition = _enterprise_filter(user, "enterprise__")
        return self.none() if condition is None else self.filter(condition)


class ConsentQuerySet(models.QuerySet):
    def visible_to(self, user):
        condition = _enterprise_filter(user, "enterprise__")
        return self.none() if condition is None else self.filter(condition)

    def active(self, at=None):
        """Consents in force at ``at``: granted, not revoked, not expired. The rule of ``Consent.is_active`` in SQL
        (a test proves they agree). Without ``at`` the database's clock decides (``Now()``), so a statement compiled
        once and cached still sees a consent expire on the next request."""
        at = Now() if at is None else at
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=at), revoked_at__isnull=True, granted_at__lte=at
        )

    def covering(self, bank_id: int):
        """Consents that cover bank ``bank_id``: blanket ones (to every partner bank) and those naming it (§7)."""
        return self.filter(Q(bank__isnull=True) | Q(bank_id=bank_id))


class BatchQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Bureau staff see national batches and those overlapping their region."""
        staff = bureau_staff_of(user)
        return self.none() if staff is None else overlapping_region(self, staff.region_scope)

    def managed_by(self, user):
        """Batches the user may edit, run and publish: those inside the user's own scope."""
        staff = bureau_staff_of(user)
        return self.none() if staff is None else self.filter(region_scope__startswith=staff.region_scope)
