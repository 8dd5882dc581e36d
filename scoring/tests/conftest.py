"""Fixtures for scoring's service, persistence and command tests: a batch with demo firms filed into it."""

import pytest

from demo.services import demo_firms_create

FIRMS = 300


@pytest.fixture
def populated_batch(batch):
    """``batch`` with 300 demo firms, each with an approved filing; about 85 % have a blanket consent."""
    demo_firms_create(firms=FIRMS, seed=11, batch=batch)
    return batch


@pytest.fixture
def fresh_sandbox_cache():
    """The weight sandbox's per-process cache emptied before and after the test (``scoring.sandbox``)."""
    from scoring.sandbox import sandbox_cache_clear

    sandbox_cache_clear()
    yield
    sandbox_cache_clear()


@pytest.fixture
def published_run(populated_batch):
    """``populated_batch`` scored with national-v1 and published."""
    from scoring.models import ScoringRun
    from scoring.services import scoring_run_create, scoring_run_execute, scoring_run_publish

    run = scoring_run_create(batch=populated_batch, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    return scoring_run_publish(run=ScoringRun.objects.get(pk=run.pk))
