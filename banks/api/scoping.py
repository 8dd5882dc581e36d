"""Which recommendations an API caller may read and work on: a bank officer's (``visible_to``, exactly as on the
pages), or a bank client's — its bank's, through its service account, narrowed to the client's own region. Bureau
staff, guarantors and enterprises have no recommendation pages, so nothing here either (404s)."""

from django.db.models import QuerySet

from banks.models import Recommendation
from core.api.auth import api_actor, client_region_narrowed
from core.permissions import bank_officer_of


def recommendations_for(request) -> QuerySet[Recommendation]:
    """Every visible recommendation, superseded ones included (their detail says so); lists add ``current()``."""
    actor = api_actor(request)
    if actor is None or bank_officer_of(actor) is None:
        return Recommendation.objects.none()
    return client_region_narrowed(request, Recommendation.objects.visible_to(actor), "region_code")
