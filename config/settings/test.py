"""Test settings: the database and broker come from the environment (CI sets PostgreSQL and Redis)."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz-0123456789"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# Tasks run eagerly inside tests; the Celery integration test starts a real worker against CELERY_BROKER_URL with
# CELERY_TASK_ALWAYS_EAGER=false in its environment, and enqueues through the broker the same way.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)  # noqa: F405
WHITENOISE_AUTOREFRESH = True  # serve from app folders without collectstatic
