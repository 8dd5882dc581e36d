"""Enterprises, their users, the collection rounds (batches), their yearly indicator filings and their consent to
share data with banks."""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from core.validators import validate_industry_code, validate_region_code, validate_region_scope, validate_uscc

from .choices import (
    BankRead,
    BatchFieldKind,
    BatchStatus,
    ConsentScope,
    DataSource,
    MemberRole,
    RdPlatformLevel,
    SizeClass,
    SubmissionStatus,
)
from .querysets import BatchQuerySet, ConsentQuerySet, EnterpriseQuerySet, MembershipQuerySet, SubmissionQuerySet


class Enterprise(BaseModel):
    """A technology enterprise, identified by its unified social credit code (GB 32100-2015)."""

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc])
    name = models.CharField(_("企业名称"), max_length=200, db_index=True)
    region_code = models.CharField(
        _("行政区划代码"), max_length=6, db_index=True, validators=[validate_region_code],
        help_text=_("注册地的6位行政区划代码(GB/T 2260)。"),
    )  # fmt: skip
    industry_code = models.CharField(
        _("国民经济行业代码"), max_length=5, validators=[validate_industry_code],
        help_text=_("门类字母加2至4位数字,例如 C39(GB/T 4754-2017)。"),
    )  # fmt: skip
    section = models.ForeignKey(
        "core.IndustrySection", models.PROTECT, related_name="enterprises", verbose_name=_("行业门类"), editable=False
    )
    established = models.DateField(_("成立日期"))
    size_class = models.CharField(_("企业规模"), max_length=10, choices=SizeClass.choices, default=SizeClass.SMALL)
    is_high_tech_enterprise = models.BooleanField(_("高新技术企业"), default=False)
    is_tech_sme = models.BooleanField(_("科技型中小企业"), default=False)
    is_specialised_sme = models.BooleanField(_("专精特新中小企业"), default=False)
    is_little_giant = models.BooleanField(_("专精特新“小巨人”"), default=False)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["credit_code"]
        verbose_name = _("企业")
        verbose_name_plural = _("企业")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # The section is derived, never typed: it is the first letter of the industry code.
        self.section_id = self.industry_code[:1]
        super().save(*args, **kwargs)

    @property
    def province_code(self) -> str:
        return self.region_code[:2]


def licence_path(instance: "EnterpriseMembership", filename: str) -> str:
    """An unguessable name: a licence is served only through the bureau's permission-checked view."""
    return f"licences/{instance.enterprise_id}/{uuid.uuid4().hex}"


