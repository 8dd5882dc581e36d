"""Guarantees under the special guarantee plan for technology innovation (科技创新专项担保计划, 财金〔2024〕60号).

The plan's rules, each a named check; a contract breaking any of them is refused with a message naming the rule and
nothing is saved:
- risk shares (bank + national fund + provincial re-guarantor + local guarantor) sum to 100;
- the bank carries at least 20 %, so the government guarantee system at most 80 %;
- the National Financing Guarantee Fund takes at most 40 % for little giants and specialised SMEs (专精特新, and SMEs
  undertaking national projects), 35 % for high-tech enterprises and firms screened by innovation points, 30 % for
  other technology SMEs;
- the provincial re-guarantor takes at least 20 %;
- the re-guarantee fee is at most 0.5 % a year, 0.3 % for loans of 500万 or less;
- a firm's outstanding guaranteed amount under the plan stays within 3,000万;
- no new guarantee once the guarantor's book or the provincial pool has reached the fuse: compensations of
  ``RISK_POOL_FUSE_RATE`` percent (8 by default) of the amounts guaranteed (``risk_pools``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actors import actor_of
from core.audit import audit_changes
from core.choices import InstitutionKind
from core.exceptions import ApplicationError
from core.models import GuaranteeInstitution, User
from core.permissions import bank_officer_of, guarantor_staff_of
from loans.models import GuaranteeMode, LoanContract, RepaymentStatus

from .models import CompensationEvent, GuaranteeContract, RiskLevel

BANK_MIN_SHARE = Decimal(20)
GOVERNMENT_MAX_SHARE = Decimal(80)
PROVINCIAL_MIN_SHARE = Decimal(20)
FUND_CAP_SPECIALISED = Decimal(40)  # little giants, specialised SMEs, national-project SMEs
FUND_CAP_HIGH_TECH = Decimal(35)  # high-tech enterprises, innovation-points-screened firms
FUND_CAP_OTHER = Decimal(30)  # other technology SMEs
REGUARANTEE_FEE_MAX = Decimal("0.5")
REGUARANTEE_FEE_MAX_SMALL = Decimal("0.3")
SMALL_LOAN_LIMIT = Decimal(500)  # 万元
FIRM_OUTSTANDING_CAP = Decimal(3000)  # 万元


def national_fund_cap(*, loan: LoanContract) -> tuple[Decimal, str]:
    """The fund's maximum share for the borrower, and the firm category that sets it."""
    firm = loan.enterprise
    if firm.is_little_giant or firm.is_specialised_sme:
        return FUND_CAP_SPECIALISED, _("专精特新“小巨人”及专精特新中小企业")
    if firm.is_high_tech_enterprise or loan.recommendation_id is not None:
        return FUND_CAP_HIGH_TECH, _("高新技术企业及创新积分制筛选企业")
    return FUND_CAP_OTHER, _("其他科技型中小企业")


def firm_outstanding_guarantees(*, enterprise_id: int) -> Decimal:
    """Guaranteed amounts not yet released for the firm, one aggregate query."""
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))
    return GuaranteeContract.objects.filter(loan__enterprise_id=enterprise_id, released_on__isnull=True).aggregate(
        total=Coalesce(Sum("amount"), zero)
    )["total"]


