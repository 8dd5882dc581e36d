from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from enterprises.models import Batch

from .forms import BaseIndicatorFormSet, IndicatorForm
from .indicator_systems import indicator_system_ensure_editable
from .models import BatchScoring, Indicator, IndicatorSystem, Objection, ScoringRun


class IndicatorInline(admin.TabularInline):
    """The same form and formset as the bureau's own page: weights sum to 100 per stage, tiers ascend, and so on."""

    model = Indicator
    form = IndicatorForm
    formset = BaseIndicatorFormSet
    extra = 0
    fields = ("order", "code", "name", "category", "source_field", "method", "reference", "thresholds", "fractions",
              "weight_startup", "weight_growth", "weight_stable", "is_bonus")  # fmt: skip

    def has_change_permission(self, request, obj=None):
        return not (obj and obj.frozen) and super().has_change_permission(request, obj)

    has_add_permission = has_delete_permission = has_change_permission


@admin.register(IndicatorSystem)
class IndicatorSystemAdmin(admin.ModelAdmin):
    list_display = ("code", "version", "name", "region_scope", "bonus_cap", "frozen", "content_hash")
    list_filter = ("frozen", "region_scope")
    search_fields = ("code", "name")
    readonly_fields = ("content_hash",)
    inlines = [IndicatorInline]

    def has_change_permission(self, request, obj=None):
        return not (obj and obj.frozen) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj and obj.frozen) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        """The freeze guard of ``indicator_system_update``: lock the row and refuse if a run froze it meanwhile (the
        admin's change view runs in one transaction, so the inlines are saved under the same lock)."""
        if change:
            indicator_system_ensure_editable(IndicatorSystem.objects.select_for_update().get(pk=obj.pk))
        super().save_model(request, obj, form, change)


class BatchScoringInline(admin.StackedInline):
    """The batch's indicator system; its published run is shown, never edited: publication goes through
    ``scoring_run_publish``, which checks the run and pushes the lists."""

    model = BatchScoring
    can_delete = False
    readonly_fields = ("published_run",)


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "reference_date", "region_scope", "system", "status", "opens_on", "closes_on",
                    "published_run")  # fmt: skip
    list_select_related = ("scoring__system", "scoring__published_run")
    list_filter = ("year", "status", "scoring__system")
    search_fields = ("name",)
    inlines = [BatchScoringInline]

    @admin.display(description=_("指标体系"))
    def system(self, batch):
        return batch.scoring.system

    @admin.display(description=_("已发布的评分"))
    def published_run(self, batch):
        return batch.scoring.published_run


@admin.register(ScoringRun)
class ScoringRunAdmin(admin.ModelAdmin):
    list_display = ("id", "batch", "system", "state", "progress", "enterprise_count", "created_at", "finished_at",
                    "published_at")  # fmt: skip
    list_filter = ("state", "batch")
    readonly_fields = [f.name for f in ScoringRun._meta.fields]

    def has_add_permission(self, request):
        return False  # runs are started from the bureau pages or `score_batch`, which claim them properly


# Score has no admin page: Django 5.2 refuses to register a model with a composite primary key, and a run holds
# hundreds of thousands of rows anyway. Scores are read on the bureau pages and exported with `export_run`.


@admin.register(Objection)
class ObjectionAdmin(admin.ModelAdmin):
    """Read only: objections are lodged and decided on the firm's and the bureau's pages (``scoring.objections``),
    which correct the filing, notify the firm and audit each step."""

    list_display = ("id", "enterprise", "run", "subject", "status", "created_at", "decided_at")
    list_filter = ("status",)
    list_select_related = ("enterprise", "run__batch")
    search_fields = ("enterprise__name", "enterprise__credit_code")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
