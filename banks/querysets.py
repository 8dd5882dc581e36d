"""Per-user visibility of bank objects: one ``visible_to(user)`` per model. A foreign bank's rows are simply absent."""

from django.db import models

from core.permissions import bank_officer_of, bureau_staff_of


class RecommendationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An officer sees their bank's lists, limited to their branch's regions; bureau staff see their region's."""
        officer = bank_officer_of(user)
        if officer is not None:
            rows = self.filter(bank_id=officer.bank_id)
            if officer.branch_id is not None:
                rows = rows.filter(region_code__startswith=officer.branch.region_scope)
            return rows
        staff = bureau_staff_of(user)
        if staff is not None:
            return self.filter(region_code__startswith=staff.region_scope)
        return self.none()

    def current(self):
        """Rows of lists not superseded by a newer published run."""
        return self.filter(superseded=False)


class LoanProductQuerySet(models.QuerySet):
    def visible_to(self, user):
        officer = bank_officer_of(user)
        if officer is None:
            return self.none()
        return self.filter(bank_id=officer.bank_id)