def _check_plan_rules(contract: GuaranteeContract, loan: LoanContract) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    shares = [contract.bank_share, contract.national_fund_share, contract.provincial_share, contract.local_share]
    if any(s is None or s < 0 or s > 100 for s in shares):
        fail("bank_share", _("分险比例须在 0 至 100 之间。"))
        return errors
    total = sum(shares)
    if total != 100:
        fail("bank_share", _("分险比例合计须为 100%%,现为 %(total)s%%。") % {"total": total})
    if contract.bank_share < BANK_MIN_SHARE:
        fail("bank_share", _("银行分险比例不得低于 %(min)s%%。") % {"min": BANK_MIN_SHARE})
    government = contract.national_fund_share + contract.provincial_share + contract.local_share
    if government > GOVERNMENT_MAX_SHARE:
        fail(
            "national_fund_share",
            _("政府性融资担保体系分险比例合计不得超过 %(max)s%%。") % {"max": GOVERNMENT_MAX_SHARE},
        )
    cap, category = national_fund_cap(loan=loan)
    if contract.national_fund_share > cap:
        fail(
            "national_fund_share",
            _("国家融资担保基金对%(category)s的分险比例不得超过 %(cap)s%%。") % {"category": category, "cap": cap},
        )
    if contract.provincial_share < PROVINCIAL_MIN_SHARE:
        fail("provincial_share", _("省级再担保机构分险比例不得低于 %(min)s%%。") % {"min": PROVINCIAL_MIN_SHARE})
    fee_cap = REGUARANTEE_FEE_MAX_SMALL if loan.amount <= SMALL_LOAN_LIMIT else REGUARANTEE_FEE_MAX
    if contract.reguarantee_fee_rate > fee_cap:
        fail(
            "reguarantee_fee_rate",
            _("再担保费率不得超过 %(cap)s%%(单笔 %(limit)s 万元及以下贷款为 0.3%%)。")
            % {"cap": fee_cap, "limit": SMALL_LOAN_LIMIT},
        )
    if contract.amount > loan.amount:
        fail("amount", _("担保金额不能超过贷款金额。"))
    outstanding = firm_outstanding_guarantees(enterprise_id=loan.enterprise_id)
    if outstanding + contract.amount > FIRM_OUTSTANDING_CAP:
        fail(
            "amount",
            _("单户在保余额不得超过 %(cap)s 万元(现有 %(now)s 万元)。")
            % {"cap": FIRM_OUTSTANDING_CAP, "now": outstanding},
        )
    return errors


def _may_record(user: User, loan: LoanContract, guarantor: GuaranteeInstitution) -> bool:
    if bank_officer_of(user) is not None:
        return LoanContract.objects.visible_to(user).filter(pk=loan.pk).exists()
    staff = guarantor_staff_of(user)
    return staff is not None and staff.institution_id == guarantor.pk


@transaction.atomic
def guarantee_contract_create(
    *,
    loan: LoanContract,
    user: User,
    guarantor: GuaranteeInstitution,
    reguarantor: GuaranteeInstitution | None,
    amount: Decimal,
    bank_share: Decimal,
    national_fund_share: Decimal,
    provincial_share: Decimal,
    local_share: Decimal,
    guarantee_fee_rate: Decimal,
    reguarantee_fee_rate: Decimal,
    signed_on: date,
) -> GuaranteeContract:
    """Record the special-plan guarantee of ``loan``; every rule of the plan is checked first (module docstring)."""
    loan = LoanContract.objects.select_for_update().select_related("enterprise").get(pk=loan.pk)
    if not _may_record(user, loan, guarantor):
        raise ApplicationError(_("贷款合同不存在。"))
    if hasattr(loan, "guarantee"):
        raise ApplicationError(_("该笔贷款已登记担保合同。"))
    if loan.guarantee_mode != GuaranteeMode.SPECIAL_PLAN:
        raise ApplicationError(_("只有担保方式为科技创新专项担保计划的贷款才能登记专项担保。"))
    contract = GuaranteeContract(
        loan=loan,
        guarantor=guarantor,
        reguarantor=reguarantor,
        amount=Decimal(str(amount)),
        bank_share=Decimal(str(bank_share)),
        national_fund_share=Decimal(str(national_fund_share)),
        provincial_share=Decimal(str(provincial_share)),
        local_share=Decimal(str(local_share)),
        guarantee_fee_rate=Decimal(str(guarantee_fee_rate)),
        reguarantee_fee_rate=Decimal(str(reguarantee_fee_rate)),
        signed_on=signed_on,
    )
    errors = _check_plan_rules(contract, loan)
    if reguarantor is not None and reguarantor.kind != InstitutionKind.PROVINCIAL:
        errors.setdefault("reguarantor", []).append(_("再担保机构须为省级再担保机构。"))
    if contract.provincial_share > 0 and reguarantor is None:
        errors.setdefault("reguarantor", []).append(_("有省级再担保分险时须指定省级再担保机构。"))
    if signed_on < loan.signed_on:
        errors.setdefault("signed_on", []).append(_("担保签约日期不能早于贷款签约日期。"))
    for field, messages in _fuse_check(guarantor, reguarantor).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    contract.full_clean()
    contract.save()
    return contract


