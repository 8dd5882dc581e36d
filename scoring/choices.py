from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    STARTUP = "startup", _("初创期")
    GROWTH = "growth", _("成长期")
    STABLE = "stable", _("稳定期")


class Method(models.TextChoices):
    PERCENTILE = "percentile", _("同行百分位")
    REFERENCE = "reference", _("标杆值")
    TIERS = "tiers", _("分档")
    FLAG = "flag", _("是否")


class Grade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    E = "E", "E"


class RunState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    LOADING = "loading", _("加载数据")
    SCORING = "scoring", _("计算中")
    PERSISTING = "persisting", _("写入结果")
    COMPUTED = "computed", _("已计算")
    PUBLISHED = "published", _("已发布")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    ACCEPTED = "accepted", _("已采纳")
    REJECTED = "rejected", _("已驳回")


ACTIVE_RUN_STATES = (RunState.QUEUED, RunState.LOADING, RunState.SCORING, RunState.PERSISTING)


GRADE_ORDER = tuple(Grade.values)
"""Grades best first (methodology §6): the one order the bands, the bank products' minimum grade, the lists and the
report compare grades by. The last grade is what a total below every band gets."""


def grade_at_least(grade: str, minimum: str) -> bool:
    """``grade`` is ``minimum`` or better (``B`` is at least ``C``). An unknown grade meets nothing."""
    return grade in GRADE_ORDER and GRADE_ORDER.index(grade) <= GRADE_ORDER.index(minimum)
