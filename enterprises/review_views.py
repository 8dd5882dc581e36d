"""Bureau review of filings: the queue of the reviewer's region, one filing beside last year's, approve or return."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.models import IndustrySection
from core.permissions import bureau_required
from enterprises.models import Batch

from .batch_fields import batch_fields_of
from .choices import SubmissionStatus
from .forms import ReturnForm
from .labels import changes_readable
from .models import Submission, SubmissionEvidence
from .review_flags import FLAG_LABELS, FLAGS, flagged, flags_of, row_flags, with_flags
from .selectors import filing_comparison, previous_submission, review_queue, status_counts, submission_history
from .services import submission_approve, submission_bulk_approve, submission_return
from .views import evidence_response

PAGE_SIZE = 50


def _queue_filters(request, data):
    """The queue's filters from ``data`` (the query string, or the approve-matching form): batch, status, search,
    section and plausibility flag, and the filings they select (annotated with their flags)."""
    batches = Batch.objects.visible_to(request.user).order_by("-year", "name")
    raw_batch = data.get("batch", "")
    batch = batches.filter(pk=raw_batch).first() if raw_batch.isdigit() and len(raw_batch) < 19 else None
    status = data.get("status", SubmissionStatus.SUBMITTED)
    status = status if status in SubmissionStatus.values else ""
    search = data.get("q", "").strip()[:50]
    section = data.get("section", "")[:1]
    flag = data.get("flag", "")
    flag = flag if flag == "any" or flag in FLAG_LABELS else ""
    submissions = review_queue(user=request.user, batch=batch, status=status, search=search, section=section)
    submissions = flagged(submissions, batch, flag) if flag else with_flags(submissions, batch)
    filters = {"batch": batch, "status": status, "search": search, "section": section, "flag": flag}
    return batches, filters, submissions


@bureau_required
def queue(request):
    batches, filters, submissions = _queue_filters(request, request.GET)
    page = Paginator(submissions, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        row.flags = row_flags(row)
    context = {
        "page": page, "batches": batches, **filters, "sections": IndustrySection.objects.all(),
        "statuses": SubmissionStatus.choices, "counts": status_counts(user=request.user, batch=filters["batch"]),
        "flags": FLAGS, "matching_submitted": submissions.filter(status=SubmissionStatus.SUBMITTED).count(),
    }  # fmt: skip
    return render(request, "enterprises/review_queue.html", context)


@bureau_required
@require_POST
def approve_matching(request):
    """Approve every submitted filing that matches the queue's current filters (the form repeats them); the page
    stated how many before the reviewer confirmed."""
    _batches, filters, submissions = _queue_filters(request, request.POST)
    ids = list(submissions.filter(status=SubmissionStatus.SUBMITTED).values_list("pk", flat=True))
    if not ids:
        messages.error(request, _("没有符合筛选条件的待审核填报。"))
    else:
        count = submission_bulk_approve(user=request.user, submission_ids=ids)
        messages.success(request, _("已批量审核通过 %(count)d 份填报。") % {"count": count})
    query = {key: value for key, value in (("batch", filters["batch"].pk if filters["batch"] else ""),
             ("status", filters["status"]), ("q", filters["search"]), ("section", filters["section"]),
             ("flag", filters["flag"])) if value}  # fmt: skip
    return redirect(f"{reverse('review:queue')}?{urlencode(query)}")


@bureau_required
def detail(request, pk: int):
    submission = get_object_or_404(
        Submission.objects.visible_to(request.user).select_related("enterprise", "batch", "reviewer"), pk=pk
    )
    previous = previous_submission(submission=submission)
    context = {
        "submission": submission, "previous": previous, "return_form": ReturnForm(), "flags": flags_of(submission),
        "rows": filing_comparison(submission=submission, previous=previous),
        "history": changes_readable(submission_history(submission=submission),
                                    batch_fields=batch_fields_of(submission.batch_id)),
        "evidence": submission.evidence.all(),
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
