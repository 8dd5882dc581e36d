from django.contrib import admin

from .models import Policy, PolicyVersion


class PolicyVersionInline(admin.TabularInline):
    model = PolicyVersion
    extra = 0
    readonly_fields = ("version", "content", "saved_by", "saved_at")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    """Read-only here: a policy is saved through ``policies.services`` (validated, versioned) on the bureau pages."""

    list_display = ("name", "policy_class", "region_scope", "deadline", "active", "version", "matched_at")
    list_filter = ("policy_class", "active")
    search_fields = ("name", "issuer")
    inlines = [PolicyVersionInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
