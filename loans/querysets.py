"""Who sees which loan contracts: a bank its own (within its region), a guarantor those it guarantees
(``core.querysets.guarantor_takes_part``). One ``visible_to(actor)`` for pages and the API. The bureau counts loans
in aggregate (``dashboard.selectors``) and reads no contract."""

from django.db import models

from core.actors import actor_of
from core.querysets import guarantor_takes_part
from core.regions import in_region

FIRM_REGION = "enterprise__region_code"


class LoanContractQuerySet(models.QuerySet):
    def visible_to(self, who):
        actor = actor_of(who)
        if actor.is_bank:
            return in_region(self.filter(bank_id=actor.bank_id), FIRM_REGION, actor.region)
        if actor.is_guarantor:
            return in_region(self.filter(guarantor_takes_part(actor, "guarantee__")), FIRM_REGION, actor.region)
        return self.none()


class LoanWarningQuerySet(models.QuerySet):
    """A post-loan warning is seen by whoever sees its loan at the lending bank (a guarantor reads the loan, not the
    bank's watch list)."""

    def visible_to(self, who):
        from .models import LoanContract

        actor = actor_of(who)
        if not actor.is_bank:
            return self.none()
        return self.filter(loan__in=LoanContract.objects.visible_to(actor).values("pk"))

    def open(self):
        return self.filter(acknowledged_at__isnull=True)
