"""Platform-wide models: users and their role records, regions, industry sections, the organisations several apps
name (banks, their branches, guarantors), API clients.

The organisations live here, the lowest app, because the filings (consent to a bank), the lists, the loans and the
guarantees all point at them and apps depend one way (docs/architecture.md). Their tables keep the names they were
created with (``banks_bank``, ``guarantees_guaranteeinstitution``, …): moving a model between apps is a change of
the Python state only (core 0004), not a rewrite of tables the partitioned lists reference.
"""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import labels
from .choices import BankKind, InstitutionKind
from .querysets import BankOfficerQuerySet, OrganisationQuerySet
from .reference_data import BANK_NAMES_EN, GUARANTOR_NAMES_EN
from .usernames import username_skeleton
from .validators import validate_region_scope


class BaseModel(models.Model):
    """Timestamps every table carries."""

    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, db_index=True, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class User(AbstractUser):
    """A person who signs in; what they may see follows from their role records (bureau, enterprise, bank, ...)."""

    email = models.EmailField(_("电子邮箱"), blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    # What the username looks like (core.usernames): sign-up refuses a name whose skeleton a user already has.
    username_skeleton = models.CharField(_("用户名骨架"), max_length=150, db_index=True, editable=False, default="")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def save(self, *args, **kwargs):
        self.username_skeleton = username_skeleton(self.username)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "username" in update_fields:
            kwargs["update_fields"] = {*update_fields, "username_skeleton"}
        super().save(*args, **kwargs)


class Region(models.Model):
    """A GB/T 2260 administrative division; the seed data holds the 31 provincial-level regions."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        CITY = "city", _("地级")
        COUNTY = "county", _("县级/园区")

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices, default=Level.PROVINCE)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, verbose_name=_("上级"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return f"{self.code} {labels.region_label(self.code)}"

    @property
    def prefix(self) -> str:
        """The code prefix that selects this region's enterprises (``11`` for Beijing, ``4403`` for Shenzhen)."""
        return {"province": self.code[:2], "city": self.code[:4]}.get(self.level, self.code)


class IndustrySection(models.Model):
    """A GB/T 4754-2017 section (门类), A–T; peer groups of the methodology are formed per section."""

    letter = models.CharField(_("门类代码"), max_length=1, primary_key=True)
    name = models.CharField(_("门类名称"), max_length=64)

    class Meta:
        ordering = ["letter"]
        verbose_name = _("行业门类")
        verbose_name_plural = _("行业门类")

    def __str__(self) -> str:
        return labels.section_label(self.letter)


class BureauStaff(BaseModel):
    """A science-and-technology bureau officer; sees enterprises whose region code starts with ``region_scope``."""

    class Role(models.TextChoices):
        REVIEWER = "reviewer", _("审核员")
        ADMIN = "admin", _("管理员")

    user = models.OneToOneField("core.User", models.CASCADE, related_name="bureau_staff", verbose_name=_("用户"))
    bureau_name = models.CharField(_("所属科技管理部门"), max_length=100)
    region_scope = models.CharField(
        _("管辖范围"),
        max_length=6,
        blank=True,
        validators=[validate_region_scope],
        help_text=_("行政区划代码前缀:留空为全国,2位为省,4位为市,6位为区县或园区。"),
    )
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.REVIEWER)

    class Meta:
        verbose_name = _("科技管理部门人员")
        verbose_name_plural = _("科技管理部门人员")

    def __str__(self) -> str:
        return f"{self.user.username} ({self.bureau_name})"

    @property
    def is_national(self) -> bool:
        return self.region_scope == ""


