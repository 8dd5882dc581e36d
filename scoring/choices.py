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


ACTIVE_RUN_STATES = (RunState.QUEUED, RunState.LOADING, RunState.SCORING, RunState.PERSISTING)


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("未开放")
    OPEN = "open", _("填报中")
    CLOSED = "closed", _("已截止")
