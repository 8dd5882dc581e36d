"""Bank officer pages for loan contracts (a special-plan guarantee is recorded on ``guarantees:create``).
Thin: forms parse, services check the rules."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from banks.models import Recommendation
from core.exceptions import ApplicationError
from core.forms import form_error_add
from core.permissions import bank_officer_required

from .forms import LoanContractForm, RepaymentForm, WarningAcknowledgeForm
from .models import LoanContract, LoanWarning
from .services import (
    loan_contract_create,
    loan_repayment_update,
    loan_warning_acknowledge,
    rate_ceiling,
    suggested_line,
)


@bank_officer_required
def loan_list(request):
    loans = LoanContract.objects.visible_to(request.user).select_related("enterprise", "product", "guarantee")
    page = Paginator(loans.order_by("-signed_on", "-pk"), 50).get_page(request.GET.get("page"))
    return render(request, "loans/loan_list.html", {"page": page})


@bank_officer_required
def loan_create(request, pk: int):
    rec = get_object_or_404(
        Recommendation.objects.visible_to(request.user).consented().select_related("enterprise", "run"), pk=pk
    )
    form = LoanContractForm(
        request.POST or None,
        recommendation=rec,
        initial={"signed_on": timezone.localdate(), "guarantee_mode": "credit"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            loan = loan_contract_create(recommendation=rec, user=request.user, **form.cleaned_data)
        except (ValidationError, ApplicationError) as error:
            form_error_add(form, error)
        else:
            messages.success(request, _("贷款合同已登记,推荐状态已变为已签约。"))
            if loan.guarantee_mode == "special_plan":
                return redirect("guarantees:create", loan=loan.pk)  # the guarantee app's form for this loan
            return redirect("loans:detail", pk=loan.pk)
    guides = [
        (p, suggested_line(recommendation=rec, product=p), rate_ceiling(product=p, term_months=p.term_months))
        for p in form.fields["product"].queryset
    ]
    return render(request, "loans/loan_form.html", {"form": form, "rec": rec, "guides": guides})


@bank_officer_required
def loan_detail(request, pk: int):
    loan = get_object_or_404(
        LoanContract.objects.visible_to(request.user).select_related("enterprise", "product", "bank"), pk=pk
    )
    guarantee = getattr(loan, "guarantee", None)
    return render(
        request,
        "loans/loan_detail.html",
        {
            "loan": loan,
            "guarantee": guarantee,
            "compensations": guarantee.compensations.order_by("-occurred_on") if guarantee else [],
            "repayment_form": RepaymentForm(initial={"repayment_status": loan.repayment_status}),
        },
    )


@bank_officer_required
@require_POST
def loan_repayment(request, pk: int):
    loan = get_object_or_404(LoanContract.objects.visible_to(request.user), pk=pk)
    form = RepaymentForm(request.POST)
    if form.is_valid():
        try:
            loan_repayment_update(loan=loan, user=request.user, status=form.cleaned_data["repayment_status"])
            messages.success(request, _("已保存。"))
        except (ValidationError, ApplicationError) as error:
            messages.error(request, getattr(error, "message", None) or "; ".join(error.messages))
    return redirect("loans:detail", pk=loan.pk)


WARNING_VIEWS = ("open", "done", "all")  # to act on, acknowledged, everything


@bank_officer_required
def warning_list(request):
    """The watch list (贷后预警): the bank's warnings, open ones first to act on; acknowledged ones for the record."""
    show = request.GET.get("show", "open")
    if show not in WARNING_VIEWS:
        show = "open"
    warnings = LoanWarning.objects.visible_to(request.user).select_related(
        "loan", "enterprise", "run", "batch", "acknowledged_by"
    )
    open_count = warnings.open().count()
    if show == "open":
        warnings = warnings.open()
    elif show == "done":
        warnings = warnings.filter(acknowledged_at__isnull=False)
    page = Paginator(warnings.order_by("-created_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "loans/warning_list.html",
        {"page": page, "show": show, "open_count": open_count, "form": WarningAcknowledgeForm()},
    )


@bank_officer_required
@require_POST
def warning_acknowledge(request, pk: int):
    warning = get_object_or_404(LoanWarning.objects.visible_to(request.user), pk=pk)
    form = WarningAcknowledgeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.get("note") or [_("请填写处理说明。")])
        loan_warning_acknowledge(warning=warning, user=request.user, note=form.cleaned_data["note"])
    except (ValidationError, ApplicationError) as error:
        messages.error(request, getattr(error, "message", None) or "; ".join(error.messages))
    else:
        messages.success(request, _("预警已确认。"))
    return redirect(f"{reverse('loans:warnings')}?show={request.POST.get('show', 'open')}")
