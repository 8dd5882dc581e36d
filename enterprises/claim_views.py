"""The bureau's claims page: sign-ups asking to administer a firm of its region that has no confirmed administrator,
each with the business licence to check it against; confirm or refuse with a reason. Thin: ``enterprises.accounts``
decides."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.permissions import bureau_required

from .accounts import claim_approve, claim_reject
from .forms import ClaimDecisionForm
from .models import EnterpriseMembership

PAGE_SIZE = 50
LICENCE_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def _claims(request):
    return EnterpriseMembership.objects.claims_for(request.user)


@bureau_required
def claim_list(request):
    claims = _claims(request).select_related("user", "enterprise").order_by("created_at", "pk")
    page = Paginator(claims, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enterprises/claim_list.html", {"page": page, "form": ClaimDecisionForm()})


@bureau_required
def claim_licence(request, pk: int):
    claim = get_object_or_404(_claims(request).exclude(licence=""), pk=pk)
    extension = LICENCE_EXTENSIONS.get(claim.licence_type, "bin")
    name = f"licence-{claim.enterprise.credit_code}.{extension}"
    kind = claim.licence_type or "application/octet-stream"
    response = FileResponse(claim.licence.open("rb"), content_type=kind, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@bureau_required
@require_POST
def claim_decide(request, pk: int, decision: str):
    claim = get_object_or_404(_claims(request).select_related("enterprise", "user"), pk=pk)
    form = ClaimDecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if decision == "approve":
            claim_approve(membership=claim, user=request.user, note=note)
            messages.success(request, _("已确认 %(user)s 为“%(firm)s”的管理员。") % {
                "user": claim.user.username, "firm": claim.enterprise.name})  # fmt: skip
        else:
            claim_reject(membership=claim, user=request.user, note=note)
            messages.success(request, _("已驳回 %(user)s 的认领申请。") % {"user": claim.user.username})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("review:claims")
