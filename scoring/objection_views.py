"""Objections to published results: the firm lodges and follows its own; bureau staff of the region handle them
(a queue with filters, one objection's page with the decision). Thin: ``scoring.objections`` decides."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.permissions import bureau_required, enterprise_required
from enterprises.labels import value_label
from enterprises.models import Batch, Submission

from .choices import ObjectionStatus
from .forms import ObjectionDecisionForm, ObjectionForm
from .models import Objection, Score, ScoringRun
from .notice import release_due_check
from .objections import (
    objection_accept,
    objection_lodge,
    objection_pending_of,
    objection_reject,
    objection_rerun,
    objection_subjects,
    objections_of,
    subject_label,
)

PAGE_SIZE = 50


def _form_errors(form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


def _open_runs_of(enterprise) -> list[ScoringRun]:
    """The published runs in their notice period that scored this firm: what it may object to now."""
    runs = ScoringRun.objects.filter(state="published", notice_ends_on__isnull=False,
                                     pk__in=Score.objects.filter(enterprise=enterprise).values("run_id"))  # fmt: skip
    return [run for run in runs.select_related("batch") if run.notice_open]


@enterprise_required
def firm_objections(request):
    """The firm's objections with their outcomes, and the form to lodge one while a result is in its notice."""
    enterprise = request.enterprise
    open_runs = _open_runs_of(enterprise)
    raw_run = request.POST.get("run") or request.GET.get("run") or ""
    run = next((r for r in open_runs if str(r.pk) == raw_run), open_runs[0] if open_runs else None)
    form = ObjectionForm(request.POST or None, request.FILES or None, subjects=objection_subjects())
    status = 200
    if request.method == "POST":
        form.is_valid()  # the fields are optional: the service names what is missing, in one place
        target = ScoringRun.objects.filter(pk=raw_run).first() if raw_run.isdigit() and len(raw_run) < 19 else None
        try:
            if target is None:
                raise ApplicationError(_("该评分结果不在公示期内,不能提出异议。"))
            objection_lodge(run=target, enterprise=enterprise, user=request.user,
                            subject=request.POST.get("subject", ""), reason=request.POST.get("reason", ""),
                            upload=request.FILES.get("file"))  # fmt: skip
        except ApplicationError as error:
            messages.error(request, error.message)
            status = 400
        except ValidationError as error:
            _form_errors(form, error)
            messages.error(request, _("异议未提交。请按提示修改后重试。"))
            status = 400
        else:
            messages.success(request, _("异议已提交,科技管理部门处理后将通知您。"))
            return redirect("report:objections")
    pending = objection_pending_of(enterprise=enterprise, run=run) if run is not None else None
    context = {"enterprise": enterprise, "open_runs": open_runs, "run": run, "form": form, "pending": pending,
               "objections": objections_of(enterprise=enterprise)}  # fmt: skip
    for objection in context["objections"]:
        objection.subject_label = subject_label(objection.subject)
    return render(request, "scoring/firm_objections.html", context, status=status)


@bureau_required
def objection_queue(request):
    release_due_check()
    objections = Objection.objects.visible_to(request.user).select_related("enterprise", "run__batch")
    batches = Batch.objects.visible_to(request.user).filter(runs__objections__isnull=False).distinct()
    status = request.GET.get("status", ObjectionStatus.PENDING)
    status = status if status in ObjectionStatus.values else ""
    raw_batch = request.GET.get("batch", "")
    batch = batches.filter(pk=raw_batch).first() if raw_batch.isdigit() and len(raw_batch) < 19 else None
    subject = request.GET.get("subject", "")
    subjects = objection_subjects()
    subject = subject if subject in dict(subjects) else ""
    search = request.GET.get("q", "").strip()[:50]
    if status:
        objections = objections.filter(status=status)
    if batch is not None:
        objections = objections.filter(run__batch=batch)
    if subject:
        objections = objections.filter(subject=subject)
    if search:
        objections = objections.filter(
            Q(enterprise__name__icontains=search) | Q(enterprise__credit_code__startswith=search)
        )
    page = Paginator(objections, PAGE_SIZE).get_page(request.GET.get("page"))
    for objection in page:
        objection.subject_label = subject_label(objection.subject)
    context = {"page": page, "statuses": ObjectionStatus.choices, "status": status, "batches": batches,
               "batch": batch, "subjects": subjects, "subject": subject, "search": search}  # fmt: skip
    return render(request, "scoring/objection_queue.html", context)


def _visible(request, pk: int) -> Objection:
    return get_object_or_404(
        Objection.objects.visible_to(request.user).select_related(
            "enterprise", "run__batch", "run__system", "evidence", "lodged_by", "decided_by", "rerun"
        ),
        pk=pk,
    )


@bureau_required
def objection_detail(request, pk: int):
    objection = _visible(request, pk)
    filing = Submission.objects.filter(enterprise=objection.enterprise, batch=objection.run.batch).first()
    current = getattr(filing, objection.subject, None) if filing and objection.subject != "total" else None
    form = ObjectionDecisionForm(request.POST or None, subject=objection.subject, current=current)
    can_manage = Batch.objects.managed_by(request.user).filter(pk=objection.run.batch_id).exists()
    status = 200
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError({})
            if form.cleaned_data["decision"] == "accept":
                objection_accept(objection=objection, user=request.user, note=form.cleaned_data["note"],
                                 values=form.values())  # fmt: skip
                messages.success(request, _("异议已采纳,填报已更正,企业已收到通知。"))
                if can_manage:
                    return _rerun(request, objection)
                messages.info(request, _("请由本批次的管理员重新评分并发布。"))
            else:
                objection_reject(objection=objection, user=request.user, note=form.cleaned_data["note"])
                messages.success(request, _("异议已驳回,企业已收到通知。"))
            return redirect("scoring:objection-detail", pk=objection.pk)
        except ApplicationError as error:
            messages.error(request, error.message)
            status = 400
        except ValidationError as error:
            if error.message_dict:
                _form_errors(form, error)
            messages.error(request, _("未处理。请按提示修改后重试。"))
            status = 400
    score = Score.objects.filter(run=objection.run, enterprise=objection.enterprise).first()
    context = {
        "objection": objection,
        "subject_label": subject_label(objection.subject),
        "current": value_label(objection.subject, current) if objection.subject != "total" else None,
        "correction": [
            (subject_label(name), value_label(name, old), value_label(name, new))
            for name, (old, new) in (objection.correction or {}).items()
        ],  # fmt: skip
        "score": score,
        "filing": filing,
        "form": form,
        "can_manage": can_manage,
    }
    return render(request, "scoring/objection_detail.html", context, status=status)


def _rerun(request, objection: Objection):
    try:
        run = objection_rerun(objection=objection, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("scoring:objection-detail", pk=objection.pk)
    messages.success(request, _("已开始重新评分;计算完成后请在本页发布。"))
    return redirect("scoring:run-detail", pk=run.pk)


@bureau_required
@require_POST
def objection_rerun_view(request, pk: int):
    objection = _visible(request, pk)
    if not Batch.objects.managed_by(request.user).filter(pk=objection.run.batch_id).exists():
        messages.error(request, _("只有本批次的管理员可以启动评分。"))
        return redirect("scoring:objection-detail", pk=objection.pk)
    return _rerun(request, objection)
