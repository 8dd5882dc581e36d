"""Every read of a named firm by a bank goes to that firm's access log: the helper pages and API views call with the
firms a response names (a profile, a score lookup, a page of scores or rankings, an export)."""

from collections.abc import Iterable

from core.actors import actor_of
from core.api.auth import api_actor

from .services import bank_reads_record


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def bank_read_log(request, *, enterprise_ids: Iterable[int], read: str) -> int:
    """Log the read if the caller is a bank (its officer, or its API client as its service account); nothing for
    bureau staff, platforms or the firm itself. Returns the number of rows written."""
    actor = actor_of(request)
    if not actor.is_bank:
        return 0
    user = api_actor(request) if actor.via_token else actor.user
    return bank_reads_record(enterprise_ids=enterprise_ids, bank_id=actor.bank_id, user=user, read=read,
                             ip=client_ip(request))  # fmt: skip
