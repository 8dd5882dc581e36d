"""Signed score certificates: issue, verify, revoke and recognise — the one place these rules live.

A certificate states a firm's *published* result of one batch (firm, credit code, batch, indicator system code,
version and content hash, total, grade, stage percentile, ranks) with its issue date and expiry, a certificate id and
the id of the key that signed it. The signature is Ed25519 over the canonical JSON of every other field (sorted keys,
no spaces, UTF-8), so changing any stated field — even a space in the name — makes it a forgery.

Decision on expiry: one year after issue (``CERTIFICATE_VALID_DAYS``). Independently of expiry, a certificate is
*superseded* as soon as a newer run of its batch is published, since it no longer states the published result.

Verifying says one of: valid, superseded, revoked, expired, forged (bad or missing signature, an unknown key, an
altered field, or a certificate id the platform never issued). Offline verification (``manage.py
verify_certificate``) checks the signature and expiry only, with the configured public keys.

Keys: ``CERTIFICATE_SIGNING_KEY`` (base64 raw Ed25519 private key) signs; its public key and those listed in
``CERTIFICATE_PUBLIC_KEYS`` (old keys, after a rotation) verify. The key id is the first 16 hex digits of the SHA-256
of the raw public key.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime
import hashlib
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.audit import acting_as
from enterprises.models import Batch
from scoring.models import BatchScoring, Score

from .models import CertificateRecognition, IssuedCertificate
from .report import published_score_history

FORMAT = "ipp-score-certificate/1"
SIGNATURE = "signature"
VALID, SUPERSEDED, REVOKED, EXPIRED, FORGED = "valid", "superseded", "revoked", "expired", "forged"
STATUS_LABELS = {
    VALID: _("有效:证书所载结果仍是已发布的结果。"),
    SUPERSEDED: _("已被取代:该批次此后发布了新的评分结果,证书所载结果已不是当前发布结果。"),
    REVOKED: _("已撤销:签发方已撤销此证书。"),
    EXPIRED: _("已过期:证书已超过有效期。"),
    FORGED: _("伪造或被篡改:签名无效或内容被修改,证书不可信。"),
}
STATUS_WORDS = {  # the same verdicts in a word, for lists
    VALID: pgettext_lazy("certificate", "有效"),
    SUPERSEDED: pgettext_lazy("certificate", "已被取代"),
    REVOKED: pgettext_lazy("certificate", "已撤销"),
    EXPIRED: pgettext_lazy("certificate", "已过期"),
    FORGED: pgettext_lazy("certificate", "伪造或被篡改"),
}
REQUIRED_FIELDS = ("format", "certificate_id", "key_id", "firm", "credit_code", "batch", "system", "total", "grade",
                   "stage", "stage_percentile", "ranks", "issued_on", "expires_on", SIGNATURE)  # fmt: skip


class CertificateError(ValueError):
    """A request the rules refuse, with a message for the user."""


def canonical(payload: dict) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _raw(value: str) -> bytes:
    return base64.b64decode(value, validate=True)


def _signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_raw(settings.CERTIFICATE_SIGNING_KEY))


def _public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()[:16]


def public_keys() -> dict[str, Ed25519PublicKey]:
    """Every key a certificate may be signed with, by key id: the current one and the old ones kept after rotation."""
    keys = {}
    current = _signing_key().public_key()
    keys[key_id_of(_public_raw(current))] = current
    for value in settings.CERTIFICATE_PUBLIC_KEYS:
        raw = _raw(value)
        keys[key_id_of(raw)] = Ed25519PublicKey.from_public_bytes(raw)
    return keys


def verification_path(certificate_id) -> str:
    return reverse("verify:detail", args=[certificate_id])


def certificate_issue(*, enterprise, user, base_url: str = "") -> IssuedCertificate:
    """A signed certificate of the firm's latest published result (one row per download, audited)."""
    history = published_score_history(enterprise=enterprise)
    if not history:
        raise CertificateError(_("尚无已发布的评分结果,暂不能下载证书。"))
    row: Score = history[0]
    run = row.run
    certificate_id = uuid.uuid4()
    today = timezone.localdate()
    expires = today + datetime.timedelta(days=settings.CERTIFICATE_VALID_DAYS)
    key = _signing_key()
    key_id = key_id_of(_public_raw(key.public_key()))
    payload = {
        "format": FORMAT,
        "certificate_id": str(certificate_id),
        "key_id": key_id,
        "firm": enterprise.name,
        "credit_code": enterprise.credit_code,
        "batch": {"id": run.batch_id, "name": run.batch.name, "year": run.batch.year},
        "run_id": run.pk,
        "system": {"code": run.system.code, "version": run.system.version,
                   "content_hash": run.system_hash or run.system.content_hash},
        "total": str(Decimal(row.total).quantize(Decimal("0.01"))),
        "grade": row.grade,
        "stage": row.stage,
        "stage_percentile": round(float(row.stage_percentile), 4),
        "ranks": {"national": row.rank_national, "province": row.rank_province, "industry": row.rank_industry},
        "issued_on": today.isoformat(),
        "expires_on": expires.isoformat(),
        "verify_url": base_url.rstrip("/") + verification_path(certificate_id),
    }  # fmt: skip
    payload[SIGNATURE] = base64.b64encode(key.sign(canonical(payload))).decode()
    certificate = IssuedCertificate.objects.create(
        id=certificate_id, enterprise=enterprise, run=run, document=payload, key_id=key_id, expires_on=expires,
        issued_to=user if getattr(user, "is_authenticated", False) else None,
    )  # fmt: skip
    return certificate


