"""Which loan contracts an API caller may read and update: a bank officer's (``visible_to``, as on the loan pages) or
a bank client's — its bank's, through its service account, narrowed to the client's region. Other roles have no loan
pages: nothing (404s)."""

from django.db.models import QuerySet

from core.api.auth import api_actor, client_region_narrowed
from core.permissions import bank_officer_of
from loans.models import LoanContract


def loans_for(request) -> QuerySet[LoanContract]:
    actor = api_actor(request)
    if actor is None or bank_officer_of(actor) is None:
        return LoanContract.objects.none()
    return client_region_narrowed(request, LoanContract.objects.visible_to(actor), "enterprise__region_code")
