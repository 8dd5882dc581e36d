from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyClass(models.TextChoices):
    """The policy databases a zone platform integrates (issue 15: at least these twelve)."""

    RD_SUPER_DEDUCTION = "rd_super_deduction", _("研发费用加计扣除")
    HIGH_TECH_TAX = "high_tech_tax", _("高新技术企业所得税优惠")
    TECH_SME_ADMISSION = "tech_sme_admission", _("科技型中小企业入库")
    SPECIALISED_CULTIVATION = "specialised_cultivation", _("专精特新及“小巨人”培育")
    RD_SUBSIDY = "rd_subsidy", _("研发投入补助")
    INNOVATION_VOUCHER = "innovation_voucher", _("科技创新券")
    TALENT = "talent", _("人才政策")
    PLATFORMS_AWARDS = "platforms_awards", _("创新平台与科技奖励")
    RELENDING = "relending", _("科技创新再贷款")
    SPECIAL_GUARANTEE = "special_guarantee", _("专项担保计划")
    INTEREST_SUBSIDY = "interest_subsidy", _("贷款贴息")
    RISK_COMPENSATION = "risk_compensation", _("风险补偿")
