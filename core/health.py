"""Reachability of the database and the broker, for load balancers and `docker compose` health checks."""

from django.conf import settings
from django.db import connection


def database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, connection.vendor
    except Exception as exc:  # noqa: BLE001 - any failure means "unreachable"
        return False, type(exc).__name__


def broker_ok() -> tuple[bool, str]:
    if not settings.CELERY_BROKER_URL:
        return True, "eager"  # no broker configured: tasks run in-process
    from celery import current_app as app  # the project's app (config.celery_app), without importing the project

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, conn.transport_cls if isinstance(conn.transport_cls, str) else "connected"
    except Exception as exc:  # noqa: BLE001
        return False, type(exc).__name__
