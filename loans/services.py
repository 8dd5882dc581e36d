"""Loan contracts: recorded from an approved recommendation, under the product's amount, rate and term rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from banks.choices import RecommendationStatus
from banks.models import LoanProduct, Recommendation
from banks.rules import credit_line
from core.actors import actor_of
from core.exceptions import ApplicationError
from core.models import User
from enterprises.models import Submission
from scoring.models import Score

from .models import GuaranteeMode, LoanContract, RepaymentStatus

RELENDING_MIN_TOTAL = Decimal("70")
RELENDING_STAGES = ("startup", "growth")
"""科技创新再贷款 supports tech SMEs in their start-up and growth stages; with the points system, firms the run found
eligible with a total of at least 70."""


def loan_prime_rate(*, term_months: int) -> Decimal:
    """The LPR the product's ceiling is quoted on: 1-year for terms up to 5 years, the 5-year LPR beyond."""
    key = "LPR_5Y" if term_months > 60 else "LPR_1Y"
    return Decimal(str(getattr(settings, key, "3.50" if key == "LPR_5Y" else "3.00")))


def rate_ceiling(*, product: LoanProduct, term_months: int) -> Decimal:
    return loan_prime_rate(term_months=term_months) + Decimal(product.rate_spread_bp) / 100


def suggested_line(*, recommendation: Recommendation, product: LoanProduct) -> Decimal:
    """Methodology §11 for one product of a list row (``banks.rules.credit_line``; a listed firm is eligible)."""
    filing = Submission.objects.filter(
        enterprise_id=recommendation.enterprise_id, batch_id=recommendation.run.batch_id
    ).first()
    revenue, previous = (filing.revenue, filing.revenue_prev) if filing else (0, 0)
    return credit_line(line_by_grade=product.line_by_grade, max_amount=product.max_amount, grade=recommendation.grade,
                       revenue=revenue, revenue_prev=previous, eligible=True)  # fmt: skip


def relending_eligible(*, recommendation: Recommendation) -> bool:
    score = Score.objects.filter(run_id=recommendation.run_id, enterprise_id=recommendation.enterprise_id).first()
    return bool(score and score.eligible and score.total >= RELENDING_MIN_TOTAL and score.stage in RELENDING_STAGES)


