"""The firm's pages for finding money: its financing needs with each application's progress, the product
supermarket (产品超市), and applying to a product (issue #15). Thin: the services decide."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.permissions import enterprise_required

from .financing import ConsentRequired, financing_apply, financing_need_post, financing_need_withdraw
from .financing_forms import ApplyForm, NeedForm, ShelfFilterForm
from .financing_selectors import (
    ShelfFilters,
    firm_status_label,
    latest_published_score,
    list_entries_of,
    needs_of,
    supermarket,
)
from .models import FinancingNeed


def _errors_to_form(form, error: ValidationError) -> None:
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@enterprise_required
def needs(request):
    """The firm's needs (post one here) and, per need and per bank, where each application stands; below, the
    firm's entries on banks' recommendation lists with the bank's status."""
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            financing_need_post(enterprise=request.enterprise, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("融资需求已发布。已授权的银行可以看到它。"))
            return redirect("financing:needs")
    rows = list(needs_of(enterprise=request.enterprise))
    for need in rows:
        for application in need.applications.all():
            application.firm_status = firm_status_label(application)
            for step in application.steps.all():
                step.firm_status = firm_status_label(step)
    entries = list_entries_of(enterprise=request.enterprise)
    for entry in entries:
        entry.firm_status = firm_status_label(entry)
    context = {"form": form, "needs": rows, "entries": entries}
    return render(request, "banks/financing/needs.html", context, status=400 if form.errors else 200)


@enterprise_required
@require_POST
def need_withdraw(request, pk: int):
    need = get_object_or_404(FinancingNeed.objects.visible_to(request.user), pk=pk)
    financing_need_withdraw(need=need, user=request.user)
    messages.success(request, _("融资需求已撤回,银行不再能看到它。"))
    return redirect("financing:needs")


@enterprise_required
def products(request):
    """Every product on sale in the firm's region, filtered: those it can apply for with the suggested line for this
    firm, the others with why not yet."""
    filters = ShelfFilterForm(request.GET or None)
    chosen = ShelfFilters()
    if filters.is_valid():
        data = filters.cleaned_data
        chosen = ShelfFilters(bank=data["bank"].pk if data["bank"] else None, amount=data["amount"],
                              term_months=data["term_months"], guarantee_mode=data["guarantee_mode"],
                              stage=data["stage"])  # fmt: skip
    shelf = supermarket(enterprise=request.enterprise, filters=chosen) if not filters.errors else []
    open_needs = FinancingNeed.objects.visible_to(request.user).open()
    context = {
        "filters": filters,
        "shelf": shelf,
        "unavailable": sum(1 for item in shelf if not item.available),
        "score": latest_published_score(enterprise=request.enterprise),
        "apply_form": ApplyForm(needs=open_needs) if open_needs.exists() else None,
    }
    return render(request, "banks/financing/products.html", context, status=400 if filters.errors else 200)


@enterprise_required
@require_POST
def apply(request):
    """Address one of the firm's open needs (``need``) to the bank of a product on sale (``product``); without the
    consent that bank needs, on to the consent page with the bank chosen (and back here once given)."""
    form = ApplyForm(request.POST, needs=FinancingNeed.objects.visible_to(request.user).open())
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("financing:products")
    product = form.cleaned_data["product"]
    try:
        financing_apply(need=form.cleaned_data["need"], bank=product.bank, product=product, user=request.user)
    except ConsentRequired as error:
        messages.info(request, error.message)
        query = urlencode({"bank": error.bank.pk, "next": reverse("financing:products")})
        return redirect(f"{reverse('enterprises:consents')}?{query}")
    except ValidationError as error:
        for name, errors in error.message_dict.items():
            field = {"bank": _("银行"), "product": _("申请产品"), "need": _("融资需求")}.get(name, name)
            messages.error(request, f"{field}:{' '.join(errors)}")
        return redirect("financing:products")
    messages.success(request, _("已向%(bank)s提交申请。") % {"bank": product.bank.short_label})
    return redirect("financing:needs")
