"""Public notice (公示) of a published run, and the release of its results to banks when the notice ends.

A run published with a notice period is *published* for firms at once (their report reads 公示中 with the end date,
and they may object) but *released* to banks only when the period is over: ``run_released`` is sent then, and the
bank push and the loan warnings subscribe to it. A run published without a period, or of a batch whose
``push_during_notice`` is set, is released at publication.

Working days are Monday to Friday; the day of publication does not count (a period of 5 published on a Monday ends
on the next Monday, inclusive). Public holidays and the make-up working weekends of China's yearly holiday
schedule are not modelled: a bureau that publishes before a holiday sets a longer period when it publishes.

Ending a period must work on every deployment: Celery beat runs ``release_due_runs_task`` every few minutes; without
beat (the embedded default) the signed-in home, the bank's list and the bureau's run and objection pages call
``release_due_check`` (at most once a minute per process), and ``manage.py push_due_lists`` does it by hand or from
cron. Each release is a conditional UPDATE on ``released_at``: a run is released once, whoever gets there first.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from core.audit import audit_changes

from .choices import RunState
from .models import ScoringRun
from .signals import run_released

logger = logging.getLogger(__name__)

SATURDAY = 5
CHECK_EVERY_SECONDS = 60
"""How often a page may look for due releases (per process): one indexed query on a small table, so a minute is
far finer than a notice period measured in days needs."""


def notice_end(published_on: date, working_days: int) -> date | None:
    """The last day (inclusive) of a notice of ``working_days`` working days after ``published_on``; ``None`` for 0."""
    if working_days <= 0:
        return None
    day, left = published_on, working_days
    while left:
        day += timedelta(days=1)
        if day.weekday() < SATURDAY:
            left -= 1
    return day


def run_release(*, run: ScoringRun, actor=None) -> bool:
    """Release a published run's results to banks (once): ``run_released`` is sent after the commit. Returns whether
    this call released it (``False``: already released, or no longer the published run)."""
    now = timezone.now()
    with transaction.atomic():
        claimed = ScoringRun.objects.filter(pk=run.pk, state=RunState.PUBLISHED, released_at__isnull=True).update(
            released_at=now
        )
        if not claimed:
            return False
        audit_changes(run, {"released_at": (None, now)}, actor=actor, object_repr=f"{run._meta.verbose_name} #{run.pk}")
        run.released_at = now
        transaction.on_commit(lambda: run_released.send(sender=ScoringRun, run=run))
    logger.info("scoring run %s released to banks", run.pk)
    return True


def runs_release_due(*, today: date | None = None) -> list[int]:
    """Release every published run whose notice period ended before ``today``; returns their ids."""
    today = today or timezone.localdate()
    due = ScoringRun.objects.filter(state=RunState.PUBLISHED, released_at__isnull=True, notice_ends_on__lt=today)
    return [run.pk for run in due.order_by("pk") if run_release(run=run)]


def release_due_check() -> None:
    """What pages call on a deployment without Celery beat: ``runs_release_due`` at most once a minute per
    process."""
    if cache.add("scoring:release-due-check", True, CHECK_EVERY_SECONDS):
        runs_release_due()
