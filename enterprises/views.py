"""The enterprise's own pages: its filing for the open batch, evidence, and the audit trail. Thin: services decide."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.permissions import enterprise_required

from .batch_fields import batch_fields_of
from .filing import client_messages
from .forms import FORM_FIELDS, EvidenceForm, SubmissionForm, extra_initial
from .labels import changes_readable, filing_readable
from .models import SubmissionEvidence
from .selectors import open_batch_for, open_batches_for, submission_history, submission_of
from .services import (
    EDITABLE_STATUSES,
    EVIDENCE_MAX_BYTES,
    evidence_add,
    evidence_delete,
    submission_get_or_create,
    submission_save_draft,
    submission_submit,
)


def _requested_batch(request, enterprise):
    """The open batch the page is about: ``?batch=`` (or the form's ``batch``) if the firm may file in it — another
    id is a 404 — else the newest open one; ``None`` when none is open."""
    raw = request.POST.get("batch") or request.GET.get("batch") or ""
    if not raw:
        return open_batch_for(enterprise=enterprise)
    batch = open_batch_for(enterprise=enterprise, batch_id=int(raw)) if raw.isdigit() and len(raw) < 19 else None
    if batch is None:
        raise Http404
    return batch


def _filing_url(batch_id: int | None) -> str:
    url = reverse("enterprises:filing")
    return f"{url}?batch={batch_id}" if batch_id else url


@enterprise_required
def dashboard(request):
    enterprise = request.enterprise
    batches = list(open_batches_for(enterprise=enterprise))
    submissions = {s.batch_id: s for s in enterprise.submissions.filter(batch__in=[b.pk for b in batches])}
    rounds = [(batch, submissions.get(batch.pk)) for batch in batches]
    return render(request, "enterprises/dashboard.html", {"enterprise": enterprise, "rounds": rounds})


def _initial(submission, batch_fields) -> dict:
    initial = {name: getattr(submission, name) for name in FORM_FIELDS if name != "preferred_banks"}
    initial["preferred_banks"] = list(submission.preferred_banks.all())
    return initial | extra_initial(batch_fields, submission.extra_values)


@enterprise_required
def filing(request):
    """GET shows the filing (editable while a draft or returned); POST saves a draft or submits it. ``?batch=``
    picks one of the open batches the firm may file in (a selector lists them, the newest first)."""
    batch = _requested_batch(request, request.enterprise)
    if batch is None:
        return render(request, "enterprises/filing_closed.html", {"enterprise": request.enterprise})
    submission = submission_get_or_create(enterprise=request.enterprise, batch=batch)
    editable = submission.status in EDITABLE_STATUSES
    batch_fields = batch_fields_of(batch.pk)
    warnings: dict = {}
    if request.method == "POST" and editable:
        form = SubmissionForm(request.POST, batch_fields=batch_fields)
        submitting = request.POST.get("action") == "submit"
        if form.is_valid():
            try:
                with transaction.atomic():
                    service = submission_submit if submitting else submission_save_draft
                    check = service(submission=submission, user=request.user, data=form.service_data())
            except ValidationError as error:
                form.add_service_errors(error)
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                if submitting:
                    messages.success(request, _("填报已提交,请等待科技管理部门审核。"))
                    return redirect(_filing_url(batch.pk))
                warnings = check.warnings
                messages.success(request, _("草稿已保存。"))
                if not warnings:
                    return redirect(_filing_url(batch.pk))
        if form.errors:
            messages.error(request, _("填报有误,未保存。请按提示修改后重试。"))
    else:
        form = SubmissionForm(initial=_initial(submission, batch_fields), batch_fields=batch_fields)
    context = {
        "enterprise": request.enterprise, "batch": batch, "submission": submission, "form": form,
        "editable": editable, "warnings": warnings, "evidence_form": EvidenceForm(),
        "evidence": submission.evidence.all(), "client_messages": client_messages(),
        "history": changes_readable(submission_history(submission=submission)[:50], batch_fields=batch_fields),
        "readonly_groups": None if editable else filing_readable(submission, form.groups(), batch_fields=batch_fields),
        "open_batches": open_batches_for(enterprise=request.enterprise),
    }  # fmt: skip
    return render(request, "enterprises/filing.html", context, status=400 if form.errors else 200)


EVIDENCE_REQUEST_MAX_BYTES = EVIDENCE_MAX_BYTES + 256 * 1024  # the file, its multipart headers and the form's text


@csrf_exempt  # only so that the size is checked before the CSRF check reads (and spools) the body; see below
@enterprise_required
@require_POST
def evidence_upload(request):
    """Refuses an oversize request by its Content-Length, before Django writes a byte of it to a temporary file."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0  # Django reads no body it cannot measure
    if length > EVIDENCE_REQUEST_MAX_BYTES:
        messages.error(
            request, _("上传内容超过 %(limit)d MB 上限,文件未保存。") % {"limit": EVIDENCE_MAX_BYTES // (1024 * 1024)}
        )
        return redirect("enterprises:filing")
    return _evidence_upload(request)


@csrf_protect
def _evidence_upload(request):
    batch = _requested_batch(request, request.enterprise)
    submission = submission_of(enterprise=request.enterprise, batch=batch) if batch else None
    if submission is None:
        return redirect(_filing_url(batch.pk if batch else None))
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            evidence_add(submission=submission, user=request.user, upload=form.cleaned_data["file"],
                         description=form.cleaned_data["description"])  # fmt: skip
        except ValidationError as error:
            for message_list in error.message_dict.values():
                for message in message_list:
                    messages.error(request, message)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("证明材料已上传。"))
    else:
        messages.error(request, _("请选择要上传的文件。"))
    return redirect(_filing_url(batch.pk))


def evidence_response(evidence: SubmissionEvidence) -> FileResponse:
    """The file with the type checked at upload, as a download (never rendered inline from our origin)."""
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type, as_attachment=True,
                            filename=evidence.original_name)  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    return response


@enterprise_required
def evidence_download(request, pk: int):
    evidence = get_object_or_404(SubmissionEvidence.objects.filter(submission__enterprise=request.enterprise), pk=pk)
    return evidence_response(evidence)


@enterprise_required
@require_POST
def evidence_delete_view(request, pk: int):
    evidence = get_object_or_404(
        SubmissionEvidence.objects.filter(submission__enterprise=request.enterprise).select_related("submission"), pk=pk
    )
    try:
        evidence_delete(evidence=evidence, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("证明材料已删除。"))
    return redirect(_filing_url(evidence.submission.batch_id))
