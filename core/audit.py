"""The audit trail: who changed filings, indicator systems, batches, runs, loans, guarantees and compensations.

Built on django-auditlog. Each app names its audited models and their fields in its
``AppConfig.ready`` (``track``); a ``save()``
or ``delete()`` of one of them writes a ``LogEntry`` with the field-level diff in the same transaction. The actor is:

* the signed-in person of the request (``core.middleware.AuditActorMiddleware``), for pages, the admin and the API
  used with a web session;
* whoever ``acting_as(user)`` names, for a task or a command that acts for someone;
* nobody (shown as "system") for the worker's own steps, e.g. a scoring run moving from loading to scoring.

Queryset ``UPDATE``s (the conditional state transitions of scoring runs, bulk approval, a compensation putting its
loan in default) send no signal: their services call ``audit_changes`` for each decision. The bulk paths (the scores
COPY, the recommendation push, demo generation, bulk import) write one entry per operation, never one per row.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from auditlog.cid import get_cid
from auditlog.context import set_actor
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

NOT_AUDITED = ("id", "created_at", "updated_at")


def track(model: type[Model], *, only: tuple[str, ...] = (), m2m: tuple[str, ...] = ()) -> None:
    """Audit ``model``: each app calls this for its own models from its ``AppConfig.ready`` (core names no app).

    ``only`` names the fields an entry records (default: every concrete field but the id and the timestamps), ``m2m``
    the many-to-many fields whose additions and removals are recorded too. Fields are always listed explicitly: left
    to itself, auditlog's diff of a new or deleted object walks reverse relations too, which costs a query each and
    leaves "no such object" cached on the instance (a loan created this way would then claim to have no guarantee
    after one was added).
    """
    fields = only or tuple(field.name for field in model._meta.concrete_fields if field.name not in NOT_AUDITED)
    auditlog.register(model, include_fields=list(fields), m2m_fields=set(m2m))


@contextlib.contextmanager
def acting_as(user) -> Iterator[None]:
    """Make ``user`` the actor of the audit entries written inside the block (tasks, commands, tests)."""
    with set_actor(user):
        yield


def _text(value: Any) -> str:
    """As auditlog writes values (``smart_str``: ``None`` becomes "None"); a model instance is its primary key."""
    if isinstance(value, Model):
        return str(value.pk)
    return str(value)


def audit_changes(
    instance: Model,
    changes: Mapping[str, tuple[Any, Any] | list[Any]],
    *,
    actor=None,
    additional_data: dict[str, Any] | None = None,
    object_repr: str | None = None,
) -> LogEntry:
    """Record a change made without ``save()`` (a queryset UPDATE, a bulk write) as one UPDATE entry.

    ``changes`` maps each field to ``(old, new)``; values are stored as text, like auditlog's own entries. Without
    ``actor``, the request's or ``acting_as``'s actor applies (nobody in a worker).
    """
    extra = {"object_repr": object_repr} if object_repr else {}
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={name: [_text(old), _text(new)] for name, (old, new) in changes.items()},
        actor=actor,
        additional_data=additional_data,
        **extra,
    )


def audit_transition(
    instance: Model, old: str | None, new: str, *, actor=None, field: str = "state", **more
) -> LogEntry:
    """A state machine step made by a conditional UPDATE (a scoring run's ``loading → scoring``...).

    The entry names the object by its model and id: its ``str()`` may show the state it had in memory, not ``new``.
    ``more`` adds other changed fields as ``name=(old, new)``.
    """
    return audit_changes(
        instance,
        {field: (old, new), **more},
        actor=actor,
        object_repr=f"{instance._meta.verbose_name} #{instance.pk}",
    )


def audit_bulk_status(model: type[Model], pks, *, field: str, old: Any, new: Any, actor) -> list[LogEntry]:
    """One entry per object for a reviewer's bulk action (a queryset UPDATE of one field), written in one INSERT."""
    content_type = ContentType.objects.get_for_model(model)
    changes = {field: [_text(old), _text(new)]}
    entries = [
        LogEntry(content_type=content_type, object_pk=str(pk), object_id=pk, object_repr=f"{model.__name__} #{pk}",
                 action=LogEntry.Action.UPDATE, changes=changes, actor=actor, cid=get_cid())
        for pk in pks
    ]  # fmt: skip
    return LogEntry.objects.bulk_create(entries)


def audit_entries_of(instance: Model):
    """The audit entries of one object, newest first (a queryset)."""
    return LogEntry.objects.get_for_object(instance).select_related("actor").order_by("-timestamp", "-pk")
