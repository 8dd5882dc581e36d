"""Which guarantees an API caller may read and act on: ``GuaranteeContract.objects.visible_to(actor)``, as on the
pages — a guarantor those it takes part in, a bank those on its loans; a client within its own region. Everyone
else: nothing (404s)."""

from django.db.models import QuerySet

from core.actors import actor_of
from guarantees.models import GuaranteeContract


def guarantees_for(request) -> QuerySet[GuaranteeContract]:
    return GuaranteeContract.objects.visible_to(actor_of(request))


def is_guarantor(request) -> bool:
    """Compensation events are the guarantor's to record (its page); a bank sees them but cannot add one."""
    return actor_of(request).is_guarantor
