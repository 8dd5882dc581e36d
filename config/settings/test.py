"""Test settings: the database and broker come from the environment (CI sets PostgreSQL and Redis)."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz-0123456789"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# Tasks run eagerly inside tests; the Celery integration tests start a real worker against CELERY_BROKER_URL.
CELERY_TASK_ALWAYS_EAGER = True
WHITENOISE_AUTOREFRESH = True  # serve from app folders without collectstatic
