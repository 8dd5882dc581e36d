"""Bureau review of filings: the queue of the reviewer's region, one filing beside last year's, approve or return."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.models import IndustrySection
from core.permissions import bureau_required
from enterprises.models import Batch

from .choices import SubmissionStatus
from .forms import ReturnForm
from .labels import changes_readable
from .models import Submission, SubmissionEvidence
from .selectors import filing_comparison, previous_submission, review_queue, status_counts, submission_history
from .services import submission_approve, submission_bulk_approve, submission_return
from .views import evidence_response

PAGE_SIZE = 50


@bureau_required
def queue(request):
    batches = Batch.objects.visible_to(request.user).order_by("-year", "name")
    batch = batches.filter(pk=request.GET.get("batch")).first() if request.GET.get("batch", "").isdigit() else None
    status = request.GET.get("status", SubmissionStatus.SUBMITTED)
    status = status if status in SubmissionStatus.values else ""
    search = request.GET.get("q", "").strip()[:50]
    section = request.GET.get("section", "")[:1]
    submissions = review_queue(user=request.user, batch=batch, status=status, search=search, section=section)
    page = Paginator(submissions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page, "batches": batches, "batch": batch, "status": status, "search": search, "section": section,
        "sections": IndustrySection.objects.all(), "statuses": SubmissionStatus.choices,
        "counts": status_counts(user=request.user, batch=batch),
    }  # fmt: skip
    return render(request, "enterprises/review_queue.html", context)


@bureau_required
def detail(request, pk: int):
    submission = get_object_or_404(
        Submission.objects.visible_to(request.user).select_related("enterprise", "batch", "reviewer"), pk=pk
    )
    previous = previous_submission(submission=submission)
    context = {
        "submission": submission, "previous": previous, "return_form": ReturnForm(),
        "rows": filing_comparison(submission=submission, previous=previous),
        "history": changes_readable(submission_history(submission=submission)), "evidence": submission.evidence.all(),
    }  # fmt: skip
    return render(request, "enterprises/review_detail.html", context)


@bureau_required
@require_POST
def approve(request, pk: int):
    submission = get_object_or_404(Submission.objects.visible_to(request.user), pk=pk)
    try:
        submission_approve(submission=submission, user=request.user, comment=request.POST.get("comment", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("review:detail", pk=pk)
    messages.success(request, _("已审核通过:%(name)s") % {"name": submission.enterprise.name})
    return redirect("review:queue")


@bureau_required
@require_POST
def return_(request, pk: int):
    submission = get_object_or_404(Submission.objects.visible_to(request.user), pk=pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("退回时必须填写审核意见。"))
        return redirect("review:detail", pk=pk)
    try:
        submission_return(submission=submission, user=request.user, comment=form.cleaned_data["comment"])
    except (ApplicationError, ValidationError) as error:
        messages.error(request, getattr(error, "message", None) or _("退回时必须填写审核意见。"))
        return redirect("review:detail", pk=pk)
    messages.success(request, _("已退回企业修改:%(name)s") % {"name": submission.enterprise.name})
    return redirect("review:queue")


@bureau_required
@require_POST
def bulk_approve(request):
    ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
    if not ids:
        messages.error(request, _("请先勾选要审核通过的填报。"))
    else:
        count = submission_bulk_approve(user=request.user, submission_ids=ids)
        messages.success(request, _("已批量审核通过 %(count)d 份填报。") % {"count": count})
    return redirect("review:queue")


@bureau_required
def evidence_download(request, pk: int):
    visible = SubmissionEvidence.objects.filter(submission__in=Submission.objects.visible_to(request.user))
    return evidence_response(get_object_or_404(visible, pk=pk))
