"""The bank's own API-client page: its administrator lists, issues and revokes the tokens that act for the bank (its
credit system reading the list and writing loans). Officers who are not administrators see the list only. The token
is shown once, on the response to the form. Thin: ``core.services`` decides."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.client_views import PAGE_SIZE, scope_labels_set
from core.exceptions import ApplicationError
from core.forms import ApiClientForm, form_error_add
from core.permissions import bank_officer_required
from core.services import (
    BANK_SCOPES,
    bank_api_client_create,
    bank_api_client_revoke,
    bank_api_clients_of,
    bank_officer_area,
)

BANK_PAGES = {"base": "bank_base.html", "list_url": "banks:api-clients", "create_url": "banks:api-client-create",
              "revoke_url": "banks:api-client-revoke", "for_bank": True}  # fmt: skip


@bank_officer_required
def api_client_list(request):
    officer = request.bank_officer
    clients = bank_api_clients_of(officer).select_related("bank", "created_by").order_by("-created_at", "-pk")
    page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    scope_labels_set(page)
    context = {"page": page, "area": bank_officer_area(officer), "manages": officer.is_admin, **BANK_PAGES}
    return render(request, "core/api_client_list.html", context)


@bank_officer_required
@never_cache
def api_client_new(request):
    officer = request.bank_officer
    if not officer.is_admin:  # the service refuses too; this says so before anyone fills the form in
        messages.error(request, _("只有本行管理员可以签发或吊销本行的 API 令牌。"))
        return redirect("banks:api-clients")
    form = ApiClientForm(request.POST or None, area=bank_officer_area(officer), scopes=BANK_SCOPES)
    if request.method == "POST" and form.is_valid():
        try:
            client, token = bank_api_client_create(officer=officer, **form.cleaned_data)
        except (ValidationError, ApplicationError) as error:  # not the bank's administrator, or a bad region
            form_error_add(form, error)
        else:
            # The only time the token exists in plain text: on this response, never in a redirect or a message.
            return render(request, "core/api_client_created.html", {"client": client, "token": token, **BANK_PAGES})
    return render(request, "core/api_client_form.html", {"form": form, **BANK_PAGES})


@bank_officer_required
@require_POST
def api_client_revoke_view(request, pk: int):
    client = get_object_or_404(bank_api_clients_of(request.bank_officer), pk=pk)
    try:
        bank_api_client_revoke(officer=request.bank_officer, client=client)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已吊销“%(name)s”的令牌。") % {"name": client.name})
    return redirect("banks:api-clients")
