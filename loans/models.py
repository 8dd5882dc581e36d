"""Points-loan contracts signed from recommendations, with disbursement and repayment status."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from banks.choices import GuaranteeMode  # noqa: F401  (re-exported: loans.models.GuaranteeMode, as it always was)
from core.models import BaseModel

from .querysets import LoanContractQuerySet, LoanWarningQuerySet


class RepaymentStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    OVERDUE = "overdue", _("逾期")
    DEFAULT = "default", _("违约")
    SETTLED = "settled", _("已结清")


class LoanContract(BaseModel):
    """A signed loan. Amount ≤ the product's maximum; rate ≤ the product's ceiling (checked in loans.services)."""

    contract_no = models.CharField(_("合同编号"), max_length=40, unique=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", models.PROTECT, related_name="loans", verbose_name=_("企业")
    )
    bank = models.ForeignKey("core.Bank", models.PROTECT, related_name="loans", verbose_name=_("银行"))
    product = models.ForeignKey(
        "banks.LoanProduct", models.PROTECT, null=True, blank=True, related_name="loans", verbose_name=_("产品")
    )
    # No database constraint: recommendations are partitioned by run and bank (banks.partitions), so there is no
    # unique (id) to reference. Django still enforces PROTECT.
    recommendation = models.OneToOneField(
        "banks.Recommendation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="loan",
        verbose_name=_("推荐记录"),
        db_constraint=False,
    )
    amount = models.DecimalField(
        _("合同金额(万元)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0.01)]
    )
    over_line_reason = models.TextField(_("超出建议额度的理由"), blank=True)
    rate = models.DecimalField(
        _("年利率(%)"), max_digits=5, decimal_places=3, validators=[MinValueValidator(0), MaxValueValidator(36)]
    )
    term_months = models.PositiveSmallIntegerField(_("期限(月)"), validators=[MinValueValidator(1)])
    signed_on = models.DateField(_("签约日期"))
    disbursed_on = models.DateField(_("放款日期"), null=True, blank=True)
    repayment_status = models.CharField(
        _("还款状态"), max_length=10, choices=RepaymentStatus.choices, default=RepaymentStatus.NORMAL
    )
    relending_eligible = models.BooleanField(_("符合科技创新再贷款条件"), default=False)
    guarantee_mode = models.CharField(
        _("担保方式"), max_length=14, choices=GuaranteeMode.choices, default=GuaranteeMode.CREDIT
    )
    officer = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("经办人")
    )

    objects = LoanContractQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on"]
        verbose_name = _("贷款合同")
        verbose_name_plural = _("贷款合同")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="loan_amount_positive"),
            models.CheckConstraint(
                condition=Q(disbursed_on__isnull=True) | Q(disbursed_on__gte=models.F("signed_on")),
                name="loan_disbursed_after_signed",
            ),
        ]

    def __str__(self) -> str:
        return self.contract_no


class WarningKind(models.TextChoices):
    GRADE_DROPPED = "grade_dropped", _("等级下降")
    TOTAL_FELL = "total_fell", _("总分下降10分及以上")
    LEFT_LIST = "left_list", _("退出可推荐名单")
    VETO = "veto", _("触发否决项")


REASON_LABELS = {
    "not_approved": _("填报未审核通过"), "veto_dishonest": _("失信被执行人"), "veto_tax_d": _("纳税信用D级"),
    "veto_violation": _("重大违法违规"), "not_tech_firm": _("非科技型企业"), "no_consent": _("未授权共享数据"),
    "below_threshold": _("总分低于推荐门槛"),
}  # fmt: skip
"""Methodology §7's reason codes as an officer reads them on a warning."""

OUTSTANDING_STATUSES = (RepaymentStatus.NORMAL, RepaymentStatus.OVERDUE, RepaymentStatus.DEFAULT)
"""A loan not settled is outstanding: the lender still carries the risk, so it is watched (贷后预警)."""


class LoanWarning(BaseModel):
    """A post-loan warning (贷后预警) on one outstanding loan: a newer published run scored the borrower lower than
    the score the loan was signed on (grade dropped, total fell by 10 or more, no longer recommendable), or the
    borrower's filing carries a veto flag. Written set-based by ``loans.services``; an officer of the lending bank
    acknowledges it once, with a note."""

    loan = models.ForeignKey(LoanContract, models.CASCADE, related_name="warnings", verbose_name=_("贷款"))
    enterprise = models.ForeignKey("enterprises.Enterprise", models.CASCADE, related_name="+", verbose_name=_("企业"))
    kind = models.CharField(_("预警类型"), max_length=14, choices=WarningKind.choices)
    batch = models.ForeignKey("enterprises.Batch", models.CASCADE, related_name="+", verbose_name=_("批次"))
    run = models.ForeignKey(
        "scoring.ScoringRun", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("评分任务")
    )
    previous_grade = models.CharField(_("签约时等级"), max_length=1, blank=True)
    grade = models.CharField(_("最新等级"), max_length=1, blank=True)
    previous_total = models.DecimalField(_("签约时总分"), max_digits=6, decimal_places=2, null=True, blank=True)
    total = models.DecimalField(_("最新总分"), max_digits=6, decimal_places=2, null=True, blank=True)
    reasons = models.CharField(_("原因代码"), max_length=200, blank=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("确认人")
    )
    note = models.TextField(_("处理说明"), blank=True)

    objects = LoanWarningQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("贷后预警")
        verbose_name_plural = _("贷后预警")
        indexes = [models.Index(fields=["loan", "kind", "batch"], name="loanwarning_loan_kind_batch")]

    def __str__(self) -> str:
        return f"{self.loan} · {self.get_kind_display()}"

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASON_LABELS.get(code, code)) for code in self.reasons.replace(" ", ";").split(";") if code]
