"""Sign-up, claims and colleagues: who becomes a firm's member, and only after verification.

A sign-up never makes anyone a member at once. It is a *join request* when the firm already has a confirmed
administrator (they confirm it on the members page) and a *claim* otherwise — a new firm, or one the bureau imported
— which the bureau of the firm's region confirms against the business licence uploaded with the sign-up (the bureau's
claims page). Until then the applicant sees nothing of the firm: none of its filings, imported or verified figures,
consents or reports. Every sign-up gets the same answer, so the form never tells who has registered a credit code;
usernames are refused with one message for taken, look-alike and reserved (``core.usernames``). A colleague invited
by a confirmed administrator is confirmed by that invitation.
"""

from __future__ import annotations

import secrets
from datetime import date

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.models import User
from core.usernames import username_validate
from core.validators import validate_uscc

from .choices import MemberRole
from .models import Enterprise, EnterpriseMembership
from .services import EVIDENCE_MAX_BYTES, EVIDENCE_SIGNATURES, enterprise_create, firm_admin_is

LICENCE_TYPES = {"application/pdf", "image/jpeg", "image/png"}


def _skeleton_taken(skeleton: str) -> bool:
    return User.objects.filter(username_skeleton=skeleton).exists()


def username_check(raw: str) -> str:
    """The normalised username, or a ValidationError: not taken, not a look-alike, not reserved."""
    return username_validate(raw, taken=_skeleton_taken)


def _licence_type(upload) -> str | None:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    return next((kind for magic, kind in EVIDENCE_SIGNATURES if head.startswith(magic)), None)


def _licence_check(upload, errors: dict) -> str | None:
    if upload is None:
        errors["licence"] = [_("请上传营业执照(PDF、JPEG 或 PNG),用于核验您与企业的关系。")]
        return None
    if upload.size > EVIDENCE_MAX_BYTES:
        errors["licence"] = [_("文件不能超过 10 MB。")]
        return None
    kind = _licence_type(upload)
    if kind is None:
        errors["licence"] = [_("只接受 PDF、JPEG 或 PNG 文件。")]
    return kind


def _firm_check(*, code: str, name: str, region_code: str, industry_code: str, established, errors: dict) -> None:
    """The firm's details are checked whether or not the code is registered: the answer must not tell."""
    firm = Enterprise(credit_code=code, name=name.strip(), region_code=region_code.strip(),
                      industry_code=industry_code.strip().upper(), established=established)  # fmt: skip
    if established is None:
        errors.setdefault("established", []).append(_("请填写成立日期。"))
    try:
        firm.full_clean(exclude=["section", "credit_code", "established"], validate_unique=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)


@transaction.atomic
def enterprise_register(
    *, username: str, email: str, password: str, credit_code: str, name: str, region_code: str, industry_code: str,
    established: date | None, licence,
) -> EnterpriseMembership:  # fmt: skip
    """A join request or a claim (module docstring); raises a ValidationError naming each bad field."""
    errors: dict[str, list[str]] = {}
    try:
        username = username_check(username)
    except ValidationError as error:
        errors["username"] = list(error.messages)
    email = (email or "").strip()
    if "@" not in email:
        errors["email"] = [_("请填写有效的电子邮箱。")]
    candidate = User(username=username, email=email)
    try:
        validate_password(password, candidate)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    code = credit_code.strip().upper()
    try:
        validate_uscc(code)
    except ValidationError as error:
        errors["credit_code"] = list(error.messages)
    _firm_check(code=code, name=name, region_code=region_code, industry_code=industry_code, established=established,
                errors=errors)  # fmt: skip
    licence_type = _licence_check(licence, errors)
    if errors:
        raise ValidationError(errors)
    candidate.set_password(password)
    candidate.save()
    firm = Enterprise.objects.select_for_update().filter(credit_code=code).first()
    if firm is None:
        firm = enterprise_create(credit_code=code, name=name, region_code=region_code, industry_code=industry_code,
                                 established=established)  # fmt: skip
    has_admin = firm.memberships.filter(role=MemberRole.ADMIN, approved=True).exists()
    membership = EnterpriseMembership(
        user=candidate, enterprise=firm, role=MemberRole.MEMBER if has_admin else MemberRole.ADMIN, approved=False,
        licence_type=licence_type,
    )  # fmt: skip
    membership.licence.save(f"{firm.pk}", licence, save=False)
    membership.save()
    return membership


