"""Per-user visibility of loan contracts: a bank sees its own (its branch's regions), bureau staff their region's."""

from django.db import models

from core.permissions import bank_officer_of, bureau_staff_of, guarantor_staff_of
from core.querysets import guarantor_takes_part


class LoanContractQuerySet(models.QuerySet):
    def visible_to(self, user):
        officer = bank_officer_of(user)
        if officer is not None:
            rows = self.filter(bank_id=officer.bank_id)
            if officer.branch_id is not None:
                rows = rows.filter(enterprise__region_code__startswith=officer.branch.region_scope)
            return rows
        staff = bureau_staff_of(user)
        if staff is not None:
            return self.filter(enterprise__region_code__startswith=staff.region_scope)
        guarantor = guarantor_staff_of(user)
        if guarantor is not None:
            return self.filter(guarantor_takes_part(guarantor.institution, "guarantee__"))
        return self.none()
