"""Bureau pages for a batch's extra fields (批次扩展字段): list, add, edit, delete. Administrators of the batch's
region only (``Batch.objects.managed_by``, as for editing the batch); ``enterprises.batch_fields`` decides."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.permissions import bureau_required
from enterprises.batch_fields import batch_field_create, batch_field_delete, batch_field_update, batch_fields_of
from enterprises.forms import BatchFieldForm
from enterprises.models import Batch, BatchField


def _page(request, batch, form, field=None, status=200):
    context = {"batch": batch, "fields": batch_fields_of(batch.pk), "form": form, "field": field}
    return render(request, "scoring/batch_fields.html", context, status=status)


def _save(request, batch, form, field=None):
    if not form.is_valid():
        return None
    try:
        if field is None:
            return batch_field_create(batch=batch, user=request.user, code=form.cleaned_data["code"],
                                      **form.service_fields())  # fmt: skip
        return batch_field_update(field=field, user=request.user, **form.service_fields())
    except ValidationError as error:
        form.add_service_errors(error)
    except ApplicationError as error:
        form.add_error(None, error.message)
    return None


@bureau_required
def batch_fields(request, pk: int):
    """The batch's extra fields and the form adding one."""
    batch = get_object_or_404(Batch.objects.managed_by(request.user), pk=pk)
    form = BatchFieldForm(request.POST or None, initial={"order": len(batch_fields_of(batch.pk)) + 1})
    if request.method == "POST":
        saved = _save(request, batch, form)
        if saved is not None:
            messages.success(request, _("已添加扩展字段“%(field)s”,企业填报页将显示该字段。") % {"field": saved.label})
            return redirect("scoring:batch-fields", pk=batch.pk)
        messages.error(request, _("扩展字段有误,未保存。请按提示修改后重试。"))
        return _page(request, batch, form, status=400)
    return _page(request, batch, form)


@bureau_required
def batch_field_edit(request, pk: int, field_pk: int):
    batch = get_object_or_404(Batch.objects.managed_by(request.user), pk=pk)
    field = get_object_or_404(BatchField.objects.filter(batch=batch), pk=field_pk)
    form = BatchFieldForm(request.POST or None, instance=BatchField.objects.get(pk=field.pk))
    if request.method == "POST":
        if _save(request, batch, form, field) is not None:
            messages.success(request, _("扩展字段已保存。"))
            return redirect("scoring:batch-fields", pk=batch.pk)
        messages.error(request, _("扩展字段有误,未保存。请按提示修改后重试。"))
        return _page(request, batch, form, field, status=400)
    return _page(request, batch, form, field)


@bureau_required
@require_POST
def batch_field_delete_view(request, pk: int, field_pk: int):
    batch = get_object_or_404(Batch.objects.managed_by(request.user), pk=pk)
    field = get_object_or_404(BatchField.objects.filter(batch=batch), pk=field_pk)
    try:
        batch_field_delete(field=field, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("扩展字段已删除。"))
    return redirect("scoring:batch-fields", pk=batch.pk)
