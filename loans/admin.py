from django.contrib import admin

from .models import LoanContract, LoanWarning


@admin.register(LoanContract)
class LoanContractAdmin(admin.ModelAdmin):
    list_display = ("contract_no", "enterprise", "bank", "product", "amount", "rate", "term_months", "signed_on",
                    "repayment_status", "guarantee_mode", "relending_eligible")  # fmt: skip
    list_filter = ("bank", "repayment_status", "guarantee_mode", "relending_eligible")
    search_fields = ("contract_no", "enterprise__name", "enterprise__credit_code")
    raw_id_fields = ("enterprise", "recommendation", "officer")
    list_select_related = ("enterprise", "bank", "product")
    date_hierarchy = "signed_on"


@admin.register(LoanWarning)
class LoanWarningAdmin(admin.ModelAdmin):
    list_display = (
        "loan",
        "kind",
        "previous_grade",
        "grade",
        "previous_total",
        "total",
        "created_at",
        "acknowledged_at",
    )
    list_filter = ("kind",)
    search_fields = ("loan__contract_no", "enterprise__name", "enterprise__credit_code")
    raw_id_fields = ("loan", "enterprise", "batch", "run", "acknowledged_by")
    list_select_related = ("loan",)
