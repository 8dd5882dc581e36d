"""Who sees which bank objects: one ``visible_to(actor)`` per model (an ``Actor``, or a user it is worked out from).
A foreign bank's rows are simply absent."""

from django.db import models

from core.actors import actor_of
from core.regions import in_region


class RecommendationQuerySet(models.QuerySet):
    def visible_to(self, who):
        """A bank (its officers, its API clients) sees its own lists within its region: the officer's branch, the
        client's region. Nobody else reads a list row — it carries the bank's own work (status, notes); the bureau's
        funnel counts rows in aggregate (``dashboard.selectors``)."""
        actor = actor_of(who)
        if actor.is_bank:
            return in_region(self.filter(bank_id=actor.bank_id), "region_code", actor.region)
        return self.none()

    def current(self):
        """Rows of lists not superseded by a newer published run."""
        return self.filter(superseded=False)


class LoanProductQuerySet(models.QuerySet):
    def visible_to(self, who):
        """A bank sees its own products."""
        actor = actor_of(who)
        return self.filter(bank_id=actor.bank_id) if actor.is_bank else self.none()
