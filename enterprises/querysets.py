"""Who sees which enterprise objects: one ``visible_to(actor)`` per model for pages, exports and the API (bureau
staff their region, members their own firm, banks consenting firms only)."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from core.actors import BUREAU, ENTERPRISE, PLATFORM, actor_of
from core.permissions import bureau_admin
from core.regions import in_region, overlapping_region

from .choices import MemberRole, SubmissionStatus


def _firm_condition(actor, prefix: str = "") -> Q | None:
    """The condition on ``<prefix>`` enterprise fields of the firms ``actor`` reads, or ``None`` when it reads none:
    bureau staff and platform clients their region, a firm's member their own firm (the one they act for)."""
    if actor.kind == ENTERPRISE:
        return Q(**{f"{prefix}pk": actor.enterprise_id})
    if actor.kind in (BUREAU, PLATFORM):
        return Q(**{f"{prefix}region_code__startswith": actor.region}) if actor.region else Q()
    return None


def _visible(queryset, who, prefix: str = ""):
    condition = _firm_condition(actor_of(who), prefix)
    return queryset.none() if condition is None else queryset.filter(condition)


class EnterpriseQuerySet(models.QuerySet):
    def visible_to(self, who):
        """Bureau staff and platform clients: their region's firms; a member: their firm; a bank: the firms of its
        region that consent to it (blanket or naming it, methodology §7) — a bank never sees a firm otherwise."""
        actor = actor_of(who)
        if actor.is_bank:
            from .selectors import consent_covers_bank  # the selectors import the models, which import this module

            return in_region(self, "region_code", actor.region).filter(consent_covers_bank(actor.bank_id, "pk"))
        return _visible(self, actor)


class SubmissionQuerySet(models.QuerySet):
    def visible_to(self, who):
        """A member: their firm's filings, drafts included; bureau staff and platform clients: their region's filed
        ones (a draft is the firm's own until it submits it). Banks read no filing."""
        actor = actor_of(who)
        rows = _visible(self, actor, "enterprise__")
        return rows if actor.kind == ENTERPRISE else rows.exclude(status=SubmissionStatus.DRAFT)


class ConsentQuerySet(models.QuerySet):
    def visible_to(self, who):
        """A member: their firm's consents; bureau staff: their region's."""
        actor = actor_of(who)
        return _visible(self, actor, "enterprise__") if actor.kind in (ENTERPRISE, BUREAU) else self.none()

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
    def visible_to(self, who):
        """Bureau staff see national batches and those overlapping their region; a firm's member those whose region
        covers the firm (the rounds it may file in). Published batches are announced to everyone else by the scoring
        app (``scoring.api.scoping.batches_for``): publication is scoring's to know."""
        actor = actor_of(who)
        if actor.is_bureau:
            return overlapping_region(self, actor.region)
        if actor.kind == ENTERPRISE:
            code = actor.region
            return self.filter(region_scope__in=["", code[:2], code[:4], code])
        return self.none()

    def managed_by(self, who):
        """Batches the bureau officer may edit, open and close, run and publish: those inside their own scope, and
        only for a bureau *administrator* (a reviewer reviews filings and reads runs, but manages no batch)."""
        actor = actor_of(who)
        if not actor.is_bureau or not bureau_admin(actor.user):
            return self.none()
        return self.filter(region_scope__startswith=actor.region)


class MembershipQuerySet(models.QuerySet):
    def pending(self):
        """Requests awaiting a decision (neither confirmed nor refused)."""
        return self.filter(approved=False, rejected_at__isnull=True)

    def claims_for(self, who):
        """Pending claims (a sign-up asking to administer a firm with no confirmed administrator) of the firms in a
        bureau's region: the bureau verifies them. Nobody else sees this queue."""
        actor = actor_of(who)
        if actor.kind != BUREAU:
            return self.none()
        return _visible(self.pending().filter(role=MemberRole.ADMIN), actor, "enterprise__")
