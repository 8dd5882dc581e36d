"""Indicator systems (versioned data), how batches are scored, scoring runs and the scores they publish."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import FloatArrayField, PackedFloatsField
from core.models import BaseModel
from core.validators import validate_region_scope

from .choices import Grade, Method, ObjectionStatus, RunState, Stage
from .labels import system_name
from .querysets import IndicatorSystemQuerySet, ObjectionQuerySet, ScoreQuerySet, ScoringRunQuerySet


class IndicatorSystem(BaseModel):
    """A versioned scoring methodology (methodology §3–§9 as data). Frozen once any run used it: then immutable."""

    code = models.CharField(_("体系代码"), max_length=40)
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    region_scope = models.CharField(
        _("适用范围"), max_length=6, blank=True, validators=[validate_region_scope], help_text=_("留空为全国通用。")
    )
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="clones", verbose_name=_("复制自")
    )
    bonus_cap = models.FloatField(_("加分上限"), default=0, validators=[MinValueValidator(0)])
    min_group_size = models.PositiveIntegerField(_("同行组最小规模"), default=30, validators=[MinValueValidator(1)])
    threshold = models.FloatField(_("推荐门槛分"), default=70)
    grade_bands = models.JSONField(
        _("等级分界"), default=dict, help_text=_('例如 {"A": 85, "B": 80, "C": 70, "D": 60},低于 D 为 E。')
    )
    startup_age = models.PositiveSmallIntegerField(_("初创期年限(年,小于)"), default=3)
    startup_revenue = models.FloatField(_("初创期营业收入(万元,小于)"), default=500)
    stable_age = models.PositiveSmallIntegerField(_("稳定期年限(年,不小于)"), default=10)
    stable_revenue = models.FloatField(_("稳定期营业收入(万元,不小于)"), default=20000)
    frozen = models.BooleanField(_("已冻结"), default=False, help_text=_("已用于评分的体系不可再修改。"))
    content_hash = models.CharField(_("内容摘要"), max_length=64, blank=True, editable=False)

    objects = IndicatorSystemQuerySet.as_manager()

    class Meta:
        ordering = ["code", "version"]
        verbose_name = _("指标体系")
        verbose_name_plural = _("指标体系")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="indicator_system_unique_version")]

    def __str__(self) -> str:
        return f"{system_name(self.name)} ({self.key})"

    @property
    def key(self) -> str:
        """How people and commands name a system: ``national-v1`` is code ``national``, version 1."""
        return f"{self.code}-v{self.version}"


class Indicator(models.Model):
    """One indicator of a system: which field it reads, how it normalises, and its weight for each stage."""

    system = models.ForeignKey(IndicatorSystem, models.CASCADE, related_name="indicators", verbose_name=_("指标体系"))
    code = models.CharField(_("指标代码"), max_length=16)
    name = models.CharField(_("指标名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=40)
    source_field = models.CharField(_("数据字段"), max_length=40)
    method = models.CharField(_("计分方法"), max_length=12, choices=Method.choices)
    reference = models.FloatField(_("满分标杆值"), null=True, blank=True)
    thresholds = models.JSONField(_("分档阈值"), default=list, blank=True)
    fractions = models.JSONField(_("分档得分比例"), default=list, blank=True)
    weight_startup = models.FloatField(_("权重(初创期)"), default=0, validators=[MinValueValidator(0)])
    weight_growth = models.FloatField(_("权重(成长期)"), default=0, validators=[MinValueValidator(0)])
    weight_stable = models.FloatField(_("权重(稳定期)"), default=0, validators=[MinValueValidator(0)])
    is_bonus = models.BooleanField(_("加分项"), default=False)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["system", "order", "code"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        constraints = [models.UniqueConstraint(fields=["system", "code"], name="indicator_unique_code_per_system")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BatchScoring(models.Model):
    """How a batch is scored and what of it is published: the batch's indicator system (the default for its runs)
    and its published run. Publication switches ``published_run`` in one transaction on this row
    (``scoring.services.scoring_run_publish``); readers that go through it see the old run or the new, never a mix.

    A row of its own rather than columns on ``enterprises.Batch``: the filings (a lower app) own the batch, the
    scoring app owns what is computed from it (docs/architecture.md).
    """

    batch = models.OneToOneField(
        "enterprises.Batch", models.CASCADE, primary_key=True, related_name="scoring", verbose_name=_("批次")
    )
    system = models.ForeignKey(IndicatorSystem, models.PROTECT, related_name="batches", verbose_name=_("指标体系"))
    published_run = models.OneToOneField(
        "scoring.ScoringRun", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("已发布的评分")
    )

    class Meta:
        verbose_name = _("批次评分设置")
        verbose_name_plural = _("批次评分设置")

    def __str__(self) -> str:
        return f"{self.batch} · {self.system}"


class ScoringRun(BaseModel):
    """One computation of a batch: the database row is the truth about the job (state, progress, heartbeat, error)."""

    batch = models.ForeignKey("enterprises.Batch", models.PROTECT, related_name="runs", verbose_name=_("批次"))
    system = models.ForeignKey(IndicatorSystem, models.PROTECT, related_name="runs", verbose_name=_("指标体系"))
    system_hash = models.CharField(_("体系摘要"), max_length=64, blank=True)
    indicator_codes = models.JSONField(_("指标顺序"), default=list, blank=True)
    categories = models.JSONField(_("类别顺序"), default=list, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=RunState.choices, default=RunState.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0, validators=[MaxValueValidator(100)])
    heartbeat_at = models.DateTimeField(_("心跳"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    trial = models.BooleanField(_("试算"), default=False, help_text=_("试算任务只供比较,永不发布、永不推送给银行。"))
    superseded_at = models.DateTimeField(
        _("被替代时间"), null=True, blank=True, help_text=_("曾发布的评分被同批次新发布的评分替代的时间。")
    )
    notice_ends_on = models.DateField(
        _("公示截止日"), null=True, blank=True,
        help_text=_("公示期的最后一天(含);期间企业可提出异议。为空表示发布时不公示。"),
    )  # fmt: skip
    released_at = models.DateTimeField(
        _("推送银行时间"), null=True, blank=True,
        help_text=_("结果交给银行(推送名单)的时间:无公示期或批次设置立即推送时为发布时,否则为公示期满后。"),
    )  # fmt: skip
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    timings = models.JSONField(_("各阶段耗时(秒)"), default=dict, blank=True)
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    enterprise_count = models.PositiveIntegerField(_("企业数"), default=0)
    error = models.TextField(_("错误信息"), blank=True)
    publication_errors = models.JSONField(
        _("发布后的处理错误"), default=list, blank=True, editable=False,
        help_text=_("订阅发布的后续处理(如向银行推送名单)失败时的原因,每条含来源、信息和时间。"),
    )  # fmt: skip
    input_digest = models.CharField(
        _("输入数据摘要"), max_length=64, blank=True, editable=False,
        help_text=_("评分时读取的填报数据的 SHA-256 摘要;导出时据此确认数据未被改动。"),
    )  # fmt: skip
    created_by = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("发起人")
    )
    published_by = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("发布人")
    )

    objects = ScoringRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("评分任务")
        verbose_name_plural = _("评分任务")

    def __str__(self) -> str:
        return f"#{self.pk} {self.batch} ({self.state_label})"

    @property
    def superseded(self) -> bool:
        """Published once, then replaced by a later publication of its batch (its scores stay, for comparison)."""
        return self.state == RunState.COMPUTED and self.superseded_at is not None

    @property
    def notice_open(self) -> bool:
        """Published and inside its notice period (公示中): firms see it marked so and may object."""
        return (
            self.state == RunState.PUBLISHED
            and self.notice_ends_on is not None
            and timezone.localdate() <= self.notice_ends_on
        )

    @property
    def state_label(self) -> str:
        """The state as people read it: a run published once and replaced since reads "已替代"."""
        return str(_("已替代")) if self.superseded else self.get_state_display()


class Score(models.Model):
    """One enterprise's result in one run (methodology §10). Keyed (run, enterprise): a retry never duplicates rows.

    ``points`` and ``normalised`` are aligned with ``run.indicator_codes``; ``subtotals`` with ``run.categories``.
    ``points`` is a ``double precision[]`` (the comparison averages ``points[i]`` in SQL, the CSV export prints it);
    ``normalised`` and ``subtotals`` are read in Python only and stored packed (``core.fields.PackedFloatsField``).
    Written in bulk by ``scoring.persistence`` (binary COPY on PostgreSQL), never row by row.

    On PostgreSQL the table is list-partitioned by run (migration 0003): each run's rows are copied into a fresh
    table with ``COPY … FREEZE``, indexed once after the load and attached in the transaction that marks the run
    computed. Measured at 520,000 rows that is ~2 s against 8–13 s for COPY into one table maintaining its indexes
    and foreign-key triggers row by row. Hence the key: a partitioned table's primary key must contain the partition
    column, so the natural key (run, enterprise) is the primary key. The foreign keys carry no database constraint:
    the run writes only its own id and enterprise ids it has just read; Django still cascades deletions.

    ``region`` is the firm's region code when it was scored, as an integer (440305), copied in with the rest of the
    row (migration 0004): a region prefix is then an integer range on the partition's index (region, total DESC,
    enterprise), so "best first in Hangzhou" is an index range scan instead of a walk down the national ``total``
    index probing every firm's region (~230 ms → ~5 ms on 520,000 rows). It is also what the province rank of the
    row refers to, and what the API filters, scopes and shows. The same migration drops the index on ``enterprise``
    alone, which the primary key makes redundant within a partition: building it cost as much at each run's ATTACH
    (~0.5 s at 520,000 rows) as the new index, so a run persists in about the time it did.

    The index also carries ``grade`` and ``run`` (``INCLUDE``, PostgreSQL): the back-test (``dashboard.backtest``)
    joins a loan book to every firm of a run and reads only enterprise, region, total and grade, so it is served by
    an index-only scan of the index (~60 bytes a firm) instead of the ~700-byte heap rows (``figures`` and the
    arrays). ``run`` is there so that the partition's ``run_id = N`` filter is checked in the index too.
    """

    pk = models.CompositePrimaryKey("run", "enterprise")
    run = models.ForeignKey(
        ScoringRun, models.CASCADE, related_name="scores", verbose_name=_("评分任务"), db_constraint=False,
        db_index=False,  # the primary key (run, enterprise) starts with it
    )  # fmt: skip
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", models.CASCADE, related_name="scores", verbose_name=_("企业"), db_constraint=False,
        db_index=False,  # within a run's partition the primary key (run, enterprise) finds a firm's row
    )  # fmt: skip
    stage = models.CharField(_("发展阶段"), max_length=8, choices=Stage.choices)
    peer_level = models.PositiveSmallIntegerField(_("同行组层级"), default=0, help_text=_("0 阶段×门类,1 阶段,2 全体"))
    points = FloatArrayField(_("各指标得分"))
    # Read by Python only (a firm's breakdown and report): packed bytes, ~2x cheaper to COPY than float8[] arrays.
    normalised = PackedFloatsField(_("各指标标准化值"))
    subtotals = PackedFloatsField(_("类别小计"))
    base = models.FloatField(_("基础分"))
    bonus = models.FloatField(_("加分"))
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, db_index=True)
    grade = models.CharField(_("等级"), max_length=1, choices=Grade.choices)
    rank_national = models.PositiveIntegerField(_("全国排名"))
    rank_province = models.PositiveIntegerField(_("省内排名"))
    rank_industry = models.PositiveIntegerField(_("行业门类排名"))
    stage_percentile = models.FloatField(_("阶段内百分位"))
    eligible = models.BooleanField(_("可推荐"))
    reasons = models.CharField(_("不可推荐原因"), max_length=200, blank=True)
    region = models.PositiveIntegerField(_("行政区划代码"), help_text=_("评分时企业的6位行政区划代码。"))
    # The report's figures, computed in the run with the scores (``scoring.engine.report``); empty for runs made
    # before they existed: per indicator (``run.indicator_codes``) the peer percentile, and up to five improvement
    # options, packed as one record (``engine.report.figures_record``; read with ``unpack_figures``).
    figures = models.BinaryField(_("报告数据"), null=True, blank=True, help_text=_("各指标同行百分位与提分建议。"))
    input_hash = models.BigIntegerField(
        _("评分数据指纹"), null=True, blank=True,
        help_text=_("评分时读取的本企业数据的64位指纹,用于判断本企业填报在评分后是否变动。"),
    )  # fmt: skip

    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("评分结果")
        verbose_name_plural = _("评分结果")
        indexes = [
            models.Index(fields=["region", "-total", "enterprise"], include=["grade", "run"], name="score_region_total")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} · {self.total}"

    @property
    def reason_codes(self) -> list[str]:
        return self.reasons.split(";") if self.reasons else []

    @property
    def region_code(self) -> str:
        """``region`` as the six-digit code it was filed as."""
        return f"{self.region:06d}"


class RunPeerDistribution(models.Model):
    """A run's compact peer distributions (``scoring.engine.whatif.peer_distributions``): what a firm's
    self-assessment is scored against. A few MB per run whatever its population, written with its scores; a row of
    its own so that reading a run never reads them."""

    run = models.OneToOneField(
        ScoringRun, models.CASCADE, primary_key=True, related_name="peer_distribution", verbose_name=_("评分任务")
    )
    data = models.BinaryField(_("同行分布"))

    class Meta:
        verbose_name = _("同行分布")
        verbose_name_plural = _("同行分布")

    def __str__(self) -> str:
        return f"#{self.run_id}"


class Objection(BaseModel):
    """A firm's objection (异议) to its result in a published run, lodged during the run's notice period (公示期),
    and the bureau's decision on it. ``subject`` is the filed field it disputes, or ``total`` for the score itself;
    the evidence, if any, is one of the filing's documents (``enterprises.SubmissionEvidence``: the same limits and
    download checks). Accepting corrects the filing (``enterprises.services.submission_correct``) and a new run is
    made; ``rerun`` is that run. At most one pending objection per firm and run."""

    run = models.ForeignKey(ScoringRun, models.PROTECT, related_name="objections", verbose_name=_("评分任务"))
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", models.CASCADE, related_name="objections", verbose_name=_("企业")
    )
    subject = models.CharField(_("异议事项"), max_length=40)
    reason = models.TextField(_("异议理由"), max_length=2000)
    evidence = models.ForeignKey(
        "enterprises.SubmissionEvidence", models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("证明材料"),
    )  # fmt: skip
    lodged_by = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("提出人")
    )
    status = models.CharField(
        _("处理状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("处理人")
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.TextField(_("处理意见"), blank=True)
    correction = models.JSONField(_("更正内容"), default=dict, blank=True, help_text=_("字段:[原值, 更正值]。"))
    rerun = models.ForeignKey(
        ScoringRun, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("重新评分任务")
    )

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "enterprise"], condition=models.Q(status="pending"), name="objection_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.enterprise_id} · {self.run_id}"


class EngineInput(models.Model):
    """What a scoring run reads of each filing, one row per filing in exactly the engine's types, kept by database
    triggers on the filings and the firms (PostgreSQL, migration 0012); other databases read the filings instead.

    The run's load is then one binary COPY out of one table (``scoring.selectors.population_load``): the join to the
    firms and the numeric(16,2) → cents casts of every filing, ~60% of the load's server CPU, happen when a filing or
    a firm is written rather than at every run. Money is in cents (``<field>_cents``), counts as float64, the firm's
    industry section as its letter's code point, its region code as an integer, its establishment date as days since
    1970-01-01. Written only by the triggers: the statement's rows at once (transition tables), so a bulk COPY of
    filings costs one set-based insert.
    """

    submission_id = models.BigIntegerField(primary_key=True)
    batch_id = models.BigIntegerField()
    status = models.CharField(max_length=10)
    enterprise_id = models.BigIntegerField(db_index=True)
    section_ascii = models.IntegerField()
    region = models.IntegerField()
    established_day = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["batch_id", "status"], name="engine_input_batch_status")]

    def __str__(self) -> str:
        return f"{self.submission_id}"


def _engine_input_columns() -> None:
    """The raw fields of methodology §1 (``engine.system``), in its order: money as cents, counts, flags."""
    from enterprises.models import Submission

    from .engine.system import BOOL_FIELDS, NUMERIC_FIELDS

    for name in NUMERIC_FIELDS:
        if name in Submission.MONEY_FIELDS:
            EngineInput.add_to_class(f"{name}_cents", models.BigIntegerField())
        else:
            EngineInput.add_to_class(name, models.FloatField())
    for name in BOOL_FIELDS:
        EngineInput.add_to_class(name, models.BooleanField())


_engine_input_columns()
