"""Bureau pages of the policy library: list, create and edit (administrators of the policy's region), a policy's
page with its reach by region and section, its matching firms and near-misses, their export, and "match now".
Thin: forms validate, services write, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.audit import audit_entries_of
from core.exports import csv_lines, xlsx_row
from core.permissions import bureau_admin, bureau_admin_required, bureau_required

from .forms import PolicyForm
from .models import Policy
from .presenters import export_header, export_rows, match_lines
from .selectors import policy_counts, policy_matches, policy_reach
from .services import policy_create, policy_update
from .tasks import policy_match_task

LIST_SHOWN = 50


@bureau_required
@require_GET
def policy_list(request):
    policies = list(Policy.objects.visible_to(request.user))
    counts = policy_counts(who=request.user)
    for policy in policies:
        policy.matched_count, policy.near_count = counts.get(policy.pk, (0, 0))
    return render(request, "policies/policy_list.html",
                  {"policies": policies, "can_create": bureau_admin(request.user)})  # fmt: skip


def _form_page(request, form: PolicyForm, policy: Policy | None = None):
    if request.method == "POST" and form.is_valid():
        try:
            fields = form.service_fields()
            if policy is None:
                policy = policy_create(user=request.user, **fields)
            else:
                policy = policy_update(policy=policy, user=request.user, **fields)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("政策已保存(第 %(version)s 版),正在匹配企业。") % {"version": policy.version})
            return redirect("policies:detail", pk=policy.pk)
    if form.errors:
        messages.error(request, _("政策有误,未保存。请按提示修改后重试。"))
    status = 400 if form.errors else 200
    return render(request, "policies/policy_form.html", {"form": form, "policy": policy}, status=status)


@bureau_admin_required
def policy_create_view(request):
    region = request.bureau_staff.region_scope
    return _form_page(request, PolicyForm(request.POST or None, region=region))


@bureau_required
def policy_edit(request, pk: int):
    policy = get_object_or_404(Policy.objects.managed_by(request.user), pk=pk)
    form = PolicyForm(request.POST or None, instance=policy, region=request.bureau_staff.region_scope)
    return _form_page(request, form, policy)


@bureau_required
@require_GET
def policy_detail(request, pk: int):
    policy = get_object_or_404(Policy.objects.visible_to(request.user), pk=pk)
    region = request.bureau_staff.region_scope
    rows = policy_matches(policy=policy, who=request.user)
    matched, near = rows.take(~rows.near), rows.take(rows.near)
    context = {
        "policy": policy, "reach": policy_reach(policy=policy, who=request.user, region=region, rows=rows),
        "matched": match_lines(policy, matched.ordered("region", "enterprise_id").rows(LIST_SHOWN)),
        "near": match_lines(policy, near.ordered("condition", "gap", "enterprise_id").rows(LIST_SHOWN)),
        "shown": LIST_SHOWN, "versions": policy.versions.select_related("saved_by")[:20],
        "audit": audit_entries_of(policy)[:20],
        "can_manage": Policy.objects.managed_by(request.user).filter(pk=pk).exists(),
    }  # fmt: skip
    return render(request, "policies/policy_detail.html", context)


@bureau_required
@require_POST
def policy_match(request, pk: int):
    """Queues the matching (a worker loads every published run it concerns); on the embedded default it has run by
    the time the page reloads."""
    policy = get_object_or_404(Policy.objects.managed_by(request.user), pk=pk)
    policy_match_task.delay(policy.pk)
    messages.success(request, _("已开始匹配。完成后本页显示最新的覆盖企业。"))
    return redirect("policies:detail", pk=policy.pk)


@bureau_required
@require_GET
def policy_export(request, pk: int):
    """The 免申即享 list (matching firms) or the near-misses (``?near=1``), CSV or ``?format=xlsx``."""
    policy = get_object_or_404(Policy.objects.visible_to(request.user), pk=pk)
    near = request.GET.get("near") == "1"
    rows = policy_matches(policy=policy, who=request.user, near=near).ordered("region", "enterprise_id")
    name = f"policy{policy.pk}-{'near' if near else 'matched'}"
    header = export_header(near=near)
    if request.GET.get("format") == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("免申即享名单") if not near else _("差一项条件"))
        sheet.append(xlsx_row(sheet, header))
        for row in export_rows(policy, rows, near=near):
            sheet.append(xlsx_row(sheet, row))
        response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        book.save(response)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = StreamingHttpResponse(csv_lines(header, export_rows(policy, rows, near=near)),
                                     content_type="text/csv; charset=utf-8")  # fmt: skip
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
