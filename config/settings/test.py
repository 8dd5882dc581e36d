"""Test settings: the database and broker come from the environment (CI sets PostgreSQL and Redis)."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz-0123456789"  # noqa: S105 # nosec B105 # tests
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# Tasks run eagerly inside tests; the Celery integration test starts a real worker against CELERY_BROKER_URL with
# CELERY_TASK_ALWAYS_EAGER=false in its environment, and enqueues through the broker the same way.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)  # noqa: F405
# ... and a started run is computed inside the test's own transaction (the background thread of the embedded default
# has its own tests, with a database that commits).
SCORING_RUN_IN_THREAD = env.bool("SCORING_RUN_IN_THREAD", default=False)  # noqa: F405
WHITENOISE_AUTOREFRESH = True  # serve from app folders without collectstatic
# The test client's login() authenticates without a request; production's lockout backend refuses that (see
# core.security.AxesBackendForTestClient). Logins through the login form go through the same checks as in production.
AUTHENTICATION_BACKENDS = ["core.security.AxesBackendForTestClient", "django.contrib.auth.backends.ModelBackend"]
# Many tests present revoked or unknown tokens on purpose from the same 127.0.0.1 within a minute; the bad-token
# throttle has its own test (tests/test_lockout.py), with its own limit.
API_BAD_TOKEN_LIMIT = 10_000
