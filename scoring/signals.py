"""What the scoring app tells the apps above it. It calls none of them: they subscribe (docs/architecture.md)."""

from django.dispatch import Signal

run_published = Signal()
"""Sent with ``run`` (a ``ScoringRun``) once a publication is committed: firms see the result (in its notice period,
if it has one)."""

run_released = Signal()
"""Sent with ``run`` once its results may go to banks (``scoring.notice``): at publication without a notice period
(or when the batch pushes at once), else when the period ends. The bank push and the loan warnings listen."""
