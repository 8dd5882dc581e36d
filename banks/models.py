"""Banks, their branches and officers, their points-loan products, and the recommendation lists pushed to them."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Bank, BaseModel, Branch

from .choices import (
    DEFAULT_LINE_BY_GRADE,
    NEED_AMOUNT_MAX,
    ApplicationStatus,
    DeclineCategory,
    GuaranteeMode,
    RecommendationStatus,
    Urgency,
)
from .querysets import (
    WORKED,
    FinancingApplicationQuerySet,
    FinancingNeedQuerySet,
    LoanProductQuerySet,
    RecommendationQuerySet,
)


def default_line_by_grade() -> dict:
    return dict(DEFAULT_LINE_BY_GRADE)


class LoanProduct(BaseModel):
    """A points-loan (积分贷) product: who qualifies, how much, and the credit line per grade (methodology §11)."""

    bank = models.ForeignKey(Bank, models.CASCADE, related_name="products", verbose_name=_("银行"))
    name = models.CharField(_("产品名称"), max_length=100)
    branches = models.ManyToManyField(
        Branch, blank=True, related_name="products", verbose_name=_("服务网点"), help_text=_("留空为本行全部网点。")
    )
    min_grade = models.CharField(_("最低等级"), max_length=1, default="C")
    stages = models.JSONField(_("适用阶段"), default=list, blank=True, help_text=_("留空为全部阶段。"))
    sections = models.JSONField(_("适用行业门类"), default=list, blank=True, help_text=_("留空为全部门类。"))
    max_amount = models.DecimalField(
        _("最高额度(万元)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0.01)]
    )
    term_months = models.PositiveSmallIntegerField(_("最长期限(月)"), default=12, validators=[MinValueValidator(1)])
    rate_spread_bp = models.IntegerField(_("利率上限(LPR加点,基点)"), default=100)
    line_by_grade = models.JSONField(_("各等级授信额度(万元)"), default=default_line_by_grade)
    guarantee_mode = models.CharField(
        _("担保方式"), max_length=12, choices=GuaranteeMode.choices, default=GuaranteeMode.CREDIT
    )
    active = models.BooleanField(_("在售"), default=True)

    objects = LoanProductQuerySet.as_manager()

    class Meta:
        ordering = ["bank", "name"]
        verbose_name = _("积分贷产品")
        verbose_name_plural = _("积分贷产品")
        constraints = [
            models.UniqueConstraint(fields=["bank", "name"], name="product_unique_name_per_bank"),
            models.CheckConstraint(condition=Q(max_amount__gt=0), name="product_max_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.bank} · {self.name}"


class Recommendation(BaseModel):
    """An eligible firm on one bank's list for one published run, and the officer's work on it.

    Written in bulk by ``banks.services.recommendation_list_push``. The firm's region, section, stage and financing
    need are copied onto the row so that the officer's list filters and sorts on one table, with no join, at 70,000
    rows per bank. A newer published run of the same batch supersedes the list; the officer's work (status, claim,
    notes) moves to the new row of a firm that stays.
    """

    # The push writes ~1.5 million rows at national scale, so the table carries only what the pages need: the
    # primary key, the unique key, the list index and a partial index. The foreign keys to the run, the bank and the
    # firm have no database constraint (deferred checks cost ~1.5 s per 70,000-row list; the push writes ids it has
    # just read, and Django still cascades deletions) and, like ``created_at`` and ``officer``, no index of their
    # own. On PostgreSQL the table is partitioned by run, each run's partition by bank (migration 0006,
    # banks.partitions): each list is a table of its own, written with COPY FREEZE and indexed after; the primary key
    # is therefore (id, run, bank), ids still unique from one sequence.
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    run = models.ForeignKey(
        "scoring.ScoringRun", models.CASCADE, related_name="recommendations", verbose_name=_("评分任务"),
        db_index=False, db_constraint=False,  # the unique key (run, bank, enterprise) starts with it
    )  # fmt: skip
    bank = models.ForeignKey(
        Bank,
        models.CASCADE,
        related_name="recommendations",
        verbose_name=_("银行"),
        db_index=False,
        db_constraint=False,  # the list index starts with it
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        models.CASCADE,
        related_name="recommendations",
        verbose_name=_("企业"),
        db_index=False,
        db_constraint=False,
    )
    list_rank = models.PositiveIntegerField(_("名单排名"))
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2)
    grade = models.CharField(_("等级"), max_length=1)
    stage = models.CharField(_("发展阶段"), max_length=8, blank=True)
    region_code = models.CharField(_("行政区划代码"), max_length=6, blank=True)
    section = models.CharField(_("行业门类"), max_length=1, blank=True)
    product_ids = models.JSONField(_("匹配产品"), default=list)
    suggested_line = models.DecimalField(_("建议授信额度(万元)"), max_digits=12, decimal_places=2, default=0)
    financing_amount = models.DecimalField(
        _("融资需求金额(万元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    preferred = models.BooleanField(_("企业意向银行"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=RecommendationStatus.choices, default=RecommendationStatus.NEW
    )
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    officer = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="claimed_recommendations",
        verbose_name=_("跟进客户经理"), db_index=False,
    )  # fmt: skip
    notes = models.TextField(_("跟进备注"), blank=True)
    decline_category = models.CharField(
        _("拒绝原因"), max_length=12, choices=DeclineCategory.choices, blank=True, default="",
        help_text=_("固定类别;企业日后只会看到类别,看不到内部说明。"),
    )  # fmt: skip
    decline_reason = models.TextField(_("拒绝说明(内部)"), blank=True, help_text=_("本行内部备注,企业不可见。"))
    superseded = models.BooleanField(_("已被新名单取代"), default=False)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["bank", "list_rank"]
        verbose_name = _("推荐名单")
        verbose_name_plural = _("推荐名单")
        constraints = [
            models.UniqueConstraint(fields=["run", "bank", "enterprise"], name="recommendation_unique_run_bank_firm"),
            models.CheckConstraint(
                condition=~Q(status=RecommendationStatus.DECLINED) | ~Q(decline_category=""),
                name="recommendation_decline_needs_category",
            ),
        ]
        indexes = [
            # The officer's list, in list order (id breaks ties between lists of several batches: keyset pages).
            # Partial: a superseded list drops out of it without rewriting its rows (banks.partitions).
            models.Index(
                fields=["bank", "list_rank", "id"], name="recommendation_current_list", condition=Q(superseded=False)
            ),
            # Rows an officer has worked on, for the dashboard. Partial: the push writes only "new" rows, so this
            # index costs the bulk insert nothing.
            models.Index(
                fields=["run", "status"],
                name="recommendation_worked",
                condition=Q(status__in=["contacted", "approved", "declined", "contracted"]),
            ),  # fmt: skip
            # The rows officers worked on (querysets.WORKED), for the list page's status counts and masked lines:
            # a few per list, found without reading its 70,000 rows. Empty when a push writes a list, and free of
            # ``superseded``, so superseding a list leaves it as it is.
            models.Index(fields=["bank"], name="recommendation_worked_rows", condition=WORKED),
        ]

    def __str__(self) -> str:
        return f"{self.bank} ← {self.enterprise}"

    @property
    def claimed(self) -> bool:
        return self.officer_id is not None

    @property
    def masked(self) -> bool:
        """The firm's consent to this bank lapsed after an officer worked the row: it is shown as "授权已撤销" with
        no score, grade, stage, need or line (``RecommendationQuerySet.visible_to`` annotates ``consented``)."""
        return getattr(self, "consented", True) is False

    MASKED_FIELDS = ("list_rank", "total", "grade", "stage", "region_code", "section", "product_ids",
                     "suggested_line", "financing_amount", "preferred")  # fmt: skip
    """What a masked row withholds: every figure of the firm (the bank keeps its own work: status, notes)."""


class RecommendationList(BaseModel):
    """One bank's list for one run, as pushed: its size per region, so the dashboard never counts 1.5 million rows.

    Written in the push's transaction; ``by_province`` maps the 2-digit province code to the number of firms,
    ``by_region`` the 6-digit region code (for bureaus below province level; ~3,000 keys at national scale, so pages
    that do not need it defer it).
    """

    run = models.ForeignKey(
        "scoring.ScoringRun", models.CASCADE, related_name="recommendation_lists", verbose_name=_("评分任务")
    )
    bank = models.ForeignKey(Bank, models.CASCADE, related_name="recommendation_lists", verbose_name=_("银行"))
    size = models.PositiveIntegerField(_("企业数"), default=0)
    by_province = models.JSONField(_("各省企业数"), default=dict)
    by_region = models.JSONField(_("各区县企业数"), default=dict, help_text=_("按6位行政区划代码统计。"))
    seconds = models.FloatField(_("推送耗时(秒)"), default=0)

    class Meta:
        verbose_name = _("推送名单")
        verbose_name_plural = _("推送名单")
        constraints = [models.UniqueConstraint(fields=["run", "bank"], name="recommendation_list_unique_run_bank")]

    def __str__(self) -> str:
        return f"{self.bank} · {self.run_id}"


def list_notice_message(*, bank, batch, count: int) -> str:
    """The new-list notice, in the language active now (the push writes it; a page renders it for its reader)."""
    from django.utils.translation import gettext

    return gettext("%(bank)s 收到新的推荐名单:%(batch)s,您可查看 %(count)s 家企业。") % {
        "bank": bank,
        "batch": batch,
        "count": count,
    }


def warnings_notice_message(*, count: int) -> str:
    """The post-loan warning notice (``loans.services.loan_warnings_notify`` writes it; a page renders it for its
    reader): the notices page knows it by its link to the watch list and its count."""
    from django.utils.translation import gettext

    return gettext("贷后预警:本行有 %(count)s 笔在贷企业出现风险信号,请在贷后预警页面确认处理。") % {"count": count}


WARNINGS_URL_NAME = "loans:warnings"


class Notice(BaseModel):
    """An in-app notice to one user (a new recommendation list, ...); mirrored by an email when the user has one."""

    user = models.ForeignKey("core.User", models.CASCADE, related_name="notices", verbose_name=_("用户"))
    message = models.CharField(_("内容"), max_length=300)
    url = models.CharField(_("链接"), max_length=200, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    recommendation_list = models.ForeignKey(
        RecommendationList, models.CASCADE, null=True, blank=True, related_name="notices", verbose_name=_("推送名单"),
        help_text=_("新名单通知所指的名单:每位客户经理每份名单只通知一次。"),
    )  # fmt: skip
    firms = models.PositiveIntegerField(
        _("企业数"), null=True, blank=True, help_text=_("新名单中该用户可查看的企业数。")
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "recommendation_list"], condition=Q(recommendation_list__isnull=False),
                name="notice_once_per_list",
            ),
        ]  # fmt: skip
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")

    def __str__(self) -> str:
        return self.message

    @property
    def text(self) -> str:
        """What the reader sees: a new-list notice in their language (``message`` is the text as sent, in the
        language of the push, e.g. for the email), any other notice as written."""
        summary = self.recommendation_list
        if summary is None and self.firms is not None and self.url == _url_of(WARNINGS_URL_NAME):
            return warnings_notice_message(count=self.firms)
        if summary is None or self.firms is None:
            return self.message
        return list_notice_message(bank=summary.bank, batch=summary.run.batch, count=self.firms)


def _url_of(name: str) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


class FinancingNeed(BaseModel):
    """A financing need a firm posts whenever it needs money, independent of the yearly filing.

    The filing's own need (``Submission.financing_amount``...) stays what it was: a figure of the filing, copied onto
    the recommendation list at the push and sorted on there. This is the live channel: any number of needs, each
    open until its validity ends or the firm withdraws it, seen by the banks the firm consents to (and addressed to
    one of them by an application). Validated by ``banks.financing.financing_need_post``."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", models.CASCADE, related_name="financing_needs", verbose_name=_("企业")
    )
    amount = models.DecimalField(
        _("需求金额(万元)"), max_digits=12, decimal_places=2,
        validators=[MinValueValidator(0.01), MaxValueValidator(NEED_AMOUNT_MAX)],
    )  # fmt: skip
    term_months = models.PositiveSmallIntegerField(
        _("期限(月)"), validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    purpose = models.CharField(_("资金用途"), max_length=200)
    urgency = models.CharField(_("紧急程度"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    preferred_banks = models.ManyToManyField(
        Bank, blank=True, related_name="preferred_in_needs", verbose_name=_("意向银行")
    )
    preferred_products = models.ManyToManyField(
        LoanProduct, blank=True, related_name="preferred_in_needs", verbose_name=_("意向产品")
    )
    valid_until = models.DateField(_("有效期至"))
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("发布人")
    )

    objects = FinancingNeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("融资需求")
        verbose_name_plural = _("融资需求")
        indexes = [models.Index(fields=["enterprise", "valid_until"], name="need_firm_validity")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=NEED_AMOUNT_MAX), name="need_amount_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.amount}"

    @property
    def is_open(self) -> bool:
        return self.withdrawn_at is None and self.valid_until >= timezone.localdate()


class FinancingApplication(BaseModel):
    """A firm's need addressed to one bank (from the product supermarket, or naming the bank), and where the bank
    has got with it. The firm reads the status and, on a decline, the category only — never ``decline_reason``."""

    need = models.ForeignKey(FinancingNeed, models.CASCADE, related_name="applications", verbose_name=_("融资需求"))
    bank = models.ForeignKey(Bank, models.CASCADE, related_name="financing_applications", verbose_name=_("银行"))
    product = models.ForeignKey(
        LoanProduct, models.SET_NULL, null=True, blank=True, related_name="applications", verbose_name=_("申请产品")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.RECEIVED
    )
    status_changed_at = models.DateTimeField(_("状态变更时间"), default=timezone.now)
    decline_category = models.CharField(
        _("拒绝原因"), max_length=12, choices=DeclineCategory.choices, blank=True, default=""
    )
    decline_reason = models.TextField(_("拒绝说明(内部)"), blank=True, help_text=_("本行内部备注,企业不可见。"))
    officer = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("跟进客户经理")
    )
    created_by = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("申请人")
    )

    objects = FinancingApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("融资申请")
        verbose_name_plural = _("融资申请")
        constraints = [
            models.UniqueConstraint(fields=["need", "bank"], name="application_once_per_need_and_bank"),
            models.CheckConstraint(
                condition=~Q(status=ApplicationStatus.DECLINED) | ~Q(decline_category=""),
                name="application_decline_needs_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need} → {self.bank}"


class ApplicationStep(models.Model):
    """One step of an application (received, viewed, ...), with its date: the firm's timeline. Append-only."""

    application = models.ForeignKey(
        FinancingApplication, models.CASCADE, related_name="steps", verbose_name=_("融资申请")
    )
    status = models.CharField(_("状态"), max_length=10, choices=ApplicationStatus.choices)
    decline_category = models.CharField(_("拒绝原因"), max_length=12, choices=DeclineCategory.choices, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("操作人")
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("申请进度")
        verbose_name_plural = _("申请进度")

    def __str__(self) -> str:
        return f"{self.application_id} {self.status}"


class ApplicationsVisit(models.Model):
    """When an officer last opened the bank's applications page: what arrived since (applications addressed to the
    bank, needs naming it) is "new" to them, on their home and on that page. Decision: a marker per officer, not a
    notice per application — the new work is counted when read, through ``visible_to``, so consent, region and a
    withdrawn need apply as they stand then, and an application writes nothing for each officer of its bank."""

    user = models.OneToOneField(
        "core.User", models.CASCADE, related_name="applications_visit", verbose_name=_("客户经理")
    )
    seen_at = models.DateTimeField(_("上次查看时间"))

    class Meta:
        verbose_name = _("融资申请查看记录")
        verbose_name_plural = _("融资申请查看记录")

    def __str__(self) -> str:
        return f"{self.user_id} {self.seen_at:%Y-%m-%d %H:%M}"
