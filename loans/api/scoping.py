"""Which loan contracts an API caller may read: ``LoanContract.objects.visible_to(actor)``, exactly as on the pages —
a bank's officer within their branch, a bank's client within its region, a guarantor the loans it guarantees. Only
the bank updates a loan (``loans.services`` checks)."""

from django.db.models import QuerySet

from core.actors import actor_of
from loans.models import LoanContract, LoanWarning


def loans_for(request) -> QuerySet[LoanContract]:
    return LoanContract.objects.visible_to(actor_of(request))


def warnings_for(request) -> QuerySet[LoanWarning]:
    return LoanWarning.objects.visible_to(actor_of(request))
