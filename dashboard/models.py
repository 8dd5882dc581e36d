"""Signed score certificates: one row per certificate issued (so it can be revoked), and the recognitions other
regions' bureaus register for their own programmes. The rules live in ``dashboard.certificates``."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IssuedCertificate(models.Model):
    """A certificate a firm downloaded: the signed document exactly as issued."""

    id = models.UUIDField(_("证书编号"), primary_key=True, default=uuid.uuid4, editable=False)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", models.PROTECT, related_name="certificates", verbose_name=_("企业")
    )
    run = models.ForeignKey(
        "scoring.ScoringRun", models.PROTECT, related_name="certificates", verbose_name=_("评分任务")
    )
    document = models.JSONField(_("证书内容"))
    key_id = models.CharField(_("密钥编号"), max_length=16)
    issued_at = models.DateTimeField(_("签发时间"), default=timezone.now, db_index=True)
    expires_on = models.DateField(_("有效期至"))
    issued_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("下载人")
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("积分证书")
        verbose_name_plural = _("积分证书")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.id} {self.enterprise_id}"


class CertificateRecognition(models.Model):
    """A bureau of another region recognises a verified certificate for its own programme."""

    certificate = models.ForeignKey(
        IssuedCertificate, models.PROTECT, related_name="recognitions", verbose_name=_("积分证书")
    )
    region_scope = models.CharField(_("认可地区"), max_length=12, blank=True)
    programme = models.CharField(_("认可用于的项目"), max_length=200)
    recognised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("认可人")
    )
    recognised_at = models.DateTimeField(_("认可时间"), default=timezone.now)

    class Meta:
        verbose_name = _("证书互认")
        verbose_name_plural = _("证书互认")
        ordering = ["-recognised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "region_scope", "programme"], name="certificate_recognised_once_per_programme"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.region_scope} {self.programme}"
