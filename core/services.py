"""Writes of core: API clients — a bank's issued and revoked by the bank's administrator, a platform's or a
guarantor's by a bureau administrator — and the service accounts they act as.

A bank's or a guarantor's client calls the same services as the pages (``banks.services``, ``loans.services``,
``guarantees.services``). Those take a user and decide what it may touch from its role record, so each such client
acts as its own *service account*: an inactive user without a usable password, holding a ``BankOfficer`` record of
the client's bank (no branch: the client's own region narrows it instead) or a ``GuarantorStaff`` record of its
guarantor. Its writes are attributed to that account on the pages (the client's name as the following officer) and in
the firm's access log.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .exceptions import ApplicationError
from .models import ApiClient, BankOfficer, BureauStaff, User
from .regions import scope_covers
from .validators import validate_region_scope

S = ApiClient.Scope
BANK_SCOPES = frozenset({S.READ_SCORES, S.READ_RECOMMENDATIONS, S.WRITE_LOANS, S.WRITE_GUARANTEES})
GUARANTOR_SCOPES = frozenset({S.WRITE_GUARANTEES})
PLATFORM_SCOPES = frozenset({S.READ_SCORES, S.READ_STATISTICS, S.READ_SUBMISSIONS})
"""Which scopes make sense for which kind of client: the bank-side scopes act on one institution's records, so they
need the client to belong to one; the funnel statistics and the region's filings are the bureau's view, so only a
client without an institution (a provincial platform) may hold them."""


def _scopes_validate(scopes: list[str], *, bank, guarantor) -> list[str]:
    if bank is not None and guarantor is not None:
        raise ValidationError({"guarantor": [_("一个客户端只能属于一家银行或一家担保机构。")]})
    allowed = BANK_SCOPES if bank is not None else GUARANTOR_SCOPES if guarantor is not None else PLATFORM_SCOPES
    scopes = sorted(set(scopes))
    errors = []
    if not scopes:
        errors.append(_("请至少选择一项权限范围。"))
    for scope in scopes:
        if scope not in S.values:
            errors.append(_("未知的权限范围:%(scope)s。") % {"scope": scope})
        elif scope not in allowed:
            errors.append(
                _("权限范围“%(scope)s”不适用于该类客户端(银行、担保机构或无所属机构的平台)。")
                % {"scope": S(scope).label}
            )
    if errors:
        raise ValidationError({"scopes": errors})
    return scopes


def _client_issue(
    *, user: User, area: str, name: str, scopes: Iterable[str], region_scope: str, bank=None, guarantor=None
) -> tuple[ApiClient, str]:
    """Issue a client inside ``area`` (the issuer's region); returns it and its plain token (shown once, never
    stored). The issue is in the audit trail (``ApiClient`` is tracked, ``CoreConfig.ready``)."""
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = [_("请填写客户端名称。")]
    region_scope = (region_scope or "").strip() or area  # blank: the issuer's whole region
    try:
        validate_region_scope(region_scope)
    except ValidationError as error:
        errors["region_scope"] = list(error.messages)
    else:
        if not scope_covers(area, region_scope):
            errors["region_scope"] = [_("区域范围须在您的管辖范围(%(scope)s)之内。") % {"scope": area or _("全国")}]
    try:
        scopes = _scopes_validate(list(scopes), bank=bank, guarantor=guarantor)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    client = ApiClient(
        name=name, scopes=scopes, region_scope=region_scope, bank=bank, guarantor=guarantor, created_by=user
    )
    token = client.issue_token()
    client.save()
    if bank is not None or guarantor is not None:
        api_client_service_user(client=client)
    return client, token


def _revoke(clients, client: ApiClient) -> ApiClient:
    """Revoke at once (the next request with its token is a 401); revoking twice keeps the first time."""
    client = clients.select_for_update().filter(pk=client.pk).first()
    if client is None:
        raise ApplicationError(_("API 客户端不存在。"))
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at", "updated_at"])
    return client


# --- The bureau's clients: provincial platforms and guarantors' systems ------------------------------------------


@transaction.atomic
def api_client_create(
    *, staff: BureauStaff, name: str, scopes: Iterable[str], region_scope: str = "", guarantor=None
) -> tuple[ApiClient, str]:
    """A bureau administrator issues a platform's or a guarantor's client in their region (a reviewer reviews).

    A bank's client is issued by that bank's own administrator (``bank_api_client_create``): a token that acts for
    a bank — reads its list, writes its loans — is the bank's decision, never the bureau's."""
    _token_admin(staff)
    return _client_issue(
        user=staff.user, area=staff.region_scope, name=name, scopes=scopes, region_scope=region_scope,
        guarantor=guarantor,
    )  # fmt: skip


def api_clients_managed_by(staff: BureauStaff):
    """The clients a bureau officer lists: those whose region lies inside the officer's, banks' included (a bureau
    administrator may revoke a bank's token in an emergency; only the bank issues one)."""
    return ApiClient.objects.filter(region_scope__startswith=staff.region_scope)


def _token_admin(staff: BureauStaff) -> None:
    if staff.role != BureauStaff.Role.ADMIN:
        raise ApplicationError(_("只有科技管理部门的管理员可以签发或吊销 API 令牌。"))


@transaction.atomic
def api_client_revoke(*, staff: BureauStaff, client: ApiClient) -> ApiClient:
    """Bureau administrators only; audited."""
    _token_admin(staff)
    return _revoke(api_clients_managed_by(staff), client)


# --- A bank's own clients: its credit system, issued by the bank's administrator ----------------------------------


def bank_officer_area(officer: BankOfficer) -> str:
    """The region an officer works in: their branch's, else their bank's (blank: a national bank)."""
    return officer.branch.region_scope if officer.branch_id else officer.bank.region


def bank_api_clients_of(officer: BankOfficer):
    """The clients of the officer's bank inside the officer's area (a branch sees its own region's)."""
    return ApiClient.objects.filter(bank_id=officer.bank_id, region_scope__startswith=bank_officer_area(officer))


def _bank_token_admin(officer: BankOfficer) -> None:
    if not officer.is_admin:
        raise ApplicationError(_("只有本行管理员可以签发或吊销本行的 API 令牌。"))


@transaction.atomic
def bank_api_client_create(
    *, officer: BankOfficer, name: str, scopes: Iterable[str], region_scope: str = ""
) -> tuple[ApiClient, str]:
    """The bank's administrator issues a client acting for their bank, inside their area; audited."""
    _bank_token_admin(officer)
    return _client_issue(
        user=officer.user, area=bank_officer_area(officer), name=name, scopes=scopes, region_scope=region_scope,
        bank=officer.bank,
    )  # fmt: skip


@transaction.atomic
def bank_api_client_revoke(*, officer: BankOfficer, client: ApiClient) -> ApiClient:
    _bank_token_admin(officer)
    return _revoke(bank_api_clients_of(officer), client)


def _service_user_fetch(pk: int | None) -> User | None:
    if pk is None:
        return None
    return User.objects.select_related("bank_officer__bank", "guarantor_staff__institution").filter(pk=pk).first()


def _role_matches(user: User, client: ApiClient) -> bool:
    officer = getattr(user, "bank_officer", None)
    staff = getattr(user, "guarantor_staff", None)
    if client.bank_id is not None:
        return staff is None and officer is not None and officer.bank_id == client.bank_id and officer.branch_id is None
    if client.guarantor_id is not None:
        return officer is None and staff is not None and staff.institution_id == client.guarantor_id
    return officer is None and staff is None


SERVICE_USERNAME_PREFIX = "svc-"


def service_username() -> str:
    return SERVICE_USERNAME_PREFIX + secrets.token_hex(12)


def api_client_service_user(*, client: ApiClient) -> User:
    """The account ``client`` acts as, with the role record of its bank or guarantor; created on first use (clients
    issued in the admin or before this existed get theirs on their first bank-side request) and kept in step if the
    client's institution was changed in the admin. Reads it with its role record joined: one query when it exists.
    """
    user = _service_user_fetch(client.service_user_id)
    if user is not None and _role_matches(user, client):
        return user
    try:
        with transaction.atomic():
            return _service_user_provision(client)
    except IntegrityError:  # a concurrent first request provisioned it: use theirs
        client.refresh_from_db(fields=["service_user"])
        return _service_user_fetch(client.service_user_id)


def _service_user_provision(client: ApiClient) -> User:
    from core.models import GuarantorStaff

    locked = ApiClient.objects.select_for_update().get(pk=client.pk)
    user = _service_user_fetch(locked.service_user_id)
    if user is None:
        # An unguessable name: a service account can never sign in (no password, inactive), and nobody can claim its
        # name at sign-up first to take the client's writes over. Pages show the client's name (first_name).
        user = User(username=service_username(), first_name=client.name[:150], is_active=False)
        user.set_unusable_password()
        user.save()
        locked.service_user = user
        locked.save(update_fields=["service_user", "updated_at"])
    if not _role_matches(user, locked):
        BankOfficer.objects.filter(user=user).delete()
        GuarantorStaff.objects.filter(user=user).delete()
        if locked.bank_id is not None:
            BankOfficer.objects.create(user=user, bank_id=locked.bank_id)
        elif locked.guarantor_id is not None:
            GuarantorStaff.objects.create(user=user, institution_id=locked.guarantor_id)
        user = _service_user_fetch(user.pk)
    client.service_user = user
    return user
