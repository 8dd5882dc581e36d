from django.contrib import admin

from core.models import GuaranteeInstitution, GuarantorStaff

from .models import CompensationEvent, GuaranteeContract


@admin.register(GuaranteeInstitution)
class GuaranteeInstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region_scope")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(GuarantorStaff)
class GuarantorStaffAdmin(admin.ModelAdmin):
    list_display = ("user", "institution")
    list_filter = ("institution",)
    search_fields = ("user__username", "institution__name")
    autocomplete_fields = ("user",)


class CompensationInline(admin.TabularInline):
    model = CompensationEvent
    extra = 0


@admin.register(GuaranteeContract)
class GuaranteeContractAdmin(admin.ModelAdmin):
    list_display = ("loan", "guarantor", "reguarantor", "amount", "bank_share", "national_fund_share",
                    "provincial_share", "local_share", "reguarantee_fee_rate", "signed_on")  # fmt: skip
    list_filter = ("guarantor", "reguarantor")
    search_fields = ("loan__contract_no", "loan__enterprise__name")
    raw_id_fields = ("loan",)
    list_select_related = ("loan", "guarantor", "reguarantor")
    inlines = [CompensationInline]


@admin.register(CompensationEvent)
class CompensationEventAdmin(admin.ModelAdmin):
    list_display = ("guarantee", "amount", "recovered_amount", "occurred_on")
    list_filter = ("guarantee__guarantor",)
    search_fields = ("guarantee__loan__contract_no",)
    raw_id_fields = ("guarantee",)
