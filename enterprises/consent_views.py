"""Consent to share the profile with banks, and the log of every bank read of it."""

from datetime import datetime, time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.permissions import enterprise_required

from .forms import ConsentForm
from .models import Consent
from .selectors import access_log_of, consents_of
from .services import consent_grant, consent_revoke, firm_admin_is

PAGE_SIZE = 50


@enterprise_required
def consents(request):
    # ``?bank=<id>&next=<path>``: the consent an application to that bank needs (the product supermarket sends the
    # firm here with the bank chosen, and back there once it has consented).
    form = ConsentForm(request.POST or None, initial={"bank": request.GET.get("bank")})
    after = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        after, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        after = ""
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = timezone.make_aware(datetime.combine(expires_on, time.max)) if expires_on else None
        try:
            consent_grant(enterprise=request.enterprise, bank=form.cleaned_data["bank"], user=request.user,
                          scope=form.cleaned_data["scope"], expires_at=expires_at)  # fmt: skip
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error("expires_on" if name == "expires_at" else name, errors)
        except ApplicationError as error:  # a member who is not the firm's administrator
            form.add_error(None, error.message)
        else:
            messages.success(request, _("授权已生效。"))
            return redirect(after or "enterprises:consents")
    now = timezone.now()
    rows = [(consent, consent.is_active(now)) for consent in consents_of(enterprise=request.enterprise)]
    may_grant = firm_admin_is(user=request.user, enterprise=request.enterprise)
    context = {"enterprise": request.enterprise, "form": form, "rows": rows, "may_grant": may_grant, "next": after}
    return render(request, "enterprises/consents.html", context, status=400 if form.errors else 200)


@enterprise_required
@require_POST
def consent_revoke_view(request, pk: int):
    consent = get_object_or_404(Consent.objects.filter(enterprise=request.enterprise), pk=pk)
    consent_revoke(consent=consent, user=request.user)
    messages.success(request, _("授权已撤销。"))
    return redirect("enterprises:consents")


@enterprise_required
def access_log(request):
    page = Paginator(access_log_of(enterprise=request.enterprise), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enterprises/access_log.html", {"enterprise": request.enterprise, "page": page})
