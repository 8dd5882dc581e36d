"""In-app notices to firms: one place that writes them and one that words them.

A feature (policy matching, objections, applications to banks) registers the wording of its kind once, at import
time of a module its ``AppConfig.ready`` loads, with ``%(name)s`` placeholders filled from the stored parameters; the
page renders each notice in the reader's language. A parameter naming something that has its own wording in each
language (a bank) is stored as its id and worded when read (``notice_param``). An unknown kind (a feature removed)
reads as a generic line rather than failing the page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Enterprise, EnterpriseNotice

_TEXTS: dict[str, Any] = {}
_PARAMS: dict[str, tuple[str, Callable[[set], dict]]] = {}


def notice_kind(kind: str, text) -> None:
    """Register the wording of ``kind`` (a lazy translation with ``%(param)s`` placeholders)."""
    if len(kind) > 40:
        raise ValueError(f"notice kind {kind!r} is longer than 40 characters")
    _TEXTS[kind] = text


def notice_param(stored: str, shown: str, words: Callable[[set], dict]) -> None:
    """Word the stored parameter ``stored`` (an id) as ``%(shown)s`` when the notice is read: ``words(ids)`` returns
    {id: text in the active language} for a page of notices at once. A notice whose id names nothing any more keeps
    the ``shown`` value it was sent with (and notices sent before a parameter was stored as an id read as sent)."""
    _PARAMS[stored] = (shown, words)


def _worded(notices: list[EnterpriseNotice]) -> dict[str, dict]:
    worded: dict[str, dict] = {}
    for stored, (_shown, words) in _PARAMS.items():
        ids = {n.params[stored] for n in notices if isinstance(n.params, dict) and stored in n.params}
        worded[stored] = words(ids) if ids else {}
    return worded


def notice_text(notice: EnterpriseNotice, worded: dict[str, dict] | None = None) -> str:
    template = _TEXTS.get(notice.kind)
    if template is None:
        return gettext("您有一条新通知。")
    worded = _worded([notice]) if worded is None else worded
    params = dict(notice.params) if isinstance(notice.params, dict) else notice.params
    for stored, (shown, _words) in _PARAMS.items():
        if isinstance(params, dict) and params.get(stored) in worded.get(stored, {}):
            params[shown] = worded[stored][params[stored]]
    try:
        return str(template) % params
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
    worded = _worded(notices)  # one query per id parameter for the whole page
    for notice in notices:
        notice.text = notice_text(notice, worded)
    return notices


def notices_unread_count(*, enterprise: Enterprise) -> int:
    return EnterpriseNotice.objects.filter(enterprise=enterprise, read_at__isnull=True).count()


def notices_mark_read(*, enterprise: Enterprise) -> int:
    return EnterpriseNotice.objects.filter(enterprise=enterprise, read_at__isnull=True).update(read_at=timezone.now())


# A kind every deployment has: the platform's own message to a firm (also used by the tests of this module).
notice_kind("platform", _("平台通知:%(text)s"))
