"""Bureau pages for batches and scoring runs: start a run, watch it live, publish it. Thin: services do the work."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import ApplicationError
from core.models import Region
from core.permissions import bureau_required
from enterprises.models import Batch

from .choices import Stage
from .models import ScoringRun
from .services import scoring_run_cancel, scoring_run_create, scoring_run_publish

PHASES = (("load", gettext_lazy("加载数据")), ("score", gettext_lazy("计算")), ("persist", gettext_lazy("写入结果")),
          ("publish", gettext_lazy("发布")), ("total", gettext_lazy("合计")))  # fmt: skip


@bureau_required
def batch_list(request):
    batches = Batch.objects.visible_to(request.user).select_related("scoring__system", "scoring__published_run")
    return render(request, "scoring/batch_list.html", {"batches": batches})


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
    }
    return render(request, "scoring/batch_detail.html", context)


@bureau_required
@require_POST
def run_start(request, pk: int):
    batch = get_object_or_404(Batch.objects.managed_by(request.user), pk=pk)
    try:
        run = scoring_run_create(batch=batch, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("scoring:batch-detail", pk=batch.pk)
    messages.success(request, _("评分任务已创建,正在排队计算。"))
    return redirect("scoring:run-detail", pk=run.pk)


@bureau_required
def run_detail(request, pk: int):
    run = get_object_or_404(ScoringRun.objects.visible_to(request.user).select_related("batch", "system"), pk=pk)
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
            "state_display": run.get_state_display(),
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
    try:
        scoring_run_publish(run=run, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
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