@transaction.atomic
def loan_contract_create(
    *,
    recommendation: Recommendation,
    user: User,
    product: LoanProduct,
    amount: Decimal,
    rate: Decimal,
    term_months: int,
    signed_on: date,
    disbursed_on: date | None = None,
    over_line_reason: str = "",
    guarantee_mode: str = GuaranteeMode.CREDIT,
    contract_no: str = "",
) -> LoanContract:
    """Record the loan signed on an approved recommendation and move it to contract signed.

    Rules (each failure names its field and the rule; nothing is saved): amount positive and ≤ the product's maximum;
    above the suggested line only with a written reason; rate ≤ LPR + the product's spread; term ≤ the product's;
    disbursement not before signature; signature not in the future.
    """
    try:
        rec = (
            Recommendation.objects.visible_to(user)
            .consented()
            .select_for_update()
            .select_related("run")
            .get(pk=recommendation.pk)
        )
    except Recommendation.DoesNotExist:
        raise ApplicationError(_("推荐记录不存在。"))
    if rec.superseded:
        raise ApplicationError(_("该名单已被新的评分结果取代,请在最新名单中签约。"))
    if rec.status != RecommendationStatus.APPROVED:
        raise ApplicationError(_("只有已审批的推荐才能签约。"))
    if rec.officer_id not in (None, user.pk):
        raise ApplicationError(_("该企业已由其他客户经理跟进。"))
    errors: dict[str, list[str]] = {}
    if product.bank_id != rec.bank_id or product.pk not in rec.product_ids:
        errors["product"] = [_("只能选择该企业匹配的本行产品。")]
    else:
        amount, rate = Decimal(str(amount)), Decimal(str(rate))
        if amount <= 0:
            errors["amount"] = [_("合同金额必须为正数。")]
        elif amount > product.max_amount:
            errors["amount"] = [_("合同金额超过产品最高额度 %(max)s 万元。") % {"max": product.max_amount}]
        elif amount > suggested_line(recommendation=rec, product=product) and not over_line_reason.strip():
            errors["over_line_reason"] = [
                _("合同金额超过建议授信额度 %(line)s 万元,须填写理由。")
                % {"line": suggested_line(recommendation=rec, product=product)}
            ]
        if term_months is None or not 1 <= int(term_months) <= product.term_months:
            errors["term_months"] = [_("期限须在 1 至 %(max)s 个月之间(产品最长期限)。") % {"max": product.term_months}]
        else:
            ceiling = rate_ceiling(product=product, term_months=int(term_months))
            if rate <= 0:
                errors["rate"] = [_("年利率必须为正数。")]
            elif rate > ceiling:
                errors["rate"] = [
                    _("年利率超过产品利率上限 %(ceiling)s%%(LPR 加 %(bp)s 个基点)。")
                    % {"ceiling": ceiling, "bp": product.rate_spread_bp}
                ]
    if signed_on > timezone.localdate():
        errors["signed_on"] = [_("签约日期不能晚于今天。")]
    if disbursed_on is not None and disbursed_on < signed_on:
        errors["disbursed_on"] = [_("放款日期不能早于签约日期。")]
    if guarantee_mode not in GuaranteeMode.values:
        errors["guarantee_mode"] = [_("担保方式无效。")]
    if errors:
        raise ValidationError(errors)
    contract_no = contract_no.strip() or f"{rec.bank.code.upper()}-{signed_on:%Y%m%d}-{rec.pk}"
    if LoanContract.objects.filter(contract_no=contract_no).exists():
        raise ValidationError({"contract_no": [_("合同编号已存在。")]})
    loan = LoanContract(
        contract_no=contract_no,
        enterprise_id=rec.enterprise_id,
        bank_id=rec.bank_id,
        product=product,
        recommendation=rec,
        amount=amount,
        over_line_reason=over_line_reason.strip(),
        rate=rate,
        term_months=term_months,
        signed_on=signed_on,
        disbursed_on=disbursed_on,
        guarantee_mode=guarantee_mode,
        relending_eligible=relending_eligible(recommendation=rec),
        officer=user,
    )
    loan.full_clean()
    loan.save()
    rec.status = RecommendationStatus.CONTRACTED
    rec.status_changed_at = timezone.now()
    rec.officer_id = rec.officer_id or user.pk
    rec.save(update_fields=["status", "status_changed_at", "officer", "updated_at"])
    return loan


@transaction.atomic
def _lenders_loans(user: User):
    """The loans ``user`` may change: only the lending bank's (a guarantor sees the loans it guarantees, read only)."""
    actor = actor_of(user)
    return LoanContract.objects.visible_to(actor) if actor.is_bank else LoanContract.objects.none()


def loan_repayment_update(*, loan: LoanContract, user: User, status: str) -> LoanContract:
    """Set the repayment status; a settled loan is final."""
    try:
        loan = _lenders_loans(user).select_for_update().get(pk=loan.pk)
    except LoanContract.DoesNotExist:
        raise ApplicationError(_("贷款合同不存在。"))
    if status not in RepaymentStatus.values:
        raise ValidationError({"repayment_status": [_("还款状态无效。")]})
    if loan.repayment_status == RepaymentStatus.SETTLED and status != RepaymentStatus.SETTLED:
        raise ApplicationError(_("已结清的贷款不能再变更还款状态。"))
    loan.repayment_status = status
    loan.save(update_fields=["repayment_status", "updated_at"])
    return loan


@transaction.atomic
def loan_disbursement_record(*, loan: LoanContract, user: User, disbursed_on: date) -> LoanContract:
    try:
        loan = _lenders_loans(user).select_for_update().get(pk=loan.pk)
    except LoanContract.DoesNotExist:
        raise ApplicationError(_("贷款合同不存在。"))
    if disbursed_on < loan.signed_on:
        raise ValidationError({"disbursed_on": [_("放款日期不能早于签约日期。")]})
    loan.disbursed_on = disbursed_on
    loan.save(update_fields=["disbursed_on", "updated_at"])
    return loan
