"""Celery entry points for the recommendation push. Thin: ids in, one service call each (queue "push")."""

import logging

from celery import shared_task

from core.exceptions import error_text
from core.models import Bank
from scoring.models import ScoringRun
from scoring.services import scoring_run_publication_error

from .services import RunNotCurrent, recommendation_list_push, recommendation_push_prepare

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def push_recommendations_task(run_id: int) -> None:
    """Fan out: one task per bank that has products, so banks are pushed in parallel by the push workers."""
    for bank_id in recommendation_push_prepare(run=ScoringRun.objects.get(pk=run_id)):
        push_bank_recommendations_task.delay(run_id, bank_id)


@shared_task(acks_late=True)
def push_bank_recommendations_task(run_id: int, bank_id: int) -> None:
    """Write one bank's list for run ``run_id``; a duplicate delivery writes nothing new (the push is idempotent)."""
    run, bank = ScoringRun.objects.get(pk=run_id), Bank.objects.get(pk=bank_id)
    try:
        recommendation_list_push(run=run, bank=bank)
    except RunNotCurrent as error:  # a newer run was published meanwhile: its own push carries the list
        logger.info("push of run %s to bank %s skipped: %s", run_id, bank_id, error.message)
    except Exception as error:  # the list could not be written: the bureau must see why, on the run's page
        logger.exception("push of run %s to bank %s failed", run_id, bank_id)
        scoring_run_publication_error(run_id=run_id, source=str(bank), message=error_text(error))
        raise
