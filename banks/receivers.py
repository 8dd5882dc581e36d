"""What the banks app does when a lower app announces something (connected in ``BanksConfig.ready``)."""

from django.db import transaction

from .tasks import push_recommendations_task


def recommendations_push_on_publication(sender, *, run, **kwargs) -> None:
    """A run was published (``scoring.signals.run_published``, sent after the commit): push its lists to the banks
    on the "push" queue."""
    transaction.on_commit(lambda: push_recommendations_task.delay(run.pk))
