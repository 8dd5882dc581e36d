"""Which recommendations an API caller may read and work on: ``Recommendation.objects.visible_to(actor)``, exactly as
on the pages — a bank's officer its branch's regions, a bank's client its own region. Everyone else: nothing (404s)."""

from django.db.models import QuerySet

from banks.models import Recommendation
from core.actors import actor_of


def recommendations_for(request) -> QuerySet[Recommendation]:
    """Every visible recommendation, superseded ones included (their detail says so); lists add ``current()``."""
    return Recommendation.objects.visible_to(actor_of(request))


def recommendations_listed(request) -> QuerySet[Recommendation]:
    """The visible ones whose firm consents now (``listed_to``: ``recommendations_for(request).consented()``)."""
    return Recommendation.objects.listed_to(actor_of(request))