def _is_the_guarantor(actor, guarantee: GuaranteeContract) -> bool:
    return actor.is_guarantor and actor.guarantor_id == guarantee.guarantor_id


@transaction.atomic
def guarantee_release(*, guarantee: GuaranteeContract, user: User, released_on: date) -> GuaranteeContract:
    """End a guarantee: the guaranteeing institution or the lending bank only (the national fund and the
    re-guarantor see the contract, for their shares, but do not end it)."""
    guarantee = (
        GuaranteeContract.objects.visible_to(user).select_for_update().select_related("loan").filter(pk=guarantee.pk)
    ).first()
    if guarantee is None:
        raise ApplicationError(_("担保合同不存在。"))
    actor = actor_of(user)
    lender = actor.is_bank and guarantee.loan.bank_id == actor.bank_id
    if not (lender or _is_the_guarantor(actor, guarantee)):
        raise ApplicationError(_("只有承保的担保机构或放款银行可以解除担保。"))
    if released_on < guarantee.signed_on:
        raise ValidationError({"released_on": [_("解除日期不能早于签约日期。")]})
    guarantee.released_on = released_on
    guarantee.save(update_fields=["released_on", "updated_at"])
    return guarantee


@transaction.atomic
def compensation_event_create(
    *,
    guarantee: GuaranteeContract,
    user: User,
    amount: Decimal,
    occurred_on: date,
    recovered_amount: Decimal = Decimal(0),
    notes: str = "",
) -> CompensationEvent:
    """Record a compensation (代偿) by the guarantor: only after the loan is overdue or in default, within the
    guaranteed amount (all compensations of the contract together); the loan is then in default."""
    guarantee = (
        GuaranteeContract.objects.visible_to(user).select_for_update().select_related("loan").filter(pk=guarantee.pk)
    ).first()
    if guarantee is None:
        raise ApplicationError(_("担保合同不存在。"))
    if not _is_the_guarantor(actor_of(user), guarantee):  # not the fund or the re-guarantor, nor the bank
        raise ApplicationError(_("只有承保的担保机构可以登记代偿。"))
    amount, recovered = Decimal(str(amount)), Decimal(str(recovered_amount))
    errors: dict[str, list[str]] = {}
    if guarantee.loan.repayment_status not in (RepaymentStatus.OVERDUE, RepaymentStatus.DEFAULT):
        errors["amount"] = [_("代偿只能发生在贷款逾期或违约之后。")]
    paid = guarantee.compensations.aggregate(total=Coalesce(Sum("amount"), Value(Decimal(0))))["total"]
    if amount <= 0:
        errors["amount"] = [_("代偿金额必须为正数。")]
    elif paid + amount > guarantee.amount:
        errors["amount"] = [_("累计代偿金额不能超过担保金额。")]
    if recovered < 0 or recovered > amount:
        errors["recovered_amount"] = [_("已追偿金额须在 0 至代偿金额之间。")]
    if occurred_on > timezone.localdate() or occurred_on < guarantee.signed_on:
        errors["occurred_on"] = [_("代偿日期须在担保签约之后且不晚于今天。")]
    if errors:
        raise ValidationError(errors)
    event = CompensationEvent.objects.create(
        guarantee=guarantee, amount=amount, occurred_on=occurred_on, recovered_amount=recovered, notes=notes.strip()
    )
    LoanContract.objects.filter(pk=guarantee.loan_id).update(repayment_status=RepaymentStatus.DEFAULT)
    if guarantee.loan.repayment_status != RepaymentStatus.DEFAULT:  # an UPDATE sends no signal: record it
        audit_changes(guarantee.loan, {"repayment_status": (guarantee.loan.repayment_status, RepaymentStatus.DEFAULT)},
                      actor=user)  # fmt: skip
    return event


# --- Risk pools: the warning line and the fuse ----------------------------------------------------------------------


