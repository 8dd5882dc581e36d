"""Firms find money: the services of financing needs and of applications to banks (issue #15).

A firm posts needs and addresses one to a bank (``financing_apply``); the bank moves the application along
received → viewed → contacted → approved → contract signed, or declines it with a category
(``financing_application_transition``). Pages and the API call these same functions; each step is audited (the
models are tracked, the saves made ``acting_as`` the user) and tells the firm (``enterprises.notices``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import acting_as, audit_transition
from core.exceptions import ApplicationError
from core.labels import listing
from core.models import Bank, User
from core.regions import scope_covers
from enterprises.models import Consent, Enterprise
from enterprises.notices import enterprise_notify

from .choices import NEED_AMOUNT_MAX, ApplicationStatus, DeclineCategory
from .financing_notices import bank_notice_params, status_notice_kind
from .financing_selectors import product_unmet_reasons
from .models import ApplicationStep, ApplicationsVisit, FinancingApplication, FinancingNeed, LoanProduct
from .selectors import product_rules

A = ApplicationStatus

APPLICATION_TRANSITIONS: dict[str, set[str]] = {
    A.RECEIVED: {A.VIEWED, A.CONTACTED, A.DECLINED},
    A.VIEWED: {A.CONTACTED, A.DECLINED},
    A.CONTACTED: {A.APPROVED, A.DECLINED},
    A.APPROVED: {A.CONTRACTED, A.DECLINED},
    A.DECLINED: set(),
    A.CONTRACTED: set(),
}
"""The bank's steps; contract signed is the bank declaring it (the loan contract itself is recorded in ``loans``)."""


class ConsentRequired(ApplicationError):
    """The firm does not consent to the bank it applies to: the page sends it to the consent step."""

    def __init__(self, bank: Bank):
        super().__init__(_("申请前须先授权%(bank)s查看企业画像。") % {"bank": bank.short_label})
        self.bank = bank


def _need_errors(*, amount, term_months, purpose: str, valid_until: date | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if amount is None or amount <= 0:
        errors["amount"] = [_("需求金额必须大于 0。")]
    elif Decimal(amount) > NEED_AMOUNT_MAX:
        errors["amount"] = [_("需求金额不能超过 10 亿元(100000 万元)。")]
    if term_months is None or not 1 <= term_months <= 120:
        errors["term_months"] = [_("期限须为 1 至 120 个月。")]
    if not (purpose or "").strip():
        errors["purpose"] = [_("请填写资金用途。")]
    if valid_until is None:
        errors["valid_until"] = [_("请填写有效期。")]
    elif valid_until < timezone.localdate():
        errors["valid_until"] = [_("有效期不能早于今天。")]
    return errors


@transaction.atomic
def financing_need_post(
    *,
    enterprise: Enterprise,
    user: User | None,
    amount: Decimal,
    term_months: int,
    purpose: str,
    valid_until: date,
    urgency: str = "normal",
    preferred_banks=(),
    preferred_products=(),
) -> FinancingNeed:
    """Post a need; any bad field is a ``ValidationError`` naming it, and nothing is saved."""
    errors = _need_errors(amount=amount, term_months=term_months, purpose=purpose, valid_until=valid_until)
    products = list(preferred_products)
    if any(not product.active for product in products):
        errors["preferred_products"] = [_("意向产品须为在售产品。")]
    if errors:
        raise ValidationError(errors)
    with acting_as(user):
        need = FinancingNeed(enterprise=enterprise, amount=amount, term_months=term_months, purpose=purpose.strip(),
                             urgency=urgency, valid_until=valid_until, created_by=user)  # fmt: skip
        need.full_clean(exclude=["enterprise", "created_by"])
        need.save()
        need.preferred_banks.set(preferred_banks)
        need.preferred_products.set(products)
    return need


@transaction.atomic
def financing_need_withdraw(*, need: FinancingNeed, user: User | None) -> FinancingNeed:
    """Take the need back: from now no bank sees it or its applications (the firm keeps it, marked withdrawn)."""
    need = FinancingNeed.objects.select_for_update().get(pk=need.pk)
    if need.withdrawn_at is None:
        need.withdrawn_at = timezone.now()
        with acting_as(user):
            need.save(update_fields=["withdrawn_at", "updated_at"])
    return need


def bank_serves(*, bank: Bank, region_code: str, product: LoanProduct | None = None) -> bool:
    """The bank (through the product's own branches when one is named) serves the region: the push's rule of which
    branches serve a product (``banks.selectors.product_rules``); a bank without a product, any of its branches."""
    if product is not None:
        rules = [rule for candidate, rule in product_rules(bank=bank) if candidate.pk == product.pk]
        return bool(rules) and any(scope_covers(scope, region_code) for scope in rules[0].scopes)
    return any(scope_covers(scope, region_code) for scope in bank.branches.values_list("region_scope", flat=True))


def _notify(application: FinancingApplication) -> None:
    need = application.need
    enterprise_notify(
        enterprise=need.enterprise,
        kind=status_notice_kind(application.status, application.decline_category),
        params={**bank_notice_params(application.bank), "amount": f"{Decimal(need.amount).normalize():f}"},
        url="/enterprise/financing/",
    )


def recommendation_status_notify(recommendation) -> None:
    """Tell the firm where a bank's list entry of it now stands (a decline by its category only): called by each
    service that moves a recommendation's status (``banks.services``, the loan contract in ``loans.services``)."""
    status = "received" if recommendation.status == "new" else recommendation.status
    enterprise_notify(
        enterprise=recommendation.enterprise,
        kind=status_notice_kind(status, recommendation.decline_category, list_entry=True),
        params=bank_notice_params(recommendation.bank),
        url="/enterprise/financing/",
    )


def _step(application: FinancingApplication, user: User | None) -> None:
    ApplicationStep.objects.create(application=application, status=application.status,
                                   decline_category=application.decline_category, at=application.status_changed_at,
                                   actor=user)  # fmt: skip
    _notify(application)


@transaction.atomic
def financing_apply(
    *, need: FinancingNeed, bank: Bank, user: User | None, product: LoanProduct | None = None
) -> FinancingApplication:
    """Address the firm's open need to ``bank`` (for ``product``, one of its products on sale). Refused, naming the
    field, for a bank outside the firm's region, a product whose conditions the firm does not meet (its grade, stage
    or section: the supermarket's rule) or a second application of the need to the same bank; a bank the
    firm does not consent to raises ``ConsentRequired`` (the consent the application needs comes first)."""
    enterprise = need.enterprise
    if not need.is_open:
        raise ValidationError({"need": [_("该融资需求已撤回或已过有效期。")]})
    if product is not None and (product.bank_id != bank.pk or not product.active):
        raise ValidationError({"product": [_("该产品不是所选银行的在售产品。")]})
    if not bank_serves(bank=bank, region_code=enterprise.region_code, product=product):
        raise ValidationError({"bank": [_("该银行(产品)在企业所在地区没有服务网点,不能申请。")]})
    unmet = product_unmet_reasons(enterprise=enterprise, product=product) if product is not None else []
    if unmet:
        message = _("贵企业暂不符合该产品的条件:%(reasons)s。") % {"reasons": listing(unmet)}
        raise ValidationError({"product": [message]})
    if FinancingApplication.objects.filter(need=need, bank=bank).exists():
        raise ValidationError({"bank": [_("该融资需求已向这家银行提交过申请。")]})
    if not Consent.objects.active().covering(bank.pk).filter(enterprise=enterprise).exists():
        raise ConsentRequired(bank)
    with acting_as(user):
        application = FinancingApplication.objects.create(need=need, bank=bank, product=product, created_by=user)
    _step(application, user)
    return application


def _lock_visible(application: FinancingApplication, user: User) -> FinancingApplication:
    found = FinancingApplication.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=application.pk)
    locked = found.select_related("need__enterprise", "bank").first()
    if locked is None:
        raise ApplicationError(_("融资申请不存在。"))
    return locked


