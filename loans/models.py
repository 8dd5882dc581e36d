"""Points-loan contracts signed from recommendations, with disbursement and repayment status."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel

from .querysets import LoanContractQuerySet


class RepaymentStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    OVERDUE = "overdue", _("逾期")
    DEFAULT = "default", _("违约")
    SETTLED = "settled", _("已结清")


class GuaranteeMode(models.TextChoices):
    CREDIT = "credit", _("纯信用")
    SPECIAL_PLAN = "special_plan", _("科技创新专项担保计划")
    IP_PLEDGE = "ip_pledge", _("知识产权质押")


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