def risk_lines() -> tuple[Decimal, Decimal]:
    """The warning line and the fuse, percent of guaranteed amounts compensated (settings, 5 / 8 by default)."""
    return Decimal(settings.RISK_POOL_WARNING_RATE), Decimal(settings.RISK_POOL_FUSE_RATE)


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) if whole else Decimal("0.00")


@dataclass(frozen=True)
class RiskPool:
    """A guarantor's book or a provincial pool: what was guaranteed and compensated, and the loans now overdue that
    could still be. ``rate`` and ``projected_rate`` are percentages with two decimals."""

    institution: GuaranteeInstitution
    contracts: int
    guaranteed: Decimal
    compensated: Decimal
    recovered: Decimal
    overdue_exposures: tuple[Decimal, ...]  # the guarantee system's part of each overdue, uncompensated loan

    @property
    def rate(self) -> Decimal:
        return _percent(self.compensated, self.guaranteed)

    @property
    def projected_rate(self) -> Decimal:
        """The rate if every loan now overdue were compensated for the guarantee system's share."""
        return _percent(self.compensated + sum(self.overdue_exposures, Decimal(0)), self.guaranteed)

    @property
    def level(self) -> str:
        warning, fuse = risk_lines()
        return RiskLevel.FUSE if self.rate >= fuse else RiskLevel.WARNING if self.rate >= warning else RiskLevel.NORMAL

    def defaults_to_cross(self, line: Decimal) -> int | None:
        """How many of the loans now overdue, largest first, would take the rate to ``line`` if compensated: 0 when
        it is there already, None when all of them would not."""
        if self.rate >= line:
            return 0
        paid = self.compensated
        for count, exposure in enumerate(self.overdue_exposures, start=1):
            paid += exposure
            if _percent(paid, self.guaranteed) >= line:
                return count
        return None

    @property
    def to_warning(self) -> int | None:
        return self.defaults_to_cross(risk_lines()[0])

    @property
    def to_fuse(self) -> int | None:
        return self.defaults_to_cross(risk_lines()[1])


def _pool_members(institution: GuaranteeInstitution, *, as_pool: bool) -> Q:
    """The guarantees in ``institution``'s book (it guarantees them) or, ``as_pool``, in the provincial pool it
    re-guarantees; the national fund's book is every guarantee it shares in."""
    if institution.kind == InstitutionKind.NATIONAL_FUND:
        return Q(national_fund_share__gt=0)
    return Q(reguarantor=institution) if as_pool else Q(guarantor=institution)


ZERO_AMOUNT = Value(Decimal(0), output_field=DecimalField(max_digits=16, decimal_places=2))


def _book_figures(contracts, field: str | None) -> dict:
    """Per value of ``field`` (one group when None): [contracts, guaranteed, compensated, recovered, exposures],
    three aggregate queries."""
    contracts = contracts.order_by()
    compensations = CompensationEvent.objects.filter(guarantee__in=contracts.values("pk")).order_by()
    overdue = contracts.filter(loan__repayment_status=RepaymentStatus.OVERDUE, compensations__isnull=True)
    exposure = ExpressionWrapper(  # what the guarantee system would pay: all but the bank's share
        F("amount") * (Value(Decimal(100)) - F("bank_share")) / Value(Decimal(100)),
        output_field=DecimalField(max_digits=16, decimal_places=4),
    )
    group = (
        (lambda q, name: q.values_list(name)) if field else (lambda q, name: q.annotate(g=Value(0)).values_list("g"))
    )
    figures: dict = {}

    def row(key):
        return figures.setdefault(key, [0, Decimal(0), Decimal(0), Decimal(0), []])

    for key, n, total in group(contracts, field).annotate(n=Count("pk"), total=Coalesce(Sum("amount"), ZERO_AMOUNT)):
        row(key)[0:2] = [n, total]
    paid = group(compensations, f"guarantee__{field}").annotate(
        paid=Coalesce(Sum("amount"), ZERO_AMOUNT), back=Coalesce(Sum("recovered_amount"), ZERO_AMOUNT)
    )
    for key, amount, back in paid:
        row(key)[2:4] = [amount, back]
    for key, x in overdue.annotate(x=exposure, g=Value(0)).values_list(field or "g", "x"):
        row(key)[4].append(Decimal(x).quantize(Decimal("0.01")))
    return figures


