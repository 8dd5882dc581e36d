"""What the scoring app tells the apps above it. It calls none of them: they subscribe (docs/architecture.md)."""

from django.dispatch import Signal

run_published = Signal()
"""Sent with ``run`` (a ``ScoringRun``) once a publication is committed; the bank push listens (``banks.apps``)."""
