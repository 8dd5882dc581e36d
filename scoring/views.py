"""Bureau pages for batches and scoring runs: start a run, watch it live, publish it. Thin: services do the work."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import ApplicationError
from core.models import Region
from core.permissions import bureau_admin, bureau_admin_required, bureau_required
from enterprises.batch_fields import batch_fields_of
from enterprises.choices import BatchStatus
from enterprises.models import Batch
from enterprises.services import batch_status_set

from .choices import Stage
from .forms import BatchForm, PublishForm, RunStartForm
from .models import Objection, ScoringRun
from .notice import release_due_check
from .selectors import awaiting_review_count
from .services import batch_create, batch_update, scoring_run_cancel, scoring_run_create, scoring_run_publish

PHASES = (("load", gettext_lazy("加载数据")), ("score", gettext_lazy("计算")), ("persist", gettext_lazy("写入结果")),
          ("publish", gettext_lazy("发布")), ("total", gettext_lazy("合计")))  # fmt: skip


@bureau_required
def batch_list(request):
    batches = Batch.objects.visible_to(request.user).select_related("scoring__system", "scoring__published_run")
    return render(request, "scoring/batch_list.html", {"batches": batches, "can_create": bureau_admin(request.user)})


def _batch_form_page(request, form, batch=None):
    if request.method == "POST" and form.is_valid():
        try:
            fields = {"system": form.cleaned_data["system"], "user": request.user, **form.service_fields()}
            batch = batch_create(**fields) if batch is None else batch_update(batch=batch, **fields)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("批次已保存。"))
            return redirect("scoring:batch-detail", pk=batch.pk)
    if form.errors:
        messages.error(request, _("批次设置有误,未保存。请按提示修改后重试。"))
    status = 400 if form.errors else 200
    return render(request, "scoring/batch_form.html", {"form": form, "batch": batch}, status=status)


@bureau_admin_required
def batch_create_view(request):
    return _batch_form_page(request, BatchForm(request.POST or None, user=request.user))


@bureau_required
def batch_edit(request, pk: int):
    batch = get_object_or_404(Batch.objects.managed_by(request.user).select_related("scoring"), pk=pk)
    return _batch_form_page(request, BatchForm(request.POST or None, instance=batch, user=request.user), batch)


def _batch_status(request, pk: int, status: str, done: str):
    batch = get_object_or_404(Batch.objects.managed_by(request.user), pk=pk)
    try:
        batch_status_set(batch=batch, status=status, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("scoring:batch-detail", pk=batch.pk)


@bureau_required
@require_POST
def batch_open(request, pk: int):
    return _batch_status(request, pk, BatchStatus.OPEN, _("已开放填报。"))


@bureau_required
@require_POST
def batch_close(request, pk: int):
    return _batch_status(request, pk, BatchStatus.CLOSED, _("已截止填报。"))


@bureau_required
def batch_detail(request, pk: int):
    batch = get_object_or_404(
        Batch.objects.visible_to(request.user).select_related("scoring__system", "scoring__published_run"), pk=pk
    )
    context = {
        "batch": batch,
        "runs": batch.runs.select_related("system", "created_by")[:20],
        "can_manage": Batch.objects.managed_by(request.user).filter(pk=pk).exists(),
        "published": batch.scoring.published_run,
        "start_form": RunStartForm(batch=batch, user=request.user),
        "extra_fields": batch_fields_of(batch.pk),
    }
    return render(request, "scoring/batch_detail.html", context)


@bureau_required
@require_POST
def run_start(request, pk: int):
    """Creates the run and returns at once: a worker (or the embedded default's background thread) computes it."""
    batch = get_object_or_404(Batch.objects.managed_by(request.user).select_related("scoring"), pk=pk)
    form = RunStartForm(request.POST, batch=batch, user=request.user)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}:{' '.join(errors)}" if label else " ".join(errors))
        return redirect("scoring:batch-detail", pk=batch.pk)
    try:
        run = scoring_run_create(batch=batch, user=request.user, system=form.cleaned_data["system"] or None,
                                 trial=form.cleaned_data["trial"])  # fmt: skip
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("scoring:batch-detail", pk=batch.pk)
    messages.success(request, _("评分任务已创建,正在后台计算,本页显示实时进度。"))
    return redirect("scoring:run-detail", pk=run.pk)


@bureau_required
def run_detail(request, pk: int):
    release_due_check()
    run = get_object_or_404(
        ScoringRun.objects.visible_to(request.user).select_related("batch__scoring__published_run", "system"), pk=pk
    )
    can_manage = Batch.objects.managed_by(request.user).filter(pk=run.batch_id).exists()
    counts = run.counts or {}
    stages = dict(Stage.choices)
    provinces = {code[:2]: name for code, name in Region.objects.filter(level="province").values_list("code", "name")}
    context = {
        "run": run,
        "can_manage": can_manage,
        "stage_counts": [(stages.get(k, k), v) for k, v in counts.get("by_stage", {}).items()],
        "province_counts": [(provinces.get(k, k), v) for k, v in counts.get("by_province", {}).items()],
        "phase_timings": [(label, run.timings[key]) for key, label in PHASES if key in (run.timings or {})],
        "published_run": run.batch.scoring.published_run,
        "awaiting_review": awaiting_review_count(batch=run.batch) if can_manage and run.state == "computed" else 0,
        "publish_form": PublishForm(initial={"notice_days": run.batch.notice_days}),
        "objections": Objection.objects.visible_to(request.user).filter(run=run).count(),
        "pending_objections": Objection.objects.visible_to(request.user).filter(run=run, status="pending").count(),
    }
    return render(request, "scoring/run_detail.html", context)


@bureau_required
@require_GET
def run_progress(request, pk: int):
    """Polled by the run page every second while the run is active."""
    run = get_object_or_404(ScoringRun.objects.visible_to(request.user), pk=pk)
    return JsonResponse(
        {
            "state": run.state,
            "state_display": run.state_label,
            "progress": run.progress,
            "heartbeat_at": run.heartbeat_at.isoformat() if run.heartbeat_at else None,
            "timings": run.timings,
            "error": run.error,
        }
    )


@bureau_required
@require_POST
def run_publish(request, pk: int):
    run = get_object_or_404(ScoringRun.objects.filter(batch__in=Batch.objects.managed_by(request.user)), pk=pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{form.fields['notice_days'].label}:{' '.join(form.errors.get('notice_days', []))}")
        return redirect("scoring:run-detail", pk=run.pk)
    try:
        days = form.cleaned_data["notice_days"]
        days = run.batch.notice_days if days is None else days
        run = scoring_run_publish(run=run, user=request.user, notice_days=days)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if run.released_at is None:
            messages.success(
                request, _("评分结果已发布,公示至 %(date)s;期满后推送银行。") % {"date": run.notice_ends_on}
            )
        else:
            messages.success(request, _("评分结果已发布。"))
    return redirect("scoring:run-detail", pk=run.pk)


@bureau_required
@require_POST
def run_cancel(request, pk: int):
    run = get_object_or_404(ScoringRun.objects.filter(batch__in=Batch.objects.managed_by(request.user)), pk=pk)
    try:
        scoring_run_cancel(run=run, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("scoring:run-detail", pk=run.pk)
