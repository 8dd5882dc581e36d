"""The policy library (政策库) and what matching found: policies with machine-checkable conditions, their saved
versions, and per policy the firms of a published run that match it or miss it by one condition."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from core.validators import validate_region_scope

from .choices import PolicyClass
from .querysets import PolicyMatchQuerySet, PolicyQuerySet


class Policy(BaseModel):
    """A policy a bureau publishes for the firms of its region. ``conditions`` is data (``policies.conditions``):
    checked when saved, evaluated over whole populations (``policies.matching``). Every save bumps ``version`` and
    appends a ``PolicyVersion``; the audit trail records who changed which field."""

    region_scope = models.CharField(
        _("适用地区"), max_length=6, blank=True, validators=[validate_region_scope],
        help_text=_("留空为全国;只有本地区的企业参与匹配。"),
    )  # fmt: skip
    name = models.CharField(_("政策名称"), max_length=200)
    issuer = models.CharField(_("发布机构"), max_length=100)
    policy_class = models.CharField(_("政策类别"), max_length=32, choices=PolicyClass.choices)
    benefit = models.TextField(_("支持内容"))
    deadline = models.DateField(_("申报截止日期"), null=True, blank=True)
    office = models.CharField(_("受理部门"), max_length=100, blank=True)
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    how_to_apply = models.TextField(_("申报方式"), blank=True)
    conditions = models.JSONField(_("适用条件"), default=list, blank=True)
    active = models.BooleanField(_("有效"), default=True, help_text=_("停用的政策不再参与匹配,企业也看不到它。"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("创建人")
    )
    matched_at = models.DateTimeField(_("最近匹配时间"), null=True, blank=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        ordering = ["policy_class", "name", "pk"]
        verbose_name = _("政策")
        verbose_name_plural = _("政策")

    def __str__(self) -> str:
        return self.name


class PolicyVersion(models.Model):
    """A policy as it was saved, once per version (never changed): what a match row's ``policy_version`` refers to
    and what the policy page lists as its history."""

    policy = models.ForeignKey(Policy, models.CASCADE, related_name="versions", verbose_name=_("政策"))
    version = models.PositiveIntegerField(_("版本"))
    content = models.JSONField(_("内容"))
    saved_by = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("保存人")
    )
    saved_at = models.DateTimeField(_("保存时间"), auto_now_add=True)

    class Meta:
        ordering = ["policy", "-version"]
        verbose_name = _("政策版本")
        verbose_name_plural = _("政策版本")
        constraints = [models.UniqueConstraint(fields=["policy", "version"], name="policy_version_unique")]

    def __str__(self) -> str:
        return f"{self.policy_id} v{self.version}"


class PolicyMatch(models.Model):
    """One firm of a batch's published run that meets a policy (``near`` false) or misses exactly one changeable
    condition (``near`` true: ``condition`` is its index in the policy's version ``policy_version``, ``have`` the
    firm's value, ``need`` the threshold, ``gap`` the filed amount that closes it). Rows of (policy, batch) are
    replaced as a whole by each matching, written in bulk (COPY on PostgreSQL). ``region`` and ``section`` are the
    firm's when scored, so a bureau's counts and lists need no join."""

    pk = models.CompositePrimaryKey("policy", "batch", "enterprise")  # the natural key: one index fewer to maintain
    # No database constraints and no single-column indexes on these keys: one matching writes ~100,000s of rows
    # whose ids it has just read, and checking three foreign keys per row at commit cost more than the COPY itself
    # (18 s of 36 s for 170,000 rows here); Django still cascades deletions. The unique key starts with the policy
    # and the (enterprise, near) index serves the firm's page.
    policy = models.ForeignKey(Policy, models.CASCADE, related_name="matches", verbose_name=_("政策"),
                               db_constraint=False, db_index=False)  # fmt: skip
    batch = models.ForeignKey("enterprises.Batch", models.CASCADE, related_name="+", verbose_name=_("批次"),
                              db_constraint=False, db_index=False)  # fmt: skip
    run = models.ForeignKey("scoring.ScoringRun", models.CASCADE, related_name="+", verbose_name=_("评分任务"),
                            db_constraint=False, db_index=False)  # fmt: skip
    enterprise = models.ForeignKey("enterprises.Enterprise", models.CASCADE, related_name="policy_matches",
                                   verbose_name=_("企业"), db_constraint=False, db_index=False)  # fmt: skip
    policy_version = models.PositiveIntegerField(_("政策版本"))
    near = models.BooleanField(_("差一项条件"))
    condition = models.SmallIntegerField(_("未满足的条件"), null=True, blank=True)
    have = models.FloatField(_("企业现值"), null=True, blank=True)
    need = models.FloatField(_("条件阈值"), null=True, blank=True)
    gap = models.FloatField(_("差额"), null=True, blank=True)
    region = models.PositiveIntegerField(_("行政区划代码"))
    section = models.CharField(_("行业门类"), max_length=1)
    matched_at = models.DateTimeField(_("匹配时间"))

    objects = PolicyMatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("政策匹配结果")
        verbose_name_plural = _("政策匹配结果")
        indexes = [
            models.Index(fields=["policy", "near", "region"], name="policy_match_policy_region"),
            models.Index(fields=["enterprise", "near"], name="policy_match_enterprise"),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} · {self.enterprise_id}"
