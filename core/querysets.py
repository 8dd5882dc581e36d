"""Per-user visibility of the organisations' records in ``core.models``."""

from django.db import models
from django.db.models import Q

from .choices import InstitutionKind
from .permissions import bank_officer_of


class BankOfficerQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A bank officer sees the officers of their own bank."""
        officer = bank_officer_of(user)
        if officer is None:
            return self.none()
        return self.filter(bank_id=officer.bank_id)


def guarantor_takes_part(institution, prefix: str = "") -> Q:
    """The one rule of which guarantees a guarantor sees, as a condition on ``<prefix>`` guarantee fields: the
    national fund those it shares in, any other guarantor those it gives or re-guarantees. Guarantees filter with
    it directly, loans through their guarantee (``prefix="guarantee__"``)."""
    if institution.kind == InstitutionKind.NATIONAL_FUND:
        return Q(**{f"{prefix}national_fund_share__gt": 0})
    return Q(**{f"{prefix}guarantor_id": institution.pk}) | Q(**{f"{prefix}reguarantor_id": institution.pk})
