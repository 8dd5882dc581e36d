"""Fixtures for scoring's service, persistence and command tests: a batch with demo firms filed into it."""

import pytest

from demo.services import demo_firms_create

FIRMS = 300


@pytest.fixture
def populated_batch(batch):
    """``batch`` with 300 demo firms, each with an approved filing; about 85 % have a blanket consent."""
    demo_firms_create(firms=FIRMS, seed=11, batch=batch)
    return batch
