"""The bank's side of firms' applications: those addressed to it (with consent, in its region), opening one (it
becomes viewed) and moving it along — the same services as the API (``banks.financing``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.permissions import bank_officer_required
from enterprises.access import client_ip
from enterprises.services import profile_access_record

from .financing import (
    APPLICATION_TRANSITIONS,
    applications_visit_record,
    financing_application_mark_viewed,
    financing_application_transition,
)
from .financing_forms import ApplicationStatusForm
from .financing_selectors import incoming_applications, needs_naming_bank, new_for_bank, open_needs_for_bank
from .models import Recommendation
from .selectors import profile_consent_scope

PAGE_SIZE = 50


@bank_officer_required
def application_list(request):
    """The applications addressed to the bank and the needs naming it, what arrived since the officer's last visit
    marked new (the visit is recorded: the home's count of new ones starts again from now)."""
    new = new_for_bank(user=request.user)
    previous = applications_visit_record(user=request.user)
    rows = incoming_applications(user=request.user).order_by("-created_at", "-id")
    status = request.GET.get("status") or ""
    if status:
        rows = rows.filter(status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    needs = list(needs_naming_bank(user=request.user).order_by("-created_at", "-id")[:PAGE_SIZE])
    on_list = dict(
        Recommendation.objects.listed_to(request.user).current()
        .filter(enterprise_id__in=[need.enterprise_id for need in needs]).values_list("enterprise_id", "pk")
    )  # fmt: skip
    for row in [*page, *needs]:
        row.is_new = previous is None or row.created_at > previous
    for need in needs:
        need.recommendation_id = on_list.get(need.enterprise_id)
    context = {"page": page, "status": status, "needs": needs, "new": new, "previous": previous}
    return render(request, "banks/financing/application_list.html", context)


@bank_officer_required
def application_detail(request, pk: int):
    application = get_object_or_404(incoming_applications(user=request.user), pk=pk)
    enterprise = application.need.enterprise
    scope = profile_consent_scope(enterprise_id=enterprise.pk, bank=request.bank_officer.bank)
    profile_access_record(enterprise=enterprise, bank=request.bank_officer.bank, user=request.user, scope=scope,
                          ip=client_ip(request))  # fmt: skip  # visible_to asked for the consent: scope is set
    if financing_application_mark_viewed(application=application, user=request.user):
        application.refresh_from_db()
    context = {
        "application": application,
        "need": application.need,
        "enterprise": enterprise,
        "other_needs": open_needs_for_bank(user=request.user, enterprise_id=enterprise.pk).exclude(
            pk=application.need_id
        ),
        "next_statuses": sorted(APPLICATION_TRANSITIONS.get(application.status, ()) - {"viewed"}),
        "form": ApplicationStatusForm(),
    }
    return render(request, "banks/financing/application_detail.html", context)


@bank_officer_required
@require_POST
def application_status(request, pk: int):
    application = get_object_or_404(incoming_applications(user=request.user), pk=pk)
    form = ApplicationStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("状态无效。"))
        return redirect("banks:application-detail", pk=pk)
    try:
        financing_application_transition(application=application, user=request.user, **form.cleaned_data)
    except ApplicationError as error:
        messages.error(request, error.message)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已保存。"))
    return redirect("banks:application-detail", pk=pk)
