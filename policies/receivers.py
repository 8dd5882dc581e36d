"""What the policies app does when a lower app announces something (connected in ``PoliciesConfig.ready``)."""

from django.db import transaction

from .tasks import policies_match_task


def policies_match_on_publication(sender, *, run, **kwargs) -> None:
    """A run was published (``scoring.signals.run_published``, sent after the commit): match every policy over it."""
    transaction.on_commit(lambda: policies_match_task.delay(run.pk))
