from django.contrib import admin

from .models import (
    Consent,
    Enterprise,
    EnterpriseMembership,
    ProfileAccessLog,
    Submission,
    SubmissionChange,
    SubmissionEvidence,
)


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only records (audit trail, access log): visible to administrators, never edited or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SubmissionChange)
class SubmissionChangeAdmin(ReadOnlyAdmin):
    list_display = ("submission", "action", "user", "created_at")
    list_filter = ("action",)
    search_fields = ("submission__enterprise__name", "submission__enterprise__credit_code", "user__username")
    list_select_related = ("submission__enterprise", "submission__batch", "user")
    date_hierarchy = "created_at"


@admin.register(SubmissionEvidence)
class SubmissionEvidenceAdmin(ReadOnlyAdmin):
    list_display = ("submission", "original_name", "content_type", "size", "uploaded_by", "created_at")
    list_filter = ("content_type",)
    search_fields = ("submission__enterprise__name", "original_name")
    list_select_related = ("submission__enterprise", "submission__batch", "uploaded_by")


@admin.register(ProfileAccessLog)
class ProfileAccessLogAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "bank", "user", "scope", "ip_address", "accessed_at")
    list_filter = ("bank", "scope")
    search_fields = ("enterprise__name", "enterprise__credit_code", "user__username")
    list_select_related = ("enterprise", "bank", "user")
    date_hierarchy = "accessed_at"
