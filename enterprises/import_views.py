"""Bureau pages for bulk import (preview, then commit the same stored file) and the CSV export of filings."""

import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.permissions import bureau_required
from enterprises.models import Batch

from .batch_fields import batch_fields_of
from .choices import DataSource
from .imports.reader import MAX_UPLOAD_BYTES
from .imports.template import export_csv_lines, template_xlsx
from .models import Submission
from .services import submission_import

SESSION_KEY = "enterprise_import"
ERRORS_SHOWN = 1000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_MAX_AGE = timedelta(hours=1)  # a preview unconfirmed for an hour is swept at the next preview


def _previews() -> FileSystemStorage:
    """Where a previewed file waits for its commit: beside Django's own upload temp files, not under MEDIA_ROOT (the
    debug server serves MEDIA_URL), so no URL ever reaches an uploaded table. Per host, shared by its workers."""
    location = Path(settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir()) / "innovation-points-import-previews"
    return FileSystemStorage(location=location, directory_permissions_mode=0o700, file_permissions_mode=0o600)


def previews_sweep(*, older_than: timedelta = PREVIEW_MAX_AGE) -> int:
    """Delete stored previews older than ``older_than`` (their sessions may be long gone); returns how many."""
    storage, cutoff, removed = _previews(), timezone.now() - older_than, 0
    try:
        names = storage.listdir("")[1]
    except FileNotFoundError:
        return 0
    for name in names:
        try:
            stale = storage.get_modified_time(name) < cutoff
        except FileNotFoundError:  # another worker swept it first
            continue
        if stale:
            storage.delete(name)
            removed += 1
    return removed


def _preview_discard(request) -> None:
    """Forget the session's stored preview and delete its file (a new preview replaces it, a commit consumes it)."""
    stored = request.session.pop(SESSION_KEY, None)
    if stored and stored.get("path"):
        _previews().delete(stored["path"])


def _batches(user):
    return Batch.objects.visible_to(user).order_by("-year", "name")


@bureau_required
def import_page(request):
    context = {"batches": _batches(request.user), "sources": [DataSource.IMPORTED, DataSource.VERIFIED],
               "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024)}  # fmt: skip
    if request.method != "POST":
        return render(request, "enterprises/import.html", context)
    batch = _batches(request.user).filter(pk=request.POST.get("batch") or 0).first()
    source = request.POST.get("source", DataSource.IMPORTED)
    committing = request.POST.get("action") == "commit"
    stored = request.session.get(SESSION_KEY) if committing else None
    if committing and (not stored or stored.get("token") != request.POST.get("token")):
        messages.error(request, _("预检结果已失效,请重新上传文件。"))
        return redirect("review:import")
    upload = request.FILES.get("file")
    if batch is None or (upload is None and not committing):
        messages.error(request, _("请选择批次并上传文件。"))
        return render(request, "enterprises/import.html", context, status=400)
    if committing:
        try:
            with _previews().open(stored["path"], "rb") as handle:
                data, name = handle.read(), stored["name"]
        except FileNotFoundError:  # swept after an hour, or stored before an upgrade moved the directory
            data = None
        _preview_discard(request)
        if data is None:
            messages.error(request, _("预检结果已失效,请重新上传文件。"))
            return redirect("review:import")
    else:
        _preview_discard(request)
        if upload.size > MAX_UPLOAD_BYTES:
            messages.error(request, _("文件超过 20 MB 上限,请拆分后导入。"))
            return render(request, "enterprises/import.html", context, status=400)
        data, name = upload.read(), upload.name
    try:
        report = submission_import(user=request.user, batch=batch, data=data, filename=name, source=source,
                                   dry_run=not committing)  # fmt: skip
    except ApplicationError as error:
        messages.error(request, error.message)
        return render(request, "enterprises/import.html", context, status=400)
    if committing:
        if report.committed:
            messages.success(request, _("导入完成:新增 %(new)d 份,更新 %(updated)d 份填报。")
                             % {"new": report.new_count, "updated": report.update_count})  # fmt: skip
            return redirect("review:queue")
    elif not report.errors:
        previews_sweep()
        token = uuid.uuid4().hex
        path = _previews().save(f"{token}.upload", ContentFile(data))
        request.session[SESSION_KEY] = {"token": token, "path": path, "name": name}
        context["token"] = token
    context.update(report=report, errors=report.errors[:ERRORS_SHOWN], batch=batch, source=source, name=name)
    return render(request, "enterprises/import.html", context, status=400 if report.errors else 200)


@bureau_required
def import_template(request):
    """The .xlsx template in the officer's language: the columns to fill, drop-down lists, a sheet of explanations;
    ``?batch=`` adds that batch's extra fields."""
    raw = request.GET.get("batch", "")
    batch = _batches(request.user).filter(pk=raw).first() if raw.isdigit() and len(raw) < 19 else None
    response = HttpResponse(template_xlsx(batch_fields_of(batch.pk) if batch else []), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="filings-import-template.xlsx"'
    return response


@bureau_required
@require_POST
def export_filings(request):
    """The region's filings of a batch as CSV (UTF-8 with BOM for Excel) in the template's columns and words, so it
    can be edited and imported back; text cells are escaped, numbers are not."""
    batch = _batches(request.user).filter(pk=request.POST.get("batch") or 0).first()
    if batch is None:
        return redirect("review:import")
    filings = Submission.objects.visible_to(request.user).filter(batch=batch)
    response = StreamingHttpResponse(export_csv_lines(filings, batch_fields_of(batch.pk)),
                                     content_type="text/csv; charset=utf-8")  # fmt: skip
    response["Content-Disposition"] = f'attachment; filename="filings-{batch.pk}.csv"'
    return response
