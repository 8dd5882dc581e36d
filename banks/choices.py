from django.db import models
from django.utils.translation import gettext_lazy as _


class RecommendationStatus(models.TextChoices):
    NEW = "new", _("新推荐")
    VIEWED = "viewed", _("已查看")
    CONTACTED = "contacted", _("已对接")
    APPROVED = "approved", _("已审批")
    DECLINED = "declined", _("已拒绝")
    CONTRACTED = "contracted", _("已签约")


class DeclineCategory(models.TextChoices):
    """Why a bank declined a firm, from a fixed list: what the firm may be told (never the officer's notes)."""

    INELIGIBLE = "ineligible", _("资质不符")
    LINE = "line", _("额度不足")
    RISK = "risk", _("风险偏高")
    NO_INTEREST = "no_interest", _("企业无意向")
    DOCUMENTS = "documents", _("资料不全")
    OTHER = "other", _("其他")


DEFAULT_LINE_BY_GRADE = {"A": 1000, "B": 600, "C": 300, "D": 150, "E": 0}  # 万元, methodology §11
