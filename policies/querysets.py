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


class PolicyMatchQuerySet(models.QuerySet):
    def in_region(self, prefix: str):
        if not prefix:
            return self
        low, high = region_range(prefix)
        return self.filter(region__gte=low, region__lt=high)

    def visible_to(self, who):
        """A bureau: the rows of its region's firms; a firm: its own rows; anyone else: nothing."""
        actor = actor_of(who)
        if actor.is_bureau:
            return self.in_region(actor.region)
        if actor.enterprise_id is not None and not actor.via_token:
            return self.filter(enterprise_id=actor.enterprise_id)
        return self.none()