class EnterpriseMembership(BaseModel):
    """A user acting for an enterprise (its finance manager, a colleague they invited).

    Unconfirmed (``approved`` false) it is a request: to *join* a firm that has a confirmed administrator (role
    member; that administrator confirms) or to *claim* a firm that has none (role admin; the bureau of the firm's
    region confirms it against the business licence uploaded at sign-up). Until confirmed the user sees nothing of
    the firm. A refused request keeps its decision (``rejected_at``, ``decision_note``) for the applicant to read."""

    user = models.ForeignKey("core.User", models.CASCADE, related_name="memberships", verbose_name=_("用户"))
    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="memberships", verbose_name=_("企业"))
    role = models.CharField(_("角色"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    approved = models.BooleanField(_("已确认"), default=True, help_text=_("申请加入或认领企业时,需核验后确认。"))
    licence = models.FileField(_("营业执照"), upload_to=licence_path, blank=True)
    licence_type = models.CharField(_("执照文件类型"), max_length=40, blank=True)
    decided_by = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("核验人")
    )
    decided_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("驳回时间"), null=True, blank=True)
    decision_note = models.CharField(_("核验说明"), max_length=200, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业成员")
        verbose_name_plural = _("企业成员")
        constraints = [models.UniqueConstraint(fields=["user", "enterprise"], name="membership_unique_user_enterprise")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.enterprise}"


class Consent(BaseModel):
    """An enterprise's permission for a bank to see its profile; active while granted, unexpired and unrevoked.

    A consent without a bank is the blanket authorisation most firms give on filing ("share with the platform's
    partner banks"); a consent naming a bank covers that bank alone. Eligibility (methodology §7) needs at least one
    active consent; a bank may open a firm's profile under a blanket consent or one naming it.
    """

    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="consents", verbose_name=_("企业"))
    bank = models.ForeignKey(
        "core.Bank", models.CASCADE, null=True, blank=True, related_name="consents", verbose_name=_("银行"),
        help_text=_("留空表示授权平台全部合作银行。"),
    )  # fmt: skip
    scope = models.CharField(_("授权范围"), max_length=12, choices=ConsentScope.choices, default=ConsentScope.PROFILE)
    granted_at = models.DateTimeField(_("授权时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    granted_by = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("授权人")
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("数据授权")
        verbose_name_plural = _("数据授权")
        indexes = [models.Index(fields=["bank", "enterprise"], name="consent_bank_enterprise")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("granted_at")),
                name="consent_expiry_after_grant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.bank}"

    def is_active(self, at=None) -> bool:
        """In force at ``at`` (now): the one consent rule, which ``ConsentQuerySet.active`` states in SQL."""
        at = at or timezone.now()
        return self.revoked_at is None and self.granted_at <= at and (self.expires_at is None or self.expires_at > at)


# The raw fields of methodology §1 as filed; money in 万元 CNY, only net profit and net assets may be negative.
MONEY_FIELDS = (
    "revenue", "revenue_prev", "rd_expense", "rd_expense_prev", "tech_contract_turnover", "high_tech_revenue",
    "net_profit", "net_assets", "taxes_paid", "vc_investment",
)  # fmt: skip
COUNT_FIELDS = (
    "employees", "rd_staff", "invention_patents", "other_ip", "standards", "graduates_hired",
    "rd_platform_level", "sci_awards", "sci_projects",
)  # fmt: skip
FLAG_FIELDS = (
    "is_high_tech_enterprise", "is_tech_sme", "is_specialised_sme", "is_little_giant",
    "dishonest_debtor", "tax_credit_d", "major_violation",
)  # fmt: skip
SIGNED_FIELDS = ("net_profit", "net_assets")


def _money(label: str, help_text: str = "", *, signed: bool = False) -> models.DecimalField:
    """An amount in 万元 CNY; only net profit and net assets may be negative (methodology §1)."""
    validators = [] if signed else [MinValueValidator(0)]
    return models.DecimalField(label, max_digits=16, decimal_places=2, default=0, validators=validators,
                               help_text=help_text)  # fmt: skip


def _count(label: str, help_text: str = "") -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, default=0, help_text=help_text)


class Batch(BaseModel):
    """A collection round (e.g. the 2024 filing): who files and when. How it is scored (its indicator system) and
    which run is published belong to the scoring app (``scoring.BatchScoring``): filings come before scores."""

    name = models.CharField(_("批次名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    reference_date = models.DateField(_("基准日"), help_text=_("计算企业年限的基准日,通常为填报年度的12月31日。"))
    region_scope = models.CharField(
        _("区域范围"), max_length=6, blank=True, validators=[validate_region_scope], help_text=_("留空为全国。")
    )
    status = models.CharField(_("状态"), max_length=8, choices=BatchStatus.choices, default=BatchStatus.DRAFT)
    opens_on = models.DateField(_("开始填报"))
    closes_on = models.DateField(_("截止填报"))
    notice_days = models.PositiveSmallIntegerField(
        _("公示期(工作日)"), default=5, validators=[MaxValueValidator(60)],
        help_text=_("评分结果发布后公示的工作日数,期间企业可提出异议;0 为不公示。"),
    )  # fmt: skip
    push_during_notice = models.BooleanField(
        _("公示期内即推送银行"), default=False,
        help_text=_("勾选则发布后立即向银行推送名单;不勾选则公示期满后推送。"),
    )  # fmt: skip

    objects = BatchQuerySet.as_manager()

    class Meta:
        db_table = "scoring_batch"
        ordering = ["-year", "name"]
        verbose_name = _("评价批次")
        verbose_name_plural = _("评价批次")
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="batch_closes_after_opens")
        ]

    def __str__(self) -> str:
        return self.name


EXTRA_CODE_PATTERN = r"^[a-z][a-z0-9_]{1,39}$"  # as ``scoring.engine.system.EXTRA_FIELD_PATTERN`` (a test ties them)


class BatchField(BaseModel):
    """An extra field of one batch (批次扩展字段): a value the firms of this round file besides the national form,
    e.g. Guangdong's count of provincial R&D platforms, so that a local indicator system can score it.

    Managed by the bureau administrators of the batch's region (``enterprises.batch_fields``); the values are in
    ``Submission.extra_values`` under ``code``. A code never changes once created (systems name it); the code may
    not be a field of the national form (``enterprises.batch_fields.reserved_codes``)."""

    batch = models.ForeignKey(Batch, models.CASCADE, related_name="extra_fields", verbose_name=_("批次"))
    code = models.CharField(
        _("字段代码"), max_length=40,
        validators=[RegexValidator(EXTRA_CODE_PATTERN, _("以小写字母开头,只含小写字母、数字和下划线,2至40位。"))],
        help_text=_("指标体系引用此代码,创建后不能修改,例如 provincial_platforms。"),
    )  # fmt: skip
    label_zh = models.CharField(_("中文名称"), max_length=60)
    label_en = models.CharField(_("英文名称"), max_length=80)
    unit = models.CharField(_("单位"), max_length=20, blank=True, help_text=_("例如 个、万元、人;是/否字段留空。"))
    kind = models.CharField(_("类型"), max_length=10, choices=BatchFieldKind.choices, default=BatchFieldKind.NUMBER)
    min_value = models.DecimalField(
        _("最小值"), max_digits=16, decimal_places=2, null=True, blank=True, default=0,
        help_text=_("默认 0(不能为负数);留空为不设下限。是/否字段不适用。"),
    )  # fmt: skip
    max_value = models.DecimalField(
        _("最大值"), max_digits=16, decimal_places=2, null=True, blank=True, help_text=_("留空为不设上限。")
    )
    help_text = models.CharField(_("填写说明"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["batch", "order", "code"]
        verbose_name = _("批次扩展字段")
        verbose_name_plural = _("批次扩展字段")
        constraints = [models.UniqueConstraint(fields=["batch", "code"], name="batch_field_unique_code")]

    def __str__(self) -> str:
        return f"{self.batch} · {self.code}"

    @property
    def label(self) -> str:
        """The label in the reader's language."""
        from django.utils.translation import get_language

        return self.label_en if (get_language() or "").startswith("en") and self.label_en else self.label_zh


class Submission(BaseModel):
    """One enterprise's indicator filing for one batch: every raw field of methodology §1, plus its financing need.

    The workflow is draft → submitted → approved, or → returned → (corrected) → submitted again. Submitted and
    approved filings are scored (methodology §7, ``scoring.selectors.SCORED_STATUSES``); only approved ones are
    eligible for recommendation. Drafts and returned filings are in no run's population.
    """

    MONEY_FIELDS = MONEY_FIELDS
    COUNT_FIELDS = COUNT_FIELDS
    FLAG_FIELDS = FLAG_FIELDS
    SIGNED_FIELDS = SIGNED_FIELDS

    # No index of their own on the two keys nor a pattern index on the status: the unique key (enterprise, batch) and
    # the (batch, status) index start with them, and every extra index is written again by each imported or updated
    # filing (a 100,000-row import updates all nine; issue 18).
    enterprise = models.ForeignKey(
        Enterprise, models.CASCADE, related_name="submissions", verbose_name=_("企业"), db_index=False
    )
    batch = models.ForeignKey(Batch, models.PROTECT, related_name="submissions", verbose_name=_("批次"), db_index=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    data_source = models.CharField(
        _("数据来源"), max_length=16, choices=DataSource.choices, default=DataSource.SELF_REPORTED
    )

    # Operation (万元 unless stated)
    revenue = _money(_("营业收入(万元)"), _("本年度营业收入。"))
    revenue_prev = _money(_("上年营业收入(万元)"))
    net_profit = _money(_("净利润(万元)"), _("亏损填负数。"), signed=True)
    net_assets = _money(_("净资产(万元)"), _("资不抵债填负数。"), signed=True)
    taxes_paid = _money(_("上缴税费(万元)"))
    employees = _count(_("从业人员数(人)"), _("年末从业人员数。"))
    graduates_hired = _count(_("吸纳高校应届毕业生(人)"))
    vc_investment = _money(_("获得创投机构投资金额(万元)"), _("本年度获得的股权投资。"))
    # Technology innovation
    rd_expense = _money(_("研发费用(万元)"), _("按加计扣除口径归集的研发费用。"))
    rd_expense_prev = _money(_("上年研发费用(万元)"))
    rd_staff = _count(_("研发人员数(人)"))
    invention_patents = _count(_("有效发明专利(项)"), _("企业拥有的有效发明专利。"))
    other_ip = _count(_("其他知识产权(项)"), _("实用新型、软件著作权、外观设计等。"))
    standards = _count(_("主导或参与制定标准(项)"), _("近三年。"))
    tech_contract_turnover = _money(_("技术合同成交额(万元)"))
    high_tech_revenue = _money(_("高新技术产品(服务)收入(万元)"))
    rd_platform_level = models.PositiveSmallIntegerField(
        _("研发平台级别"), choices=RdPlatformLevel.choices, default=RdPlatformLevel.NONE,
        validators=[MaxValueValidator(3)],
    )  # fmt: skip
    sci_awards = _count(_("省级以上科技奖励(项)"), _("近三年。"))
    sci_projects = _count(_("省级以上科技计划项目(项)"))
    # Qualifications and veto flags
    is_high_tech_enterprise = models.BooleanField(_("高新技术企业"), default=False)
    is_tech_sme = models.BooleanField(_("科技型中小企业"), default=False)
    is_specialised_sme = models.BooleanField(_("专精特新中小企业"), default=False)
    is_little_giant = models.BooleanField(_("专精特新“小巨人”"), default=False)
    dishonest_debtor = models.BooleanField(_("失信被执行人"), default=False)
    tax_credit_d = models.BooleanField(_("纳税信用D级"), default=False)
    major_violation = models.BooleanField(_("近三年重大违法违规"), default=False)

    # The batch's extra fields (``BatchField``): code → the value as canonical decimal text ("3", "12.5"; a yes/no
    # field "1" or "0"); a field not filed is absent and counts as 0. Text, not JSON numbers: exact decimals.
    extra_values = models.JSONField(_("扩展字段"), default=dict, blank=True)

    # Financing need
    financing_amount = models.DecimalField(
        _("融资需求金额(万元)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    financing_term_months = models.PositiveSmallIntegerField(_("期限(月)"), null=True, blank=True)
    financing_purpose = models.CharField(_("资金用途"), max_length=200, blank=True)
    preferred_banks = models.ManyToManyField(
        "core.Bank", blank=True, related_name="preferred_by", verbose_name=_("意向银行(最多3家)")
    )

    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewer = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="reviewed_submissions",
        verbose_name=_("审核人"),
    )  # fmt: skip
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标填报")
        verbose_name_plural = _("指标填报")
        indexes = [
            models.Index(fields=["batch", "status"], name="submission_batch_status"),
            models.Index(fields=["status"], name="submission_status"),  # the filings waiting in every batch
        ]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "batch"], name="submission_unique_enterprise_batch"),
            *[
                models.CheckConstraint(condition=Q(**{f"{name}__gte": 0}), name=f"submission_{name}_non_negative")
                for name in MONEY_FIELDS
                if name not in SIGNED_FIELDS
            ],
            models.CheckConstraint(condition=Q(rd_platform_level__lte=3), name="submission_rd_platform_level_range"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.batch}"


class SubmissionChange(models.Model):
    """One append-only entry of a filing's audit trail: who did what, when, and the field-level diff.

    ``diff`` maps each changed field to ``[old, new]`` (JSON-safe strings for amounts); workflow steps without a
    field change (submit, approve, return) have an empty diff and say what happened in ``action``.
    """

    class Action(models.TextChoices):
        SAVE = "save", _("保存草稿")
        SUBMIT = "submit", _("提交")
        APPROVE = "approve", _("审核通过")
        RETURN = "return", _("退回修改")
        IMPORT = "import", _("批量导入")
        EVIDENCE = "evidence", _("上传证明材料")
        CORRECT = "correct", _("异议更正")

    submission = models.ForeignKey(Submission, models.CASCADE, related_name="changes", verbose_name=_("指标填报"))
    user = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("操作人")
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    diff = models.JSONField(_("字段变更"), default=dict, blank=True)
    comment = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("填报变更记录")
        verbose_name_plural = _("填报变更记录")

    def __str__(self) -> str:
        return f"{self.submission_id} {self.action} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("SubmissionChange is append-only")
        super().save(*args, **kwargs)


def evidence_path(instance: "SubmissionEvidence", filename: str) -> str:
    """An unguessable name: evidence is served only through the permission-checked download views."""
    extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(instance.content_type, "")
    return f"evidence/{instance.submission_id}/{uuid.uuid4().hex}{extension}"


class SubmissionEvidence(BaseModel):
    """A supporting document for a filing (PDF, JPEG or PNG; the content type is checked from the file's bytes)."""

    submission = models.ForeignKey(Submission, models.CASCADE, related_name="evidence", verbose_name=_("指标填报"))
    file = models.FileField(_("文件"), upload_to=evidence_path)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小(字节)"))
    description = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("上传人")
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")

    def __str__(self) -> str:
        return self.original_name


class AppendOnlyError(ValueError):
    """Raised when code tries to change or remove a row of an append-only record (a ValueError, as it always was)."""


class AppendOnlyQuerySet(models.QuerySet):
    """Rows can be inserted and read; ``update()`` and ``delete()`` (and so ``bulk_update``) raise."""

    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} is append-only: rows cannot be updated")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} is append-only: rows cannot be deleted")

    delete.queryset_only = True


class ProfileAccessLog(models.Model):
    """Append-only record of a bank officer opening an enterprise's profile; shown on the firm's "who viewed" page.

    Written by ``enterprises.services.profile_access_record``. The application cannot change or remove a row: saving
    an existing row, ``delete()`` and queryset ``update()``/``delete()`` raise ``AppendOnlyError``; on PostgreSQL a
    trigger rejects UPDATE and DELETE as well (migration 0004). Its enterprise and user are PROTECTed: a firm or a
    person with reads on record is deactivated, not deleted, so the record of who saw what outlives them (a CASCADE
    or SET NULL would be exactly the edit the log forbids). Only TRUNCATE, a database owner's act, removes rows.
    """

    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="access_logs", verbose_name=_("企业"))
    bank = models.ForeignKey("core.Bank", models.PROTECT, related_name="+", verbose_name=_("银行"))
    user = models.ForeignKey(
        "core.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("查看人")
    )
    scope = models.CharField(_("查看范围"), max_length=12, choices=ConsentScope.choices)
    read = models.CharField(
        _("查看方式"), max_length=16, choices=BankRead.choices, default=BankRead.PROFILE, db_default=BankRead.PROFILE
    )  # a database default too: rows written before this column, or by SQL, read as profile views
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    accessed_at = models.DateTimeField(_("查看时间"), default=timezone.now, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-accessed_at", "-pk"]
        verbose_name = _("企业画像查看记录")
        verbose_name_plural = _("企业画像查看记录")
        indexes = [models.Index(fields=["enterprise", "-accessed_at"], name="access_log_enterprise_time")]

    def __str__(self) -> str:
        return f"{self.bank} → {self.enterprise} {self.accessed_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("ProfileAccessLog is append-only: rows cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("ProfileAccessLog is append-only: rows cannot be deleted")


class EnterpriseNotice(BaseModel):
    """An in-app notice to a firm, seen by every member (a new policy match, an objection's outcome, a bank's answer
    to an application). Stored as a kind and its parameters, so each reader sees it in their own language
    (``enterprises.notices``); ``read_at`` is the first time any member opened the notices page."""

    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="notices", verbose_name=_("企业"))
    kind = models.CharField(_("类型"), max_length=40)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    url = models.CharField(_("链接"), max_length=200, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "-created_at"], name="ent_notice_recent")]
        verbose_name = _("企业通知")
        verbose_name_plural = _("企业通知")

    def __str__(self) -> str:
        return self.kind
