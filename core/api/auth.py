"""Who is calling the API: token authentication for machine clients, scopes, the service account a client writes
as, throttles.

A machine client sends ``Authorization: Token <token>`` (``Bearer`` is accepted too). Only the token's SHA-256
digest is stored, so a lookup is one indexed query on ``ApiClient.token_digest``. People use the browsable API and
Swagger UI with their web session; what they see follows from their role, exactly as on the pages.

Every API view asks ``core.actors.actor_of(request)`` who is calling — the same ``Actor`` the pages' querysets take —
and hands it to the models' ``visible_to`` (see ``docs/api.md`` for the rules).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.settings import api_settings

from ..models import ApiClient
from ..security import bad_token_record, bad_token_wait

LAST_USED_RESOLUTION = timedelta(minutes=1)
"""``last_used_at`` is written at most once a minute per client: one UPDATE per request would serialise a busy
client's requests on its row lock for a figure nobody reads at finer resolution."""


class ApiClientUser:
    """``request.user`` for a token request: authenticated, no role records, carries the ``ApiClient``."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = id = None

    def __init__(self, client: ApiClient) -> None:
        self.api_client = client
        self.username = f"api-client:{client.pk}"

    def __str__(self) -> str:
        return self.api_client.name

    def has_perm(self, perm, obj=None) -> bool:
        return False


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <token>`` or ``Bearer <token>``; a revoked or unknown token is a 401."""

    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式错误:应为 “Token <令牌>”。"))
        try:
            token = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("令牌格式错误:应为 “Token <令牌>”。"))
        client = (
            ApiClient.objects.select_related("bank")
            .filter(token_digest=ApiClient.digest(token))
            .only(
                "id",
                "name",
                "region_scope",
                "scopes",
                "revoked_at",
                "last_used_at",
                "bank__id",
                "bank__is_national",
                "bank__region_scope",
                "guarantor_id",
                "service_user_id",
            )  # fmt: skip
            .first()
        )
        if client is None or client.revoked_at is not None:
            # Only failures are throttled: a storm of bad tokens from an address (shared NAT, an attacker beside a
            # bank's system) makes that address wait, but never locks out a valid token sent from it.
            wait = bad_token_wait(request)
            if wait is not None:
                raise exceptions.Throttled(wait=wait)
            bad_token_record(request)
            raise exceptions.AuthenticationFailed(_("令牌无效或已被吊销。"))
        api_client_touch(client)
        return ApiClientUser(client), client

    def authenticate_header(self, request):
        return 'Token realm="api"'


def api_client_touch(client: ApiClient) -> None:
    """Record that ``client`` was used, at most once per ``LAST_USED_RESOLUTION`` (a conditional UPDATE)."""
    now = timezone.now()
    if client.last_used_at is not None and now - client.last_used_at < LAST_USED_RESOLUTION:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ApiClient.objects.filter(stale, pk=client.pk).update(last_used_at=now)
    client.last_used_at = now


def api_client_of(request) -> ApiClient | None:
    return request.auth if isinstance(request.auth, ApiClient) else None


def api_actor(request):
    """The user whose role records decide what the caller may see and do on the bank-side resources (recommendations,
    loans, guarantees), through the same ``visible_to(user)`` querysets and services as the pages: a person acts as
    themselves; a bank's or guarantor's client as its service account (``core.services.api_client_service_user``);
    anyone else as nobody (``None``). Computed once per request."""
    if hasattr(request, "_api_actor"):
        return request._api_actor
    client = api_client_of(request)
    if client is None:
        actor = request.user if request.user.is_authenticated else None
    elif client.bank_id is None and client.guarantor_id is None:
        actor = None
    else:
        from ..services import api_client_service_user

        actor = api_client_service_user(client=client)
    request._api_actor = actor
    return actor


class ReadWriteScopes:
    """A view whose reads and writes need different scopes: ``read_scope`` for GET/HEAD/OPTIONS, ``write_scope``
    for everything else (``HasApiScope`` reads ``required_scope``)."""

    read_scope: str
    write_scope: str

    @property
    def required_scope(self) -> str:
        return self.read_scope if self.request.method in permissions.SAFE_METHODS else self.write_scope


def required_scopes(view, method: str) -> tuple[str, ...]:
    """The scopes that let a token client call ``view`` with ``method`` (any one of them): a view names one scope
    or several in ``required_scope``, or ``read_scope`` / ``write_scope`` (``ReadWriteScopes``). The permission
    check, the 403 body and the OpenAPI schema all read this."""
    if hasattr(view, "read_scope") and hasattr(view, "write_scope"):
        scope = view.read_scope if method in permissions.SAFE_METHODS else view.write_scope
    else:
        scope = getattr(view, "required_scope", None)
    if scope is None:
        return ()
    return (scope,) if isinstance(scope, str) else tuple(scope)


class HasApiScope(permissions.BasePermission):
    """Token clients need one of the view's scopes (``required_scopes``); people are scoped by their role (the
    querysets). A refusal names the scopes needed, in the message and in the body's ``required_scopes``."""

    message = _("此令牌没有访问该资源的权限范围。")

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        client = api_client_of(request)
        if client is None:
            return True
        needed = required_scopes(view, request.method)
        if any(scope in (client.scopes or []) for scope in needed):
            return True
        request.required_scopes = list(needed)  # the error handler puts them in the 403 body
        if needed:
            self.message = _("此令牌没有访问该资源的权限范围,需要:%(scopes)s。") % {"scopes": " / ".join(needed)}
        return False


class _SettingsRateThrottle(throttling.SimpleRateThrottle):
    """Reads its rate from the settings on each request (DRF binds them at import), so overrides take effect."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class ApiClientRateThrottle(_SettingsRateThrottle):
    """Requests per API client (keyed on the client's id, whichever token it uses); rate ``api_client``."""

    scope = "api_client"

    def get_cache_key(self, request, view):
        client = api_client_of(request)
        if client is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client.pk}


class ApiUserRateThrottle(_SettingsRateThrottle):
    """Requests per signed-in person using the browsable API; rate ``api_user``."""

    scope = "api_user"

    def get_cache_key(self, request, view):
        if api_client_of(request) is not None or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