def risk_pools(*, institutions: list[GuaranteeInstitution], as_pool: bool) -> dict[int, RiskPool]:
    """Each institution's book (or, ``as_pool``, the provincial pool it re-guarantees): one ``GROUP BY`` per figure
    for all of them, however many; the national fund's book (every guarantee it shares in) apart."""
    field = "reguarantor_id" if as_pool else "guarantor_id"
    figures: dict[int, list] = {}
    grouped = [i.pk for i in institutions if i.kind != InstitutionKind.NATIONAL_FUND]
    if grouped:
        figures.update(_book_figures(GuaranteeContract.objects.filter(**{f"{field}__in": grouped}), field))
    for fund in (i for i in institutions if i.kind == InstitutionKind.NATIONAL_FUND):
        figures[fund.pk] = _book_figures(
            GuaranteeContract.objects.filter(_pool_members(fund, as_pool=False)), None
        ).get(0)
    pools = {}
    for institution in institutions:
        n, total, paid, back, exposures = figures.get(institution.pk) or [0, Decimal(0), Decimal(0), Decimal(0), []]
        pools[institution.pk] = RiskPool(institution, n, total, paid, back, tuple(sorted(exposures, reverse=True)))
    return pools


def risk_pool(*, institution: GuaranteeInstitution, as_pool: bool = False) -> RiskPool:
    return risk_pools(institutions=[institution], as_pool=as_pool)[institution.pk]


def _fuse_check(guarantor: GuaranteeInstitution, reguarantor: GuaranteeInstitution | None) -> dict[str, list[str]]:
    """At the fuse no new guarantee is taken: neither by a guarantor whose book reached it, nor in a provincial
    pool that did."""
    errors: dict[str, list[str]] = {}
    _warning, fuse = risk_lines()
    book = risk_pool(institution=guarantor)
    if book.rate >= fuse:
        errors["guarantor"] = [
            _("%(name)s 的代偿率 %(rate)s%% 已达熔断线 %(fuse)s%%,暂停新增担保。")
            % {"name": guarantor, "rate": book.rate, "fuse": fuse}
        ]
    if reguarantor is not None:
        pool = risk_pool(institution=reguarantor, as_pool=True)
        if pool.rate >= fuse:
            errors["reguarantor"] = [
                _("%(name)s 风险池的代偿率 %(rate)s%% 已达熔断线 %(fuse)s%%,暂停新增担保。")
                % {"name": reguarantor, "rate": pool.rate, "fuse": fuse}
            ]
    return errors


@dataclass(frozen=True)
class PortfolioFigures:
    contracts: int
    guaranteed: Decimal
    compensated: Decimal
    recovered: Decimal

    @property
    def compensation_rate(self) -> Decimal:
        return (self.compensated / self.guaranteed) if self.guaranteed else Decimal(0)

    @property
    def flagged(self) -> bool:
        return self.compensation_rate * 100 > risk_lines()[0]


def guarantor_portfolio(*, institution: GuaranteeInstitution) -> PortfolioFigures:
    """The compensation rate of a guarantor's portfolio (compensations / guaranteed amounts), two aggregates."""
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))
    if institution.kind == InstitutionKind.NATIONAL_FUND:
        mine = Q(national_fund_share__gt=0)
    else:
        mine = Q(guarantor=institution) | Q(reguarantor=institution)
    contracts = GuaranteeContract.objects.filter(mine).aggregate(n=Sum(Value(1)), total=Coalesce(Sum("amount"), zero))
    events = CompensationEvent.objects.filter(
        guarantee__in=GuaranteeContract.objects.filter(mine).values("pk")
    ).aggregate(paid=Coalesce(Sum("amount"), zero), back=Coalesce(Sum("recovered_amount"), zero))
    return PortfolioFigures(contracts["n"] or 0, contracts["total"], events["paid"], events["back"])
