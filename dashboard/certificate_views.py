"""Score certificates: the firm downloads one (JSON or a printable page with its QR code), anyone verifies one, and a
bureau of another region registers a valid one as recognised. The rules are in ``dashboard.certificates``."""

import json
import uuid

import segno
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.permissions import bureau_admin_required, bureau_required, bureau_staff_of, enterprise_required

from .certificates import (
    CertificateError,
    certificate_issue,
    certificate_recognise,
    certificate_revoke,
    certificate_verify,
    certificate_verify_id,
    may_revoke,
    outside_region,
    parse,
    recognitions_of,
    recognitions_of_region,
    revocable_by,
)

MAX_UPLOAD = 64 * 1024


@require_POST
@enterprise_required
def certificate_download(request):
    """Issue a signed certificate of the firm's own latest published result: a JSON file or the printable page."""
    try:
        certificate = certificate_issue(
            enterprise=request.enterprise, user=request.user, base_url=request.build_absolute_uri("/")
        )
    except CertificateError as error:
        messages.error(request, str(error))
        return redirect("report:page")
    document = certificate.document
    if request.POST.get("format") == "print":
        qr = segno.make(document["verify_url"], error="m").svg_inline(scale=4, title=_("扫码验证证书"))
        return render(request, "enterprises/certificate_print.html", {"document": document, "qr": qr})
    body = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{document["credit_code"]}-{certificate.pk}.json"'
    )
    return response


def _verify_context(request, verdict):
    staff = bureau_staff_of(request.user)
    context = {"verdict": verdict, "staff": staff, "recognitions": []}
    if verdict is not None and staff is not None and verdict.certificate is not None:
        context["recognitions"] = recognitions_of(certificate=verdict.certificate, staff=staff)
        context["may_recognise"] = verdict.is_valid and outside_region(certificate=verdict.certificate, staff=staff)
        context["document_json"] = json.dumps(verdict.document, ensure_ascii=False)
        context["may_revoke"] = may_revoke(certificate=verdict.certificate, user=request.user)
    return context


def verify(request):
    """Paste or upload a certificate; the verdict says valid / superseded / revoked / expired / forged."""
    verdict, error = None, None
    if request.method == "POST":
        upload = request.FILES.get("file")
        text = upload.read(MAX_UPLOAD + 1) if upload else request.POST.get("document", "").strip()
        try:
            if not text:
                raise CertificateError(_("请粘贴证书内容或上传证书文件。"))
            if len(text) > MAX_UPLOAD:
                raise CertificateError(_("证书文件过大。"))
            verdict = certificate_verify(parse(text))
        except CertificateError as err:
            error = str(err)
    context = _verify_context(request, verdict)
    context["error"] = error
    return render(request, "dashboard/verify.html", context)


def verify_detail(request, certificate_id):
    """The QR link: the verdict on an issued certificate by its id."""
    verdict = certificate_verify_id(certificate_id)
    if verdict is None:
        raise Http404
    return render(request, "dashboard/verify.html", _verify_context(request, verdict))


@require_POST
@bureau_required
def recognise(request):
    """A bureau of another region registers a valid certificate as recognised for its own programme."""
    document = {}
    try:
        document = parse(request.POST.get("document", ""))
        certificate_recognise(document=document, staff=request.bureau_staff, programme=request.POST.get("programme"))
    except CertificateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已登记互认。"))
    try:
        return redirect("verify:detail", uuid.UUID(str(document.get("certificate_id"))))
    except ValueError:
        return redirect("verify:page")


@bureau_required
def recognised(request):
    """The certificates this bureau's region has recognised, with what verifying each says today."""
    rows = recognitions_of_region(staff=request.bureau_staff)
    return render(request, "dashboard/recognised.html", {"rows": rows})


@require_POST
@bureau_admin_required
def revoke(request, certificate_id):
    """The issuing bureau's administrator revokes a certificate, with a reason (audited); /verify/ then says revoked."""
    certificate = revocable_by(request.user).filter(pk=certificate_id).first()
    if certificate is None:
        raise Http404
    try:
        certificate_revoke(certificate=certificate, reason=request.POST.get("reason", ""), user=request.user)
    except CertificateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("证书已撤销,验证页将显示“已撤销”。"))
    return redirect("verify:detail", certificate.pk)


@bureau_admin_required
def issued(request):
    """The certificates issued from the batches this administrator's bureau runs, newest first, each linking to its
    verification page (where it is revoked)."""
    rows = [(row, certificate_verify(row.document)) for row in revocable_by(request.user)[:100]]
    return render(request, "dashboard/issued.html", {"rows": rows, "count": revocable_by(request.user).count()})
