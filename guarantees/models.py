"""Guarantee institutions, guarantee contracts under the special guarantee plan, and compensation events (代偿)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel, GuaranteeInstitution

from .querysets import GuaranteeContractQuerySet

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class RiskLevel(models.TextChoices):
    """Where a guarantor's book or a provincial pool stands against the lines (``guarantees.services.risk_lines``)."""

    NORMAL = "normal", _("正常")
    WARNING = "warning", _("超过警戒线")
    FUSE = "fuse", _("已熔断:暂停新增担保")


class GuaranteeContract(BaseModel):
    """A guarantee on one loan with the risk split of the special guarantee plan (财金〔2024〕60号).

    Shares are percentages of the guaranteed amount: bank + national fund + provincial + local = 100. The plan's
    limits (bank ≥ 20, government ≤ 80, national fund cap by firm type, provincial ≥ 20, fee caps, the per-firm
    outstanding cap) are enforced in guarantees.services; the database keeps the arithmetic honest.
    """

    loan = models.OneToOneField("loans.LoanContract", models.PROTECT, related_name="guarantee", verbose_name=_("贷款"))
    guarantor = models.ForeignKey(
        GuaranteeInstitution, models.PROTECT, related_name="guarantees", verbose_name=_("担保机构")
    )
    reguarantor = models.ForeignKey(
        GuaranteeInstitution, models.PROTECT, null=True, blank=True, related_name="reguarantees",
        verbose_name=_("省级再担保机构"),
    )  # fmt: skip
    amount = models.DecimalField(
        _("担保金额(万元)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0.01)]
    )
    bank_share = models.DecimalField(_("银行分险比例(%)"), max_digits=5, decimal_places=2, validators=PERCENT)
    national_fund_share = models.DecimalField(
        _("国家融资担保基金分险比例(%)"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    provincial_share = models.DecimalField(
        _("省级再担保分险比例(%)"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    local_share = models.DecimalField(_("地方担保机构分险比例(%)"), max_digits=5, decimal_places=2, validators=PERCENT)
    guarantee_fee_rate = models.DecimalField(_("担保费率(%)"), max_digits=5, decimal_places=3, validators=PERCENT)
    reguarantee_fee_rate = models.DecimalField(_("再担保费率(%)"), max_digits=5, decimal_places=3, validators=PERCENT)
    signed_on = models.DateField(_("签约日期"))
    released_on = models.DateField(_("解除日期"), null=True, blank=True)

    objects = GuaranteeContractQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on"]
        verbose_name = _("担保合同")
        verbose_name_plural = _("担保合同")
        constraints = [
            models.CheckConstraint(
                condition=Q(bank_share__gte=0, national_fund_share__gte=0, provincial_share__gte=0, local_share__gte=0),
                name="guarantee_shares_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guarantor} · {self.loan}"


class CompensationEvent(BaseModel):
    """A compensation payment (代偿) made by the guarantor after a default, and what was later recovered."""

    guarantee = models.ForeignKey(
        GuaranteeContract, models.PROTECT, related_name="compensations", verbose_name=_("担保合同")
    )
    amount = models.DecimalField(
        _("代偿金额(万元)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0.01)]
    )
    occurred_on = models.DateField(_("代偿日期"))
    recovered_amount = models.DecimalField(
        _("已追偿金额(万元)"), max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["-occurred_on"]
        verbose_name = _("代偿事件")
        verbose_name_plural = _("代偿事件")

    def __str__(self) -> str:
        return f"{self.guarantee} · {self.amount}"
