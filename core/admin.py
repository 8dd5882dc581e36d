from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiClient, BureauStaff, IndustrySection, Region, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_active", "last_login")
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("联系方式"), {"fields": ("phone",)}))


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(IndustrySection)
class IndustrySectionAdmin(admin.ModelAdmin):
    list_display = ("letter", "name")
    search_fields = ("letter", "name")


@admin.register(BureauStaff)
class BureauStaffAdmin(admin.ModelAdmin):
    list_display = ("user", "bureau_name", "region_scope", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "bureau_name", "region_scope")
    autocomplete_fields = ("user",)


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Read and revoke only. Tokens are issued on the pages — a bank's by its administrator, others by a bureau
    administrator — where the token is shown once on the response, never in a message (messages travel in the
    session or a cookie). An institution or scope is never changed here: a token would silently act for another."""

    list_display = (
        "name", "bank", "guarantor", "region_scope", "token_prefix", "created_at", "last_used_at", "revoked_at"
    )  # fmt: skip
    list_select_related = ("bank", "guarantor")
    list_filter = ("bank", "guarantor", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "token_prefix")
    readonly_fields = (
        "bank", "guarantor", "region_scope", "scopes", "token_prefix", "created_by", "last_used_at", "service_user"
    )  # fmt: skip
    exclude = ("token_digest",)

    def has_add_permission(self, request):
        return False


# --- The audit trail (core/audit.py): readable by staff with the "view log entry" permission, never edited or deleted
# here (auditlog's own admin lets a superuser delete entries).
admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditLogEntryAdmin(LogEntryAdmin):
    list_per_page = 50
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        return False
