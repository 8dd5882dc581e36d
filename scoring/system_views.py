"""Bureau pages for indicator systems: list, inspect, clone, edit (while unfrozen) and freeze."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.permissions import bureau_admin, bureau_admin_required, bureau_required

from .compare_views import comparison_chart
from .forms import STAGE_LABELS, CloneForm, IndicatorFormSet, IndicatorSystemForm, PreviewForm
from .indicator_systems import (
    batch_missing_fields,
    indicator_system_clone,
    indicator_system_draft,
    indicator_system_errors,
    indicator_system_freeze,
    indicator_system_update,
    system_extra_fields,
)
from .models import IndicatorSystem
from .sandbox import sandbox_preview


@bureau_required
def system_list(request):
    systems = IndicatorSystem.objects.visible_to(request.user).select_related("parent")
    return render(request, "scoring/system_list.html", {"systems": systems})


@bureau_required
def system_detail(request, pk: int):
    system = get_object_or_404(IndicatorSystem.objects.visible_to(request.user), pk=pk)
    context = {
        "system": system,
        "indicators": system.indicators.all(),
        "errors": [] if system.frozen else indicator_system_errors(system),
        "editable": bureau_admin(request.user)
        and IndicatorSystem.objects.editable_by(request.user).filter(pk=pk).exists(),
        "can_manage": bureau_admin(request.user),
        "clone_form": CloneForm(initial={"code": system.code, "name": system.name}),
    }
    return render(request, "scoring/system_detail.html", context)


@bureau_admin_required
@require_POST
def system_clone(request, pk: int):
    source = get_object_or_404(IndicatorSystem.objects.visible_to(request.user), pk=pk)
    form = CloneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写有效的体系代码和名称。"))
        return redirect("scoring:system-detail", pk=pk)
    try:
        clone = indicator_system_clone(
            source=source, user=request.user, region_scope=request.user.bureau_staff.region_scope, **form.cleaned_data
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("scoring:system-detail", pk=pk)
    messages.success(request, _("已复制为 %(key)s,可以编辑。") % {"key": clone.key})
    return redirect("scoring:system-edit", pk=clone.pk)


def _preview_context(preview, system: IndicatorSystem) -> dict:
    """What the editor shows of a sandbox preview: both funnels side by side (grades, provinces) and the comparison
    (the run comparison page's body, ``scoring/_comparison.html``)."""
    run, comparison = preview.published_run, preview.comparison
    published = preview.published
    grades = [(grade, count, dict(published.by_grade)[grade] if published else None)
              for grade, count in preview.draft.by_grade]  # fmt: skip
    published_provinces = {row["key"]: row for row in published.by_province} if published else {}
    provinces = [{**row, "published": published_provinces.get(row["key"], {}).get("eligible")}
                 for row in preview.draft.by_province]  # fmt: skip
    return {
        "preview": preview, "preview_grades": grades, "preview_provinces": provinces, "comparison": comparison,
        "chart": comparison_chart(comparison) if comparison else None,
        "migration_rows": list(zip(comparison.grades, comparison.migration, strict=True)) if comparison else [],
        "base_name": _("已发布 #%(pk)s %(key)s") % {"pk": run.pk, "key": run.system.key} if run else "",
        "other_name": _("草稿 %(key)s") % {"key": system.key},
    }  # fmt: skip


@bureau_admin_required
def system_edit(request, pk: int):
    """Edit an unfrozen system (administrators only). "Preview" (``action=preview``) scores the chosen batch with
    the edited, unsaved system in memory (``scoring.sandbox``) and shows it beside the batch's published run."""
    system = get_object_or_404(IndicatorSystem.objects.editable_by(request.user), pk=pk)
    form = IndicatorSystemForm(request.POST or None, instance=system)
    extra_fields = system_extra_fields(system)
    formset = IndicatorFormSet(request.POST or None, instance=system, form_kwargs={"extra_fields": extra_fields})
    preview_form = PreviewForm(request.POST if request.POST.get("action") == "preview" else None,
                               system=system, user=request.user)  # fmt: skip
    context = {"system": system, "form": form, "formset": formset, "preview_form": preview_form,
               "stages": STAGE_LABELS}  # fmt: skip
    if request.method == "POST" and request.POST.get("action") == "preview":
        if form.is_valid() and formset.is_valid() and preview_form.is_valid():
            definition = indicator_system_draft(form=form, formset=formset)
            batch = preview_form.cleaned_data["batch"]
            context["draft_errors"] = definition.validate(extra_fields=extra_fields)
            missing = batch_missing_fields(definition, batch)
            if missing:  # a local indicator on a field this batch's firms do not file
                context["draft_errors"].append(
                    _("预览批次“%(batch)s”没有以下扩展字段,请换一个批次或先为该批次添加:%(fields)s")
                    % {"batch": batch.name, "fields": "、".join(missing)}
                )
            if not context["draft_errors"]:
                preview = sandbox_preview(who=request.user, batch=batch, system=system, definition=definition)
                context |= _preview_context(preview, system)
        return render(request, "scoring/system_edit.html", context)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            indicator_system_update(system=system, form=form, formset=formset)
        except ApplicationError as error:  # frozen by a run since the page was opened
            messages.error(request, error.message)
        else:
            messages.success(request, _("指标体系已保存。"))
        return redirect("scoring:system-detail", pk=pk)
    return render(request, "scoring/system_edit.html", context)


@bureau_admin_required
@require_POST
def system_freeze(request, pk: int):
    system = get_object_or_404(IndicatorSystem.objects.editable_by(request.user), pk=pk)
    try:
        indicator_system_freeze(system=system)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("指标体系已冻结,可用于评分。"))
    return redirect("scoring:system-detail", pk=pk)
