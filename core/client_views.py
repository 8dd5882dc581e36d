"""The bureau's API-client page: the clients in the officer's region (banks' included, to revoke in an emergency),
issuing a platform's or a guarantor's one (its token shown once, on the response to the form; only its digest is
stored) and revoking one. Thin: ``core.services`` decides."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .exceptions import ApplicationError
from .forms import BureauApiClientForm, form_error_add
from .models import ApiClient
from .permissions import bureau_required
from .services import api_client_create, api_client_revoke, api_clients_managed_by

PAGE_SIZE = 50
BUREAU_PAGES = {"base": "bureau_base.html", "list_url": "api-clients:list", "create_url": "api-clients:create",
                "revoke_url": "api-clients:revoke", "for_bank": False}  # fmt: skip
"""The templates serve the bureau's page and the bank's (``banks.client_views``): which frame and which URLs."""


def scope_labels_set(clients) -> None:
    labels = dict(ApiClient.Scope.choices)
    for client in clients:
        client.scope_labels = [labels.get(scope, scope) for scope in client.scopes]


@bureau_required
def api_client_list(request):
    clients = (
        api_clients_managed_by(request.bureau_staff)
        .select_related("bank", "guarantor", "created_by")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    scope_labels_set(page)
    context = {"page": page, "area": request.bureau_staff.region_scope, "manages": request.bureau_staff.role == "admin",
               **BUREAU_PAGES}  # fmt: skip
    return render(request, "core/api_client_list.html", context)


@bureau_required
@never_cache
def api_client_new(request):
    staff = request.bureau_staff
    form = BureauApiClientForm(request.POST or None, area=staff.region_scope)
    if request.method == "POST" and form.is_valid():
        try:
            client, token = api_client_create(staff=staff, **form.cleaned_data)
        except (ValidationError, ApplicationError) as error:  # a reviewer: only administrators issue tokens
            form_error_add(form, error)
        else:
            # The only time the token exists in plain text: on this response, never in a redirect or a message.
            return render(request, "core/api_client_created.html", {"client": client, "token": token, **BUREAU_PAGES})
    return render(request, "core/api_client_form.html", {"form": form, **BUREAU_PAGES})


@bureau_required
@require_POST
def api_client_revoke_view(request, pk: int):
    client = get_object_or_404(api_clients_managed_by(request.bureau_staff), pk=pk)
    try:
        api_client_revoke(staff=request.bureau_staff, client=client)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已吊销“%(name)s”的令牌。") % {"name": client.name})
    return redirect("api-clients:list")
