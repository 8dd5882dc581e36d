"""What the enterprises app tells the apps above it. It calls none of them: they subscribe (docs/architecture.md)."""

from django.dispatch import Signal

filings_imported = Signal()
"""Sent with ``batch`` once an import of filings (or verified values) into it is committed; the post-loan warnings
listen for veto flags (``loans.apps``)."""
