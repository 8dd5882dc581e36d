"""Who sees the organisations' records in ``core.models``, and which guarantees a guarantor takes part in."""

from django.db import models
from django.db.models import Q

from .actors import actor_of
from .choices import InstitutionKind


class BankOfficerQuerySet(models.QuerySet):
    def visible_to(self, who):
        """A bank sees its own officers."""
        actor = actor_of(who)
        return self.filter(bank_id=actor.bank_id) if actor.is_bank else self.none()


def guarantor_takes_part(guarantor, prefix: str = "") -> Q:
    """The one rule of which guarantees a guarantor (an ``Actor``) sees, as a condition on ``<prefix>`` guarantee
    fields: the national fund those it shares in, any other guarantor those it gives or re-guarantees. Guarantees
    filter with it directly, loans through their guarantee (``prefix="guarantee__"``)."""
    if guarantor.guarantor_kind == InstitutionKind.NATIONAL_FUND:
        return Q(**{f"{prefix}national_fund_share__gt": 0})
    pk = guarantor.guarantor_id
    return Q(**{f"{prefix}guarantor_id": pk}) | Q(**{f"{prefix}reguarantor_id": pk})