@transaction.atomic
def financing_application_transition(
    *, application: FinancingApplication, user: User, status: str, category: str = "", reason: str = ""
) -> FinancingApplication:
    """Move an application addressed to the user's bank one step (``APPLICATION_TRANSITIONS``). A decline names
    its category (what the firm is told) and may add an internal note (the bank's alone)."""
    app = _lock_visible(application, user)
    if status not in APPLICATION_TRANSITIONS.get(app.status, set()):
        new = A(status).label if status in A.values else status
        raise ApplicationError(_("状态不能从“%(old)s”变为“%(new)s”。") % {"old": A(app.status).label, "new": new})
    if status == A.DECLINED and category not in DeclineCategory.values:
        raise ValidationError({"decline_category": [_("拒绝时必须选择拒绝原因类别。")]})
    app.status, app.status_changed_at = status, timezone.now()
    if status == A.DECLINED:
        app.decline_category, app.decline_reason = category, (reason or "").strip()
    if app.officer_id is None and status != A.VIEWED:
        app.officer = user
    with acting_as(user):
        app.save()
    _step(app, user)
    return app


@transaction.atomic
def financing_application_mark_viewed(*, application: FinancingApplication, user: User) -> bool:
    """Opening an application moves a received one to viewed (a conditional UPDATE: opened twice, one step)."""
    now = timezone.now()
    moved = (
        FinancingApplication.objects.visible_to(user)
        .filter(pk=application.pk, status=A.RECEIVED)
        .update(status=A.VIEWED, status_changed_at=now)
    )
    if moved:
        app = FinancingApplication.objects.select_related("need__enterprise", "bank").get(pk=application.pk)
        audit_transition(app, A.RECEIVED, A.VIEWED, actor=user, field="status")
        _step(app, user)
    return bool(moved)


@transaction.atomic
def applications_visit_record(*, user: User):
    """The officer opens the applications page: from now what arrived before is no longer new to them. Returns the
    previous visit (None: the first), which the page marks its new rows against."""
    visit = ApplicationsVisit.objects.select_for_update().filter(user=user).first()
    previous = visit.seen_at if visit else None
    ApplicationsVisit.objects.update_or_create(user=user, defaults={"seen_at": timezone.now()})
    return previous
