"""What the loans app does when a lower app announces something (connected in ``LoansConfig.ready``)."""

from django.db import transaction

from .tasks import loan_warnings_for_run_task, loan_warnings_for_vetoes_task


def loan_warnings_on_publication(sender, *, run, **kwargs) -> None:
    """A published run was released to banks (``scoring.signals.run_released``, after the commit): warn the banks
    whose borrowers it scores lower than their loans were signed on."""
    transaction.on_commit(lambda: loan_warnings_for_run_task.delay(run.pk))


def loan_warnings_on_import(sender, *, batch, **kwargs) -> None:
    """Filings were imported (``enterprises.signals.filings_imported``): warn on the veto flags they set."""
    transaction.on_commit(lambda: loan_warnings_for_vetoes_task.delay(batch.pk))
