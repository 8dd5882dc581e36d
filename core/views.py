from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import broker_ok, database_ok


@require_GET
@never_cache
def healthz(request):
    db, db_detail = database_ok()
    broker, broker_detail = broker_ok()
    status = 200 if db and broker else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "unavailable", "database": db_detail if db else f"error: {db_detail}",
         "broker": broker_detail if broker else f"error: {broker_detail}"},
        status=status,
    )  # fmt: skip


@login_required
def home(request):
    return render(request, "core/home.html", {"roles": _roles_of(request.user)})


def _roles_of(user) -> list[str]:
    return [
        name
        for name, attr in (
            ("bureau", "bureau_staff"),
            ("bank", "bank_officer"),
            ("guarantor", "guarantor_staff"),
        )
        if hasattr(user, attr)
    ] + (["enterprise"] if user.memberships.filter(approved=True).exists() else [])


def api_guide(request):
    """The API guide (docs/api.md) served by the site, for a bank's IT team without the repository."""
    from .guide import api_guide_html

    return render(request, "api/guide.html", {"guide": api_guide_html()})
