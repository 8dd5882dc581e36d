"""Who sees which guarantees: a guarantor those it takes part in, a bank those on its loans; an API client within
its own region. One ``visible_to(actor)`` for pages and the API (the bureau counts guarantees in aggregate)."""

from django.db import models

from core.actors import actor_of
from core.querysets import guarantor_takes_part
from core.regions import in_region

FIRM_REGION = "loan__enterprise__region_code"


class GuaranteeContractQuerySet(models.QuerySet):
    def visible_to(self, who):
        actor = actor_of(who)
        if actor.is_guarantor:
            return in_region(self.filter(guarantor_takes_part(actor)), FIRM_REGION, actor.region)
        if actor.is_bank:
            return in_region(self.filter(loan__bank_id=actor.bank_id), FIRM_REGION, actor.region)
        return self.none()
