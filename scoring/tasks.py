"""Celery entry points for scoring. Thin: they take ids and call one service; the run row holds the state."""

from celery import shared_task

from .services import scoring_run_execute, scoring_runs_reconcile


@shared_task(acks_late=True)  # routed to the "scoring" queue by CELERY_TASK_ROUTES
def score_run_task(run_id: int) -> None:
    """Compute scoring run ``run_id``; a duplicate delivery finds the run claimed and does nothing."""
    scoring_run_execute(run_id=run_id)


@shared_task
def reconcile_runs_task() -> list[int]:
    """Every minute (Celery beat): resend runs that lost their message or their worker."""
    return scoring_runs_reconcile()
