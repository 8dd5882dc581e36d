"""What the banks app does when a lower app announces something (connected in ``BanksConfig.ready``)."""

from django.db import transaction

from .tasks import push_recommendations_task


def recommendations_push_on_publication(sender, *, run, **kwargs) -> None:
    """A published run was released to banks (``scoring.signals.run_released``, sent after the commit: at
    publication, or when its notice period ended): push its lists to the banks on the "push" queue."""
    transaction.on_commit(lambda: push_recommendations_task.delay(run.pk))
