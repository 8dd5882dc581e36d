"""Per-user visibility of scoring objects: one ``visible_to(user)`` per model, used by pages and the API alike."""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Left, Length

from core.permissions import bureau_staff_of


def overlapping_region(queryset: models.QuerySet, region: str) -> models.QuerySet:
    """Rows whose ``region_scope`` overlaps ``region`` ('' is national): one scope contains the other."""
    if region == "":
        return queryset
    # The row's scope is inside the region, or is a prefix of it (a national or provincial row seen by a city).
    return queryset.alias(scope_len=Length("region_scope")).filter(
        Q(region_scope__startswith=region) | Q(region_scope=Left(models.Value(region), F("scope_len")))
    )


def _overlapping_scope(queryset: models.QuerySet, user) -> models.QuerySet:
    """Rows whose ``region_scope`` overlaps the bureau officer's."""
    staff = bureau_staff_of(user)
    return queryset.none() if staff is None else overlapping_region(queryset, staff.region_scope)


def _inside_scope(queryset: models.QuerySet, user) -> models.QuerySet:
    """Rows the officer manages: those whose ``region_scope`` lies inside their own."""
    staff = bureau_staff_of(user)
    if staff is None:
        return queryset.none()
    return queryset.filter(region_scope__startswith=staff.region_scope)


class BatchQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Bureau staff see national batches and those overlapping their region."""
        return _overlapping_scope(self, user)

    def managed_by(self, user):
        """Batches whose runs the user may start and publish: those inside the user's own scope."""
        return _inside_scope(self, user)


class ScoringRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .models import Batch

        return self.filter(batch__in=Batch.objects.visible_to(user))


class IndicatorSystemQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Every bureau officer sees the national systems and those of regions overlapping theirs."""
        return _overlapping_scope(self, user)

    def editable_by(self, user):
        return _inside_scope(self, user).filter(frozen=False)