class Bank(BaseModel):
    """A lending institution; the 21 national ones of the relending scheme are seeded, regional ones are added."""

    code = models.SlugField(_("机构代码"), max_length=20, unique=True)
    name = models.CharField(_("机构名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=20)
    kind = models.CharField(_("类型"), max_length=12, choices=BankKind.choices)
    is_national = models.BooleanField(_("全国性机构"), default=True)
    region_scope = models.CharField(
        _("经营区域"), max_length=6, blank=True, validators=[validate_region_scope], help_text=_("全国性机构留空。")
    )
    relending_participant = models.BooleanField(_("科技创新再贷款参与机构"), default=False)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        db_table = "banks_bank"
        ordering = ["code"]
        verbose_name = _("银行")
        verbose_name_plural = _("银行")

    def __str__(self) -> str:
        return self.short_label

    @property
    def label(self) -> str:
        """The full name in the interface's language (the seeded banks have English names; others show as typed)."""
        english = BANK_NAMES_EN.get(self.code) if labels.english() else None
        return english[0] if english else self.name

    @property
    def short_label(self) -> str:
        english = BANK_NAMES_EN.get(self.code) if labels.english() else None
        return english[1] if english else (self.short_name or self.name)

    @property
    def region(self) -> str:
        """The region prefix the bank lends in ('' for a national bank)."""
        return "" if self.is_national else self.region_scope


class Branch(BaseModel):
    """A branch serving the enterprises whose region code starts with ``region_scope``."""

    bank = models.ForeignKey(Bank, models.CASCADE, related_name="branches", verbose_name=_("银行"))
    name = models.CharField(_("分支机构名称"), max_length=100)
    region_scope = models.CharField(
        _("服务区域"), max_length=6, validators=[validate_region_scope], help_text=_("行政区划代码前缀。")
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        db_table = "banks_branch"
        ordering = ["bank", "region_scope"]
        verbose_name = _("分支机构")
        verbose_name_plural = _("分支机构")
        constraints = [models.UniqueConstraint(fields=["bank", "name"], name="branch_unique_name_per_bank")]

    def __str__(self) -> str:
        return f"{self.bank} {self.name}"


class BankOfficer(BaseModel):
    """A bank's credit officer; sees only their bank's data, limited to their branch's regions when they have one."""

    user = models.OneToOneField("core.User", models.CASCADE, related_name="bank_officer", verbose_name=_("用户"))
    bank = models.ForeignKey(Bank, models.PROTECT, related_name="officers", verbose_name=_("银行"))
    branch = models.ForeignKey(
        Branch, models.PROTECT, null=True, blank=True, related_name="officers", verbose_name=_("分支机构")
    )
    is_admin = models.BooleanField(
        _("本行管理员"), default=False, help_text=_("管理本行积分贷产品,签发和吊销本行的 API 令牌。")
    )

    objects = BankOfficerQuerySet.as_manager()

    class Meta:
        db_table = "banks_bankofficer"
        verbose_name = _("银行客户经理")
        verbose_name_plural = _("银行客户经理")

    def __str__(self) -> str:
        return f"{self.user.username} ({self.bank})"


class GuaranteeInstitution(BaseModel):
    """A guarantor: the national fund, a provincial re-guarantor or a local guarantor."""

    name = models.CharField(_("机构名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=14, choices=InstitutionKind.choices)
    region_scope = models.CharField(_("业务区域"), max_length=6, blank=True, validators=[validate_region_scope])

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        db_table = "guarantees_guaranteeinstitution"
        ordering = ["kind", "name"]
        verbose_name = _("担保机构")
        verbose_name_plural = _("担保机构")

    def __str__(self) -> str:
        return GUARANTOR_NAMES_EN.get(self.name, self.name) if labels.english() else self.name


class GuarantorStaff(BaseModel):
    """A guarantor's employee; sees the guarantees their institution takes part in."""

    user = models.OneToOneField("core.User", models.CASCADE, related_name="guarantor_staff", verbose_name=_("用户"))
    institution = models.ForeignKey(
        GuaranteeInstitution, models.PROTECT, related_name="staff", verbose_name=_("担保机构")
    )

    class Meta:
        db_table = "guarantees_guarantorstaff"
        verbose_name = _("担保机构人员")
        verbose_name_plural = _("担保机构人员")

    def __str__(self) -> str:
        return f"{self.user.username} ({self.institution})"


class ApiClient(BaseModel):
    """A machine client (a bank's credit system, a provincial platform) holding a revocable token with scopes.

    Only a SHA-256 digest of the token is stored; the plain token is shown once when it is issued.
    """

    class Scope(models.TextChoices):
        READ_SCORES = "scores:read", _("读取评分")
        READ_RECOMMENDATIONS = "recommendations:read", _("读取本行推荐名单")
        WRITE_LOANS = "loans:write", _("回写贷款信息")
        WRITE_GUARANTEES = "guarantees:write", _("读写担保合同与代偿")
        READ_STATISTICS = "statistics:read", _("读取融资对接统计")
        READ_SUBMISSIONS = "submissions:read", _("读取辖区内企业的指标填报")

    name = models.CharField(_("客户端名称"), max_length=100)
    bank = models.ForeignKey(
        Bank, models.PROTECT, null=True, blank=True, related_name="api_clients", verbose_name=_("所属银行")
    )
    guarantor = models.ForeignKey(
        GuaranteeInstitution, models.PROTECT, null=True, blank=True, related_name="api_clients",
        verbose_name=_("所属担保机构"),
    )  # fmt: skip
    region_scope = models.CharField(_("区域范围"), max_length=6, blank=True, validators=[validate_region_scope])
    scopes = models.JSONField(_("权限范围"), default=list, blank=True)
    token_digest = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(_("令牌前缀"), max_length=8, editable=False)
    created_by = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("创建人")
    )
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    # The account a bank's or guarantor's client acts as when it calls the services the pages call (they take a
    # user and scope by its role record): an inactive user without a password holding a BankOfficer or GuarantorStaff
    # record of the client's institution. See core.services.api_client_service_user.
    service_user = models.OneToOneField(
        "core.User", models.SET_NULL, null=True, blank=True, editable=False, related_name="api_client_service",
        verbose_name=_("服务账号"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("API 客户端")
        verbose_name_plural = _("API 客户端")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(bank__isnull=True) | models.Q(guarantor__isnull=True),
                name="api_client_bank_or_guarantor",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def issue_token(self) -> str:
        """Set a fresh token and return it in plain text (the only time it is visible)."""
        token = secrets.token_urlsafe(32)
        self.token_digest = self.digest(token)
        self.token_prefix = token[:8]
        return token

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
