"""Who sees policies and their matches: a bureau its region's (and the national or provincial policies that cover
it, read-only), an administrator manages those inside its region; a firm sees only its own matches."""

from django.db import models

from core.actors import actor_of
from core.regions import overlapping_region, region_range


class PolicyQuerySet(models.QuerySet):
    def visible_to(self, who):
        actor = actor_of(who)
        return overlapping_region(self, actor.region) if actor.is_bureau else self.none()

    def managed_by(self, who):
        """Policies a bureau *administrator* may edit and re-match: those inside its own region."""
        actor = actor_of(who)
        staff = getattr(actor.user, "bureau_staff", None) if actor.is_bureau else None
        if staff is None or staff.role != "admin":
            return self.none()
        return self.filter(region_scope__startswith=actor.region)


class PolicyMatchGroupQuerySet(models.QuerySet):
    def in_region(self, prefix: str):
        if not prefix:
            return self
        low, high = region_range(prefix)
        return self.filter(region__gte=low, region__lt=high)

    def visible_to(self, who):
        """A bureau: the groups of its region's counties. Nobody else reads groups whole (they hold many firms): a
        firm reads its own records out of them (``policies.selectors.firm_matches``)."""
        actor = actor_of(who)
        return self.in_region(actor.region) if actor.is_bureau else self.none()
