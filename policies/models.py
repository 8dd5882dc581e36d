"""The policy library (政策库) and what matching found: policies with machine-checkable conditions, their saved
versions, and per policy the firms of a published run that match it or miss it by one condition."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from core.validators import validate_region_scope

from .choices import PolicyClass
from .querysets import PolicyMatchGroupQuerySet, PolicyQuerySet


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


class PolicyMatchGroup(models.Model):
    """What one matching found for a policy among the firms of one county (``region``, the 6-digit code when scored)
    in a batch's published run ``run``, with the policy as it was at ``policy_version``: ``matched`` firms that meet
    it and ``near`` firms that miss exactly one changeable condition. ``firms`` packs a record per firm
    (``policies.match_store``): the matching firms' (id, section: 5 bytes), then the near-misses' (id, section,
    unmet condition, the firm's value, the gap: 14 bytes), each part in id order.

    One row per (policy, batch, county) rather than per firm: a national round (100 policies) is ~10 million
    (policy, firm) pairs; as rows they took 340–440 s to replace here (DELETE + COPY into the indexed table, load
    ~10) and ~32 s even into fresh tables indexed afterwards, as ~100,000 packed rows ~2 s
    (``bench/match_store_bench.py``). Each firm's page reads its county's rows (~100, one per policy); a bureau's
    reads one policy's. On PostgreSQL the table is partitioned by batch (migration 0002): a whole round replaces its
    batch's partition (``policies.match_store``)."""

    pk = models.CompositePrimaryKey("policy", "batch", "region")
    # No database constraints on these keys: rows are written in bulk from ids just read, and Django still cascades
    # deletions (a policy's, a batch's).
    policy = models.ForeignKey(Policy, models.CASCADE, related_name="match_groups", verbose_name=_("政策"),
                               db_constraint=False, db_index=False)  # fmt: skip
    batch = models.ForeignKey("enterprises.Batch", models.CASCADE, related_name="+", verbose_name=_("批次"),
                              db_constraint=False, db_index=False)  # fmt: skip
    run = models.ForeignKey("scoring.ScoringRun", models.CASCADE, related_name="+", verbose_name=_("评分任务"),
                            db_constraint=False, db_index=False)  # fmt: skip
    region = models.PositiveIntegerField(_("行政区划代码"))
    policy_version = models.PositiveIntegerField(_("政策版本"))
    matched = models.PositiveIntegerField(_("符合条件的企业数"))
    near = models.PositiveIntegerField(_("差一项条件的企业数"))
    firms = models.BinaryField(_("企业记录"))
    matched_at = models.DateTimeField(_("匹配时间"))

    objects = PolicyMatchGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("政策匹配结果")
        verbose_name_plural = _("政策匹配结果")
        indexes = [models.Index(fields=["region"], name="policy_match_group_region")]  # a firm's page

    def __str__(self) -> str:
        return f"{self.policy_id} · {self.batch_id} · {self.region}"
