"""Celery entry points for post-loan warnings. Thin: ids in, one service call each (queue "push")."""

from celery import shared_task

from enterprises.models import Batch
from scoring.models import ScoringRun

from .services import loan_warnings_for_run, loan_warnings_for_vetoes


@shared_task(acks_late=True)
def loan_warnings_for_run_task(run_id: int) -> int:
    """Idempotent: a duplicate delivery writes nothing new (a loan is warned once per kind and run)."""
    return loan_warnings_for_run(run=ScoringRun.objects.select_related("batch").get(pk=run_id))


@shared_task(acks_late=True)
def loan_warnings_for_vetoes_task(batch_id: int) -> int:
    return loan_warnings_for_vetoes(batch=Batch.objects.get(pk=batch_id))
