"""Who sees the organisations' records in ``core.models``, and which guarantees a guarantor takes part in."""

from django.db import models
from django.db.models import Q

from .actors import BUREAU, PLATFORM, actor_of
from .choices import InstitutionKind
from .regions import overlapping_region


class BankOfficerQuerySet(models.QuerySet):
    def visible_to(self, who):
        """A bank sees its own officers."""
        actor = actor_of(who)
        return self.filter(bank_id=actor.bank_id) if actor.is_bank else self.none()


class OrganisationQuerySet(models.QuerySet):
    """Banks, their branches and guarantee institutions are the platform's public reference (a firm names banks in
    its consent, a bank names guarantors on a guarantee): every caller who is someone sees them, a bureau (or a
    regional platform) those working in its region (their scope overlaps it; a national one's is empty)."""

    def visible_to(self, who):
        actor = actor_of(who)
        if actor.sees_nothing:
            return self.none()
        if actor.kind in (BUREAU, PLATFORM):
            return overlapping_region(self, actor.region)
        return self


def guarantor_takes_part(guarantor, prefix: str = "") -> Q:
    """The one rule of which guarantees a guarantor (an ``Actor``) sees, as a condition on ``<prefix>`` guarantee
    fields: the national fund those it shares in, any other guarantor those it gives or re-guarantees. Guarantees
    filter with it directly, loans through their guarantee (``prefix="guarantee__"``)."""
    if guarantor.guarantor_kind == InstitutionKind.NATIONAL_FUND:
        return Q(**{f"{prefix}national_fund_share__gt": 0})
    pk = guarantor.guarantor_id
    return Q(**{f"{prefix}guarantor_id": pk}) | Q(**{f"{prefix}reguarantor_id": pk})
