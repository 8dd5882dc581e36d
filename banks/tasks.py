"""Celery entry points for the recommendation push. Thin: ids in, one service call each (queue "push")."""

import logging

from celery import shared_task

from core.exceptions import ApplicationError
from scoring.models import ScoringRun

from .models import Bank
from .services import recommendation_list_push, recommendation_push_prepare

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def push_recommendations_task(run_id: int) -> None:
    """Fan out: one task per bank that has products, so banks are pushed in parallel by the push workers."""
    for bank_id in recommendation_push_prepare(run=ScoringRun.objects.get(pk=run_id)):
        push_bank_recommendations_task.delay(run_id, bank_id)


@shared_task(acks_late=True)
def push_bank_recommendations_task(run_id: int, bank_id: int) -> None:
    """Write one bank's list for run ``run_id``; a duplicate delivery writes nothing new (the push is idempotent)."""
    try:
        recommendation_list_push(run=ScoringRun.objects.get(pk=run_id), bank=Bank.objects.get(pk=bank_id))
    except ApplicationError as error:  # a newer run was published meanwhile: its own push carries the list
        logger.info("push of run %s to bank %s skipped: %s", run_id, bank_id, error.message)
