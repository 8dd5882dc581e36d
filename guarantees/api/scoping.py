"""Which guarantees an API caller may read and act on, as on the pages: guarantor staff (or a guarantor's client)
those their institution takes part in; a bank officer (or a bank's client) those on the bank's loans — the loan
pages show and record them. Bureau staff and enterprises: nothing (404s). A client is narrowed to its region."""

from django.db.models import QuerySet

from core.api.auth import api_actor, client_region_narrowed
from core.permissions import bank_officer_of, guarantor_staff_of
from guarantees.models import GuaranteeContract


def guarantees_for(request) -> QuerySet[GuaranteeContract]:
    actor = api_actor(request)
    if actor is None or (guarantor_staff_of(actor) is None and bank_officer_of(actor) is None):
        return GuaranteeContract.objects.none()
    rows = GuaranteeContract.objects.visible_to(actor)
    return client_region_narrowed(request, rows, "loan__enterprise__region_code")


def is_guarantor(request) -> bool:
    """Compensation events are the guarantor's to record (its page); a bank sees them but cannot add one."""
    actor = api_actor(request)
    return actor is not None and guarantor_staff_of(actor) is not None