def parse(text: str | bytes) -> dict:
    """A pasted or uploaded certificate as a dict, or CertificateError."""
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise CertificateError(_("不是有效的证书文件(JSON 格式错误)。")) from error
    if not isinstance(document, dict):
        raise CertificateError(_("不是有效的证书文件(JSON 格式错误)。"))
    return document


@dataclass
class Verdict:
    status: str
    document: dict
    certificate: IssuedCertificate | None = None
    detail: str = ""

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def word(self) -> str:
        return str(STATUS_WORDS[self.status])

    @property
    def is_valid(self) -> bool:
        return self.status == VALID


def check_signature(document: dict) -> str:
    """FORGED, EXPIRED or VALID from the document alone and the configured public keys (what offline can know)."""
    if not all(name in document for name in REQUIRED_FIELDS) or document.get("format") != FORMAT:
        return FORGED
    key = public_keys().get(str(document["key_id"]))
    if key is None:
        return FORGED
    payload = {name: value for name, value in document.items() if name != SIGNATURE}
    try:
        key.verify(_raw(str(document[SIGNATURE])), canonical(payload))
    except (InvalidSignature, binascii.Error, ValueError):
        return FORGED
    try:
        expires = datetime.date.fromisoformat(str(document["expires_on"]))
    except ValueError:
        return FORGED
    return EXPIRED if expires < timezone.localdate() else VALID


def certificate_verify(document: dict) -> Verdict:
    """Signature, then the platform's record: revoked, superseded by a newer published run of its batch, expired."""
    status = check_signature(document)
    if status == FORGED:
        return Verdict(FORGED, document)
    try:
        certificate = IssuedCertificate.objects.select_related("run").get(pk=uuid.UUID(str(document["certificate_id"])))
    except (ValueError, IssuedCertificate.DoesNotExist):
        return Verdict(FORGED, document, detail="unknown certificate id")
    if certificate.document != document:
        return Verdict(FORGED, document, certificate)
    if certificate.revoked_at is not None:
        return Verdict(REVOKED, document, certificate)
    published = BatchScoring.objects.filter(batch_id=certificate.run.batch_id).values_list(
        "published_run_id", flat=True
    )
    if published.first() != certificate.run_id:
        return Verdict(SUPERSEDED, document, certificate)
    return Verdict(status, document, certificate)


def certificate_verify_id(certificate_id) -> Verdict | None:
    """The verdict on an issued certificate opened by its id (the QR link), or None for an id never issued."""
    try:
        certificate = IssuedCertificate.objects.get(pk=uuid.UUID(str(certificate_id)))
    except (ValueError, IssuedCertificate.DoesNotExist):
        return None
    return certificate_verify(certificate.document)


def revocable_by(user):
    """The certificates ``user`` may revoke: those of a batch the user administers (``Batch.managed_by``: an
    administrator of the bureau that ran and published it), newest first. A reviewer, another region's bureau or a
    firm revokes nothing."""
    return IssuedCertificate.objects.filter(run__batch__in=Batch.objects.managed_by(user)).select_related(
        "enterprise", "run__batch"
    )


def may_revoke(*, certificate: IssuedCertificate, user) -> bool:
    return revocable_by(user).filter(pk=certificate.pk).exists()


@transaction.atomic
def certificate_revoke(*, certificate: IssuedCertificate, reason: str, user=None) -> IssuedCertificate:
    """Revoke a certificate with its reason (audited, the actor being ``user``); verifying it then says revoked. The
    page checks ``may_revoke`` first; the Django admin (platform operators) calls this directly."""
    reason = str(reason or "").strip()
    if not reason:
        raise CertificateError(_("请填写撤销原因。"))
    if certificate.revoked_at is not None:
        return certificate
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason[:200]
    with acting_as(user) if user is not None else contextlib.nullcontext():
        certificate.save(update_fields=["revoked_at", "revoked_reason"])
    return certificate


def certificate_recognise(*, document: dict, staff, programme: str) -> CertificateRecognition:
    """A bureau of another region registers a *valid* certificate as recognised for its own programme (audited)."""
    programme = (programme or "").strip()
    if not programme:
        raise CertificateError(_("请填写认可用于的项目名称。"))
    verdict = certificate_verify(document)
    if not verdict.is_valid:
        raise CertificateError(_("只有有效的证书才能登记互认。") + " " + verdict.label)
    if not outside_region(certificate=verdict.certificate, staff=staff):
        raise CertificateError(_("该企业属于本地区,本地区的评分结果无需登记互认。"))
    try:
        with transaction.atomic():
            recognition = CertificateRecognition.objects.create(
                certificate=verdict.certificate, region_scope=staff.region_scope, programme=programme[:200],
                recognised_by=staff.user,
            )  # fmt: skip
    except IntegrityError as error:
        raise CertificateError(_("本地区已为该项目登记过此证书。")) from error
    return recognition


def outside_region(*, certificate: IssuedCertificate, staff) -> bool:
    """The certificate's firm lies outside the staff's region: only then is there anything to recognise."""
    return not certificate.enterprise.region_code.startswith(staff.region_scope)


def recognitions_of(*, certificate: IssuedCertificate, staff) -> list[CertificateRecognition]:
    """The recognitions the staff's own region registered for a certificate."""
    return list(CertificateRecognition.objects.filter(certificate=certificate, region_scope=staff.region_scope))


def recognitions_of_region(*, staff) -> list[tuple[CertificateRecognition, Verdict]]:
    """What the staff's region has recognised, newest first, each with today's verdict on its certificate."""
    rows = CertificateRecognition.objects.filter(region_scope=staff.region_scope).select_related(
        "certificate", "recognised_by"
    )
    return [(row, certificate_verify(row.certificate.document)) for row in rows[:200]]
