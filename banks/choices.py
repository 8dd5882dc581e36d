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


class GuaranteeMode(models.TextChoices):
    """How a loan is secured: a product's mode (the supermarket filters on it) and a signed contract's."""

    CREDIT = "credit", _("纯信用")
    SPECIAL_PLAN = "special_plan", _("科技创新专项担保计划")
    IP_PLEDGE = "ip_pledge", _("知识产权质押")


class ApplicationStatus(models.TextChoices):
    """Where a firm's application to a bank stands: what the firm reads, with the date of each step."""

    RECEIVED = "received", _("已收到")
    VIEWED = "viewed", _("已查看")
    CONTACTED = "contacted", _("已对接")
    APPROVED = "approved", _("已审批")
    DECLINED = "declined", _("已拒绝")
    CONTRACTED = "contracted", _("已签约")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    SOON = "soon", _("较急(3个月内)")
    URGENT = "urgent", _("紧急(1个月内)")


NEED_AMOUNT_MAX = 100000  # 万元: 10 亿元, the largest need a firm may post (issue #15)
