"""Who sees which bank objects: one ``visible_to(actor)`` per model (an ``Actor``, or a user it is worked out from).
A foreign bank's rows are simply absent."""

from django.db import models
from django.db.models import BooleanField, Q, Value

from core.actors import ENTERPRISE, actor_of
from core.regions import in_region

WORKED = ~Q(status="new") | Q(officer__isnull=False) | ~Q(notes="")
"""Rows an officer has worked on (status moved, claimed, or noted): what stays, masked, when consent lapses."""


class RecommendationQuerySet(models.QuerySet):
    def visible_to(self, who):
        """A bank (its officers, its API clients) sees its own lists within its region: the officer's branch, the
        client's region. Nobody else reads a list row — it carries the bank's own work (status, notes); the bureau's
        funnel counts rows in aggregate (``dashboard.selectors``).

        Consent governs every read (methodology §7): each row carries ``consented`` — the firm consents *now* to this
        bank — and a row whose consent lapsed (revoked, expired) is gone at the next request, unless the bank's
        officers already worked it: that stays in the bank's records as a masked line (``Recommendation.masked``),
        its figures withheld on every page, export and API response.
        """
        actor = actor_of(who)
        if not actor.is_bank:
            return self.none()
        from enterprises.selectors import consent_covers_bank  # enterprises' models import nothing of ours

        rows = self._own(actor).annotate(consented=consent_covers_bank(actor.bank_id))
        return rows.filter(Q(consented=True) | WORKED)

    def listed_to(self, who):
        """``visible_to(who).consented()`` — the rows the bank reads with their figures: lists, filters, exports —
        written as one semi-join. The consent ``EXISTS`` at the top of the WHERE is probed per row (a page of 51
        reads 51 index entries), whereas inside ``visible_to``'s OR (consents now, or already worked) PostgreSQL
        runs it as a subplan hashed over every active consent, planned for the whole list even under a LIMIT, once
        more for the ``consented`` annotation (bench/list_bench.py; at 17,000 rows the page's rows query took 407 ms
        that way and 7 ms probed). ``tests/test_one_scoping.py`` proves both give the same rows for every caller."""
        actor = actor_of(who)
        if not actor.is_bank:
            return self.none()
        from enterprises.selectors import consent_covers_bank

        rows = self._own(actor).filter(consent_covers_bank(actor.bank_id))
        return rows.annotate(consented=Value(True, output_field=BooleanField()))

    def masked_to(self, who):
        """``visible_to(who).filter(consented=False)`` — the bank's worked rows whose consent lapsed, its masked
        lines — as an anti-join on the few worked rows, for the reason ``listed_to`` gives."""
        actor = actor_of(who)
        if not actor.is_bank:
            return self.none()
        from enterprises.selectors import consent_covers_bank

        rows = self._own(actor).filter(WORKED).filter(~consent_covers_bank(actor.bank_id))
        return rows.annotate(consented=Value(False, output_field=BooleanField()))

    def _own(self, actor):
        """The bank's rows within the actor's region (an officer's branch, a client's region)."""
        return in_region(self.filter(bank_id=actor.bank_id), "region_code", actor.region)

    def consented(self):
        """Only rows whose firm consents now (lists, filters, exports, the loan form): never a masked line. On rows
        that ``visible_to`` did not annotate (it gave a non-bank nothing) there is nothing to keep."""
        return self.filter(consented=True) if "consented" in self.query.annotations else self.none()

    def current(self):
        """Rows of lists not superseded by a newer published run."""
        return self.filter(superseded=False)


class LoanProductQuerySet(models.QuerySet):
    def visible_to(self, who):
        """A bank sees its own products."""
        actor = actor_of(who)
        return self.filter(bank_id=actor.bank_id) if actor.is_bank else self.none()


class FinancingNeedQuerySet(models.QuerySet):
    def open(self):
        """Not withdrawn and still valid today."""
        from django.utils import timezone

        return self.filter(withdrawn_at__isnull=True, valid_until__gte=timezone.localdate())

    def visible_to(self, who):
        """A member: their own firm's needs (withdrawn ones too). A bank (officers, API clients): the open needs of
        firms in its region that consent to it now (``consent_covers_bank``: the one consent rule). Nobody else."""
        actor = actor_of(who)
        if actor.kind == ENTERPRISE:
            return self.filter(enterprise_id=actor.enterprise_id)
        if not actor.is_bank:
            return self.none()
        from enterprises.selectors import consent_covers_bank

        needs = in_region(self.open(), "enterprise__region_code", actor.region)
        return needs.filter(consent_covers_bank(actor.bank_id))


class FinancingApplicationQuerySet(models.QuerySet):
    def visible_to(self, who):
        """A member: their firm's applications. A bank: those addressed to it, of firms in its region that consent
        to it now, whose need is not withdrawn (withdrawing takes the need back from every bank)."""
        actor = actor_of(who)
        if actor.kind == ENTERPRISE:
            return self.filter(need__enterprise_id=actor.enterprise_id)
        if not actor.is_bank:
            return self.none()
        from enterprises.selectors import consent_covers_bank

        rows = in_region(self.filter(bank_id=actor.bank_id), "need__enterprise__region_code", actor.region)
        return rows.filter(consent_covers_bank(actor.bank_id, "need__enterprise_id"), need__withdrawn_at__isnull=True)
