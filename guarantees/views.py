"""Guarantor staff pages: the guarantees their institution takes part in, the portfolio's compensation rate, and
compensation events. Thin: services check the rules."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.forms import form_error_add
from core.models import GuaranteeInstitution
from core.permissions import bank_officer_required, guarantor_required
from loans.models import LoanContract

from .forms import CompensationForm, GuaranteeForm
from .models import GuaranteeContract
from .services import compensation_event_create, guarantee_contract_create, risk_lines, risk_pool, risk_pools


@guarantor_required
def guarantee_list(request):
    """The guarantees the institution takes part in, its own book against the warning line and the fuse, and the
    provincial risk pools those guarantees are in (each pool's figures over the whole pool: aggregates only)."""
    institution = request.guarantor_staff.institution
    visible = GuaranteeContract.objects.visible_to(request.user)
    rows = visible.select_related("loan__enterprise", "loan__bank", "guarantor", "reguarantor").order_by(
        "-signed_on", "-pk"
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    pool_ids = visible.exclude(reguarantor=None).order_by().values_list("reguarantor_id", flat=True).distinct()
    provincial = list(GuaranteeInstitution.objects.filter(pk__in=pool_ids).order_by("region_scope"))
    warning, fuse = risk_lines()
    context = {
        "page": page,
        "institution": institution,
        "book": risk_pool(institution=institution),
        "pools": list(risk_pools(institutions=provincial, as_pool=True).values()),
        "warning_line": warning,
        "fuse_line": fuse,
    }
    return render(request, "guarantees/guarantee_list.html", context)


@guarantor_required
def guarantee_detail(request, pk: int):
    guarantee = get_object_or_404(
        GuaranteeContract.objects.visible_to(request.user).select_related(
            "loan__enterprise", "loan__bank", "guarantor", "reguarantor"
        ),
        pk=pk,
    )
    form = CompensationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            compensation_event_create(guarantee=guarantee, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("代偿事件已登记。"))
            return redirect("guarantees:detail", pk=guarantee.pk)
    context = {
        "guarantee": guarantee,
        "events": guarantee.compensations.all(),
        "form": form,
        "may_compensate": guarantee.loan.repayment_status in ("overdue", "default"),
    }
    return render(request, "guarantees/guarantee_detail.html", context)


@bank_officer_required
def guarantee_create(request, loan: int):
    """A bank officer records the special-plan guarantee of one of their bank's loans."""
    loan = get_object_or_404(LoanContract.objects.visible_to(request.user).select_related("enterprise"), pk=loan)
    form = GuaranteeForm(
        request.POST or None,
        initial={
            "amount": loan.amount,
            "bank_share": 20,
            "national_fund_share": 35,
            "provincial_share": 25,
            "local_share": 20,
            "guarantee_fee_rate": "1.000",
            "reguarantee_fee_rate": "0.300",
            "signed_on": loan.signed_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            guarantee_contract_create(loan=loan, user=request.user, **form.cleaned_data)
        except (ValidationError, ApplicationError) as error:
            form_error_add(form, error)
        else:
            messages.success(request, _("担保合同已登记。"))
            return redirect("loans:detail", pk=loan.pk)
    return render(request, "guarantees/guarantee_form.html", {"form": form, "loan": loan})
