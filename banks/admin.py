from django.contrib import admin

from core.models import Bank, BankOfficer, Branch

from .models import LoanProduct, Notice, Recommendation, RecommendationList


class BranchInline(admin.TabularInline):
    model = Branch
    extra = 0


@admin.register(Bank)
class BankAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "short_name", "kind", "is_national", "region_scope", "relending_participant")
    list_filter = ("kind", "is_national", "relending_participant")
    search_fields = ("code", "name", "short_name")
    inlines = [BranchInline]


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ("name", "bank", "region_scope")
    list_filter = ("bank",)
    search_fields = ("name", "region_scope")


@admin.register(BankOfficer)
class BankOfficerAdmin(admin.ModelAdmin):
    list_display = ("user", "bank", "branch", "is_admin")
    list_filter = ("bank", "is_admin")
    search_fields = ("user__username", "bank__name")
    autocomplete_fields = ("user",)
    list_select_related = ("user", "bank", "branch")


@admin.register(LoanProduct)
class LoanProductAdmin(admin.ModelAdmin):
    list_display = ("name", "bank", "min_grade", "max_amount", "term_months", "rate_spread_bp", "active")
    list_filter = ("bank", "min_grade", "active")
    search_fields = ("name", "bank__name")
    filter_horizontal = ("branches",)


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "bank", "run", "list_rank", "total", "grade", "suggested_line", "preferred",
                    "status", "officer", "superseded")  # fmt: skip
    list_filter = ("bank", "status", "grade", "preferred", "superseded")
    search_fields = ("enterprise__name", "enterprise__credit_code")
    raw_id_fields = ("run", "enterprise", "officer")
    list_select_related = ("enterprise", "bank", "officer", "run")
    show_full_result_count = False


@admin.register(RecommendationList)
class RecommendationListAdmin(admin.ModelAdmin):
    list_display = ("run", "bank", "size", "seconds", "created_at")
    list_filter = ("bank",)
    list_select_related = ("run", "bank")


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("user", "message", "created_at", "read_at")
    raw_id_fields = ("user",)
    list_select_related = ("user",)
