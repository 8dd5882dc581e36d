from django.contrib import admin

from .models import LoanContract


@admin.register(LoanContract)
class LoanContractAdmin(admin.ModelAdmin):
    list_display = ("contract_no", "enterprise", "bank", "product", "amount", "rate", "term_months", "signed_on",
                    "repayment_status", "guarantee_mode", "relending_eligible")  # fmt: skip
    list_filter = ("bank", "repayment_status", "guarantee_mode", "relending_eligible")
    search_fields = ("contract_no", "enterprise__name", "enterprise__credit_code")
    raw_id_fields = ("enterprise", "recommendation", "officer")
    list_select_related = ("enterprise", "bank", "product")
    date_hierarchy = "signed_on"
