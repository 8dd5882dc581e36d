"""In-app notices to firms: one place that writes them and one that words them.

A feature (policy matching, objections, applications to banks) registers the wording of its kind once, at import
time of a module its ``AppConfig.ready`` loads, with ``%(name)s`` placeholders filled from the stored parameters; the
page renders each notice in the reader's language. An unknown kind (a feature removed) reads as a generic line
rather than failing the page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Enterprise, EnterpriseNotice

_TEXTS: dict[str, Any] = {}


def notice_kind(kind: str, text) -> None:
    """Register the wording of ``kind`` (a lazy translation with ``%(param)s`` placeholders)."""
    if len(kind) > 40:
        raise ValueError(f"notice kind {kind!r} is longer than 40 characters")
    _TEXTS[kind] = text


def notice_text(notice: EnterpriseNotice) -> str:
    template = _TEXTS.get(notice.kind)
    if template is None:
        return gettext("您有一条新通知。")
    try:
        return str(template) % notice.params
    except (KeyError, TypeError, ValueError):
        return str(template)


def enterprise_notify(
    *, enterprise: Enterprise, kind: str, params: dict | None = None, url: str = ""
) -> EnterpriseNotice:
    if kind not in _TEXTS:
        raise ValueError(f"notice kind {kind!r} has no registered wording")
    return EnterpriseNotice.objects.create(enterprise=enterprise, kind=kind, params=params or {}, url=url)


def enterprises_notify(*, enterprise_ids: Iterable[int], kind: str, params: dict | None = None, url: str = "") -> int:
    """The same notice to many firms in one bulk insert (e.g. a policy's new matches after a publication)."""
    if kind not in _TEXTS:
        raise ValueError(f"notice kind {kind!r} has no registered wording")
    rows = [EnterpriseNotice(enterprise_id=pk, kind=kind, params=params or {}, url=url) for pk in enterprise_ids]
    return len(EnterpriseNotice.objects.bulk_create(rows, batch_size=2000))


def notices_for(*, enterprise: Enterprise, limit: int = 100) -> list[EnterpriseNotice]:
    notices = list(EnterpriseNotice.objects.filter(enterprise=enterprise)[:limit])
    for notice in notices:
        notice.text = notice_text(notice)
    return notices


def notices_unread_count(*, enterprise: Enterprise) -> int:
    return EnterpriseNotice.objects.filter(enterprise=enterprise, read_at__isnull=True).count()


def notices_mark_read(*, enterprise: Enterprise) -> int:
    return EnterpriseNotice.objects.filter(enterprise=enterprise, read_at__isnull=True).update(read_at=timezone.now())


# A kind every deployment has: the platform's own message to a firm (also used by the tests of this module).
notice_kind("platform", _("平台通知:%(text)s"))
