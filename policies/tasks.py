"""Celery entry points: ids in, one service call each."""

import logging

from celery import shared_task

from core.exceptions import error_text
from scoring.models import ScoringRun
from scoring.services import scoring_run_publication_error

from .models import Policy
from .services import policies_match, policy_match_now

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def policies_match_task(run_id: int) -> None:
    """Match every active policy over a published run; a failure is shown on the run's page."""
    run = ScoringRun.objects.select_related("batch").get(pk=run_id)
    try:
        policies_match(run=run)
    except Exception as error:
        logger.exception("policy matching of run %s failed", run_id)
        scoring_run_publication_error(run_id=run_id, source="政策匹配", message=error_text(error))
        raise


@shared_task(acks_late=True)
def policy_match_task(policy_id: int) -> None:
    policy = Policy.objects.filter(pk=policy_id).first()
    if policy is not None:
        policy_match_now(policy=policy)
