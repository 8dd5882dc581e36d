"""Login protection: what a locked-out account sees (django-axes calls ``lockout_response``; settings "Login
protection" and README "Security" explain the policy)."""

import math
import time

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

LOCKOUT_STATUS = 429


def lockout_minutes(username: str) -> int:
    """Whole minutes (at least 1) until ``username`` may try again: the cool-off counts from the last failure."""
    cool_off = get_cool_off()
    last = AccessAttempt.objects.filter(username=username).aggregate(last=Max("attempt_time"))["last"]
    if cool_off is None or last is None:
        return max(1, math.ceil((cool_off.total_seconds() if cool_off else 0) / 60))
    remaining = (last + cool_off - timezone.now()).total_seconds()
    return max(1, math.ceil(remaining / 60))


def lockout_message(username: str) -> str:
    minutes = lockout_minutes(username)
    return ngettext(
        "账户已被临时锁定,请 %(minutes)d 分钟后再试或联系管理员。",
        "账户已被临时锁定,请 %(minutes)d 分钟后再试或联系管理员。",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, with the lockout message instead of "wrong password", and status 429.

    The form is not bound: validating it would call ``authenticate`` once more. Used for the admin's login too.
    """
    username = get_client_username(request, credentials) or ""
    context = {
        "form": AuthenticationForm(request),
        "lockout_message": lockout_message(username),
        "next": request.POST.get("next", "") if request.method == "POST" else request.GET.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=LOCKOUT_STATUS)


class AxesBackendForTestClient(AxesStandaloneBackend):
    """The test settings' lockout backend: as production's, except that ``authenticate()`` without a request passes.

    Django's test client ``login()`` authenticates without a request, which production's backend refuses outright;
    every login over HTTP carries one, so the lockout tests (tests/test_lockout.py, through the real form) exercise
    exactly the production path.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


# --- The API has no password → token endpoint (tokens are issued by staff in the admin and are 256-bit random, beyond
# guessing), so there is no account to lock. What remains is a storm of bad tokens: after API_BAD_TOKEN_LIMIT
# unknown or revoked tokens from one address within a minute, its further bad tokens get 429 until the minute is over;
# a valid token from the same address is still accepted (only failures are throttled). Counters live in the default
# cache (CACHE_URL=redis://... shares them between processes).
BAD_TOKEN_WINDOW_SECONDS = 60


def _bad_token_key(request) -> tuple[str, int]:
    now = int(time.time())
    window = now // BAD_TOKEN_WINDOW_SECONDS
    address = request.META.get("REMOTE_ADDR", "")
    return f"api-bad-token:{address}:{window}", BAD_TOKEN_WINDOW_SECONDS - now % BAD_TOKEN_WINDOW_SECONDS


def bad_token_wait(request) -> int | None:
    """Seconds until this address may present a token again, or None when it is under the limit."""
    key, remaining = _bad_token_key(request)
    return remaining if cache.get(key, 0) >= settings.API_BAD_TOKEN_LIMIT else None


def bad_token_record(request) -> None:
    key, remaining = _bad_token_key(request)
    cache.add(key, 0, timeout=remaining + 1)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=remaining + 1)
