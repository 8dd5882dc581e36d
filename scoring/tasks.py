"""Celery entry points for scoring. Thin: they take ids and call one service; the run row holds the state."""

import logging
import threading

from celery import shared_task
from django.conf import settings
from django.db import connection

from .notice import runs_release_due
from .services import scoring_run_execute, scoring_runs_reconcile

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)  # routed to the "scoring" queue by CELERY_TASK_ROUTES
def score_run_task(run_id: int) -> None:
    """Compute scoring run ``run_id``; a duplicate delivery finds the run claimed and does nothing."""
    scoring_run_execute(run_id=run_id)


@shared_task
def reconcile_runs_task() -> list[int]:
    """Every minute (Celery beat): resend runs that lost their message or their worker."""
    return scoring_runs_reconcile()


@shared_task
def release_due_runs_task() -> list[int]:
    """Every few minutes (Celery beat): release to banks the published runs whose notice period has ended."""
    return runs_release_due()


def score_run_dispatch(run_id: int) -> threading.Thread | None:
    """Hand run ``run_id`` to a worker, so that no request does the scoring: the Celery task on a broker, or — on
    the embedded default, where Celery runs tasks eagerly inside the caller (``SCORING_RUN_IN_THREAD``) — a
    background thread of this process playing the worker. Either way the page that started the run returns at
    once and watches the run row's progress. Returns the thread, if one was started."""
    if not settings.SCORING_RUN_IN_THREAD:
        score_run_task.delay(run_id)
        return None
    thread = threading.Thread(target=_execute_in_thread, args=(run_id,), name=f"scoring-run-{run_id}", daemon=True)
    thread.start()
    return thread


def _execute_in_thread(run_id: int) -> None:
    try:
        scoring_run_execute(run_id=run_id)  # records its own failure on the run row
    except Exception:  # pragma: no cover - scoring_run_execute does not raise for a failed run
        logger.exception("scoring run %s: the background thread failed", run_id)
    finally:
        connection.close()  # the thread's own connection
