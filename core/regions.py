"""The one region rule: a scope is a GB/T 2260 code prefix ('' is national, '44' a province, '4403' a city,
'440305' a county or zone). Every page, API view, export and task that narrows rows by region calls these."""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Left, Length

REGION_DIGITS = 6


def scope_covers(outer: str, inner: str) -> bool:
    """Region scope ``outer`` contains ``inner`` ('' is national, '44' contains '4403' and '440305')."""
    return inner.startswith(outer)


def narrower(a: str, b: str) -> str | None:
    """The intersection of two region scopes: the longer if one contains the other, else ``None`` (empty)."""
    if a.startswith(b):
        return a
    if b.startswith(a):
        return b
    return None


def region_range(prefix: str) -> tuple[int, int]:
    """The integer region codes a code prefix covers, ``[low, high)``: ``3301`` → 330100..330199."""
    scale = 10 ** (REGION_DIGITS - len(prefix))
    low = int(prefix) * scale
    return low, low + scale


def overlapping_region(queryset: models.QuerySet, region: str, field: str = "region_scope") -> models.QuerySet:
    """Rows whose scope ``field`` overlaps ``region`` ('' is national): one scope contains the other."""
    if region == "":
        return queryset
    # The row's scope is inside the region, or is a prefix of it (a national or provincial row seen by a city).
    return queryset.alias(_scope_len=Length(field)).filter(
        Q(**{f"{field}__startswith": region}) | Q(**{field: Left(models.Value(region), F("_scope_len"))})
    )


def in_region(queryset: models.QuerySet, field: str, prefix: str) -> models.QuerySet:
    """Rows whose region code ``field`` starts with ``prefix`` ('' is everywhere: no condition at all)."""
    return queryset.filter(**{f"{field}__startswith": prefix}) if prefix else queryset
