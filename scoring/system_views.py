"""Bureau pages for indicator systems: list, inspect, clone, edit (while unfrozen) and freeze."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.permissions import bureau_required

from .forms import CloneForm, IndicatorFormSet, IndicatorSystemForm
from .indicator_systems import (
    indicator_system_clone,
    indicator_system_errors,
    indicator_system_freeze,
    indicator_system_update,
)
from .models import IndicatorSystem


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
        "editable": IndicatorSystem.objects.editable_by(request.user).filter(pk=pk).exists(),
        "clone_form": CloneForm(initial={"code": system.code, "name": system.name}),
    }
    return render(request, "scoring/system_detail.html", context)


@bureau_required
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


@bureau_required
def system_edit(request, pk: int):
    system = get_object_or_404(IndicatorSystem.objects.editable_by(request.user), pk=pk)
    form = IndicatorSystemForm(request.POST or None, instance=system)
    formset = IndicatorFormSet(request.POST or None, instance=system)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            indicator_system_update(system=system, form=form, formset=formset)
        except ApplicationError as error:  # frozen by a run since the page was opened
            messages.error(request, error.message)
        else:
            messages.success(request, _("指标体系已保存。"))
        return redirect("scoring:system-detail", pk=pk)
    return render(request, "scoring/system_edit.html", {"system": system, "form": form, "formset": formset})


@bureau_required
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