# --- The bureau verifies claims -------------------------------------------------------------------------------------


def _claim_for(staff_user: User, membership: EnterpriseMembership) -> EnterpriseMembership:
    claim = EnterpriseMembership.objects.claims_for(staff_user).select_for_update().filter(pk=membership.pk).first()
    if claim is None:
        raise ApplicationError(_("该认领申请不存在或已处理。"))
    return claim


@transaction.atomic
def claim_approve(*, membership: EnterpriseMembership, user: User, note: str = "") -> EnterpriseMembership:
    """The bureau confirms that the applicant acts for the firm (checked against the licence): they become its
    administrator and see its imported and verified figures from now on."""
    claim = _claim_for(user, membership)
    claim.approved, claim.decided_by, claim.decided_at = True, user, timezone.now()
    claim.decision_note = note.strip()[:200]
    claim.save(update_fields=["approved", "decided_by", "decided_at", "decision_note", "updated_at"])
    return claim


@transaction.atomic
def claim_reject(*, membership: EnterpriseMembership, user: User, note: str) -> EnterpriseMembership:
    """Refuse a claim, saying why (the applicant reads it); they never become a member."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": [_("请说明驳回原因,申请人将看到该说明。")]})
    claim = _claim_for(user, membership)
    claim.rejected_at, claim.decided_by, claim.decided_at, claim.decision_note = (
        timezone.now(),
        user,
        timezone.now(),
        note[:200],
    )
    claim.save(update_fields=["rejected_at", "decided_by", "decided_at", "decision_note", "updated_at"])
    return claim


# --- Colleagues -----------------------------------------------------------------------------------------------------


def _require_admin(enterprise: Enterprise, user: User) -> None:
    if not firm_admin_is(user=user, enterprise=enterprise):
        raise ApplicationError(_("只有企业管理员可以管理成员。"))


@transaction.atomic
def member_invite(*, enterprise: Enterprise, invited_by: User, email: str, username: str) -> EnterpriseMembership:
    """Create a colleague's account (no password yet) and membership, confirmed by the administrator's invitation;
    the caller mails them a set-password link."""
    _require_admin(enterprise, invited_by)
    errors: dict[str, list[str]] = {}
    email = (email or "").strip()
    if "@" not in email:
        errors["email"] = [_("请填写有效的电子邮箱。")]
    try:
        username = username_check(username)
    except ValidationError as error:
        errors["username"] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    user = User(username=username, email=email)
    # A random password nobody knows; a usable one, because the reset form mails only users who have one.
    user.set_password(secrets.token_urlsafe(32))
    user.save()
    return EnterpriseMembership.objects.create(user=user, enterprise=enterprise, role=MemberRole.MEMBER,
                                               decided_by=invited_by, decided_at=timezone.now())  # fmt: skip


@transaction.atomic
def membership_approve(*, membership: EnterpriseMembership, approved_by: User) -> EnterpriseMembership:
    """Confirm a request to join the firm (only its confirmed administrator may)."""
    _require_admin(membership.enterprise, approved_by)
    membership = EnterpriseMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.rejected_at is not None:
        raise ApplicationError(_("该申请已被驳回。"))
    membership.approved, membership.decided_by, membership.decided_at = True, approved_by, timezone.now()
    membership.save(update_fields=["approved", "decided_by", "decided_at", "updated_at"])
    return membership


def registration_of(user: User) -> EnterpriseMembership | None:
    """The applicant's latest request, for their waiting page."""
    return user.memberships.select_related("enterprise").order_by("-created_at", "-pk").first()
