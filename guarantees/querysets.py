"""Per-user visibility of guarantees: a guarantor sees those it takes part in; a bank those on its loans."""

from django.db import models

from core.permissions import bank_officer_of, bureau_staff_of, guarantor_staff_of
from core.querysets import guarantor_takes_part


class GuaranteeContractQuerySet(models.QuerySet):
    def visible_to(self, user):
        staff = guarantor_staff_of(user)
        if staff is not None:
            return self.filter(guarantor_takes_part(staff.institution))
        officer = bank_officer_of(user)
        if officer is not None:
            rows = self.filter(loan__bank_id=officer.bank_id)
            if officer.branch_id is not None:
                rows = rows.filter(loan__enterprise__region_code__startswith=officer.branch.region_scope)
            return rows
        bureau = bureau_staff_of(user)
        if bureau is not None:
            return self.filter(loan__enterprise__region_code__startswith=bureau.region_scope)
        return self.none()
