from django.contrib import admin

from .models import Consent, Enterprise, EnterpriseMembership, Submission


class MembershipInline(admin.TabularInline):
    model = EnterpriseMembership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "region_code", "industry_code", "established", "size_class",
                    "is_high_tech_enterprise", "is_tech_sme")  # fmt: skip
    list_filter = ("section", "size_class", "is_high_tech_enterprise", "is_tech_sme", "is_specialised_sme",
                   "is_little_giant")  # fmt: skip
    search_fields = ("name", "credit_code", "region_code")
    readonly_fields = ("section",)
    list_select_related = ("section",)
    inlines = [MembershipInline]
    show_full_result_count = False  # a COUNT(*) over 500,000 firms on every page is wasted work


@admin.register(EnterpriseMembership)
class EnterpriseMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "enterprise", "role", "approved", "created_at")
    list_filter = ("role", "approved")
    search_fields = ("user__username", "enterprise__name", "enterprise__credit_code")
    autocomplete_fields = ("user", "enterprise")


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "bank", "scope", "granted_at", "expires_at", "revoked_at")
    list_filter = ("bank", "scope", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("enterprise__name", "enterprise__credit_code")
    autocomplete_fields = ("enterprise",)
    list_select_related = ("enterprise", "bank")


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "batch", "status", "data_source", "revenue", "rd_expense", "submitted_at",
                    "reviewer")  # fmt: skip
    list_filter = ("batch", "status", "data_source", "is_high_tech_enterprise", "is_tech_sme")
    search_fields = ("enterprise__name", "enterprise__credit_code")
    autocomplete_fields = ("enterprise", "reviewer")
    filter_horizontal = ("preferred_banks",)
    list_select_related = ("enterprise", "batch", "reviewer")
    show_full_result_count = False
