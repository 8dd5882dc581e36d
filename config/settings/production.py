"""Production: every secret from the environment, HTTPS everywhere; passes `check --deploy` with no warnings.

Nothing here falls back to the embedded defaults of settings.base: without DATABASE_URL there is no SQLite database,
and without CELERY_BROKER_URL tasks are not run eagerly in the web process; either stops the process at start-up
(ImproperlyConfigured naming the variable). Numbers are validated by the helpers in settings.base.
"""

import re

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEV_CERTIFICATE_SIGNING_KEY, _redacted, database_settings, env, env_int, require_env

DEBUG = False
SECRET_KEY = require_env(
    "DJANGO_SECRET_KEY", meaning="Production has no default secret key", example="<50 or more random characters>"
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS is not set. Production serves only the host names it is given: set DJANGO_ALLOWED_HOSTS "
        "to a comma-separated list, e.g. DJANGO_ALLOWED_HOSTS=points.example.gov.cn"
    )
# --- Score certificates are signed with the platform's own key, never the public development one.
CERTIFICATE_SIGNING_KEY = require_env(
    "CERTIFICATE_SIGNING_KEY",
    meaning="Production signs score certificates with its own Ed25519 key (base64 of 32 random bytes)",
    example="<base64 of 32 random bytes>",
)
if CERTIFICATE_SIGNING_KEY == DEV_CERTIFICATE_SIGNING_KEY:
    raise ImproperlyConfigured(
        "CERTIFICATE_SIGNING_KEY is the public development key: anyone could forge certificates with it. "
        'Generate a real one: python -c "import os, base64; print(base64.b64encode(os.urandom(32)).decode())"'
    )
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# --- No SQLite default in production.
DATABASES = {
    "default": database_settings(
        require_env(
            "DATABASE_URL",
            meaning="Production has no SQLite default and needs its PostgreSQL database",
            example="postgres://user:password@host:5432/innovation_points",
        )
    )
}

# --- Tasks go through the broker to the Celery workers, never eagerly inside the web process.
CELERY_BROKER_URL = require_env(
    "CELERY_BROKER_URL",
    meaning="Production never runs tasks eagerly in the web process and needs the broker the Celery workers consume",
    example="redis://host:6379/0",
)
if not re.fullmatch(r"[a-z][a-z0-9+.-]*://\S*", CELERY_BROKER_URL):
    raise ImproperlyConfigured(
        f"CELERY_BROKER_URL={_redacted(CELERY_BROKER_URL)!r} is not valid: "
        "expected a broker URL such as redis://host:6379/0."
    )
# settings.base never reads CELERY_TASK_ALWAYS_EAGER from the environment (the test settings do); a value asking for
# eager tasks here is refused rather than silently ignored, and production is never eager whatever the environment.
_eager = env.str("CELERY_TASK_ALWAYS_EAGER", default="").strip()
if _eager and _eager.lower() not in {"false", "f", "no", "n", "off", "0"}:
    raise ImproperlyConfigured(
        f"CELERY_TASK_ALWAYS_EAGER={_eager!r} is not allowed in production: tasks always go through "
        "CELERY_BROKER_URL to the workers; unset CELERY_TASK_ALWAYS_EAGER or set it to false."
    )
CELERY_TASK_ALWAYS_EAGER = False
SCORING_RUN_IN_THREAD = False  # the workers score; no web process does

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", default=31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", default=25, minimum=1, maximum=65535)
