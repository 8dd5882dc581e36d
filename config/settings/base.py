"""Settings shared by every environment.

Everything that differs between a laptop and production comes from the environment through django-environ;
a malformed value raises at start-up rather than being silently ignored.
"""

import base64
import binascii
import hashlib
import re
import warnings
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)


# --- Parsing helpers: every number the settings take from the environment goes through one of these, so a malformed
# or out-of-range value stops the process at start-up with ImproperlyConfigured naming the variable, the value and
# the expected form (rather than a bare ValueError, or a wrong value found by the first request that reads it).
def _refuse(name: str, value: str, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name}={value!r} is not valid: expected {expected}.")


def _redacted(url: str) -> str:
    """The URL with any password replaced, for error messages."""
    return re.sub(r"://([^:/@]*):[^@/]*@", r"://\1:***@", url)


def env_int(name: str, *, default: int, minimum: int, maximum: int | None = None) -> int:
    """A whole number from the environment, ``minimum <= n (<= maximum)``; ``default`` when the variable is unset."""
    if name not in env.ENVIRON:
        return default
    raw = env.str(name)  # set but empty is refused too, never taken for "use the default"
    bounds = f"at least {minimum}" if maximum is None else f"from {minimum} to {maximum}"
    expected = f"a whole number {bounds}, e.g. {name}={default}"
    if not re.fullmatch(r"[+-]?[0-9]+", raw.strip()):
        raise _refuse(name, raw, expected)
    value = int(raw)
    if value < minimum or (maximum is not None and value > maximum):
        raise _refuse(name, raw, expected)
    return value


def env_decimal(name: str, *, default: str, above: Decimal, maximum: Decimal) -> Decimal:
    """A plain decimal number (digits, optionally a point and more digits) with ``above < d <= maximum``."""
    raw = env.str(name, default=default)
    expected = f"a decimal number greater than {above} and at most {maximum}, e.g. {name}={default}"
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", raw.strip()):
        raise _refuse(name, raw, expected)
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:  # pragma: no cover - the pattern above only lets through what Decimal parses
        raise _refuse(name, raw, expected) from None
    if not above < value <= maximum:
        raise _refuse(name, raw, expected)
    return value


def env_rate(name: str, *, default: str) -> str:
    """A throttle rate as Django REST framework reads it: requests per second, minute, hour or day."""
    raw = env.str(name, default=default)
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", raw):
        raise _refuse(name, raw, f"requests per period, N/second, N/minute, N/hour or N/day, e.g. {name}={default}")
    return raw


def require_env(name: str, *, meaning: str, example: str) -> str:
    """A variable that has no default in this environment: unset or empty stops the process."""
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} is not set. {meaning}: set {name}, e.g. {name}={example}")
    return value


def database_settings(url: str, *, name: str = "DATABASE_URL") -> dict:
    """``DATABASES["default"]`` for a django-environ database URL; an unknown scheme or a bad port is refused."""
    expected = "a database URL such as postgres://user:password@host:5432/innovation_points or sqlite:///path"
    if not url.strip():
        raise ImproperlyConfigured(
            f"{name} is set but empty: set {name} to a database URL, e.g. "
            f"{name}=postgres://user:password@host:5432/innovation_points (only the local and test settings fall back "
            "to SQLite, and only when it is unset)."
        )
    with warnings.catch_warnings():  # django-environ's warning about an unknown engine prints the password
        warnings.simplefilter("ignore")
        try:
            database = environ.Env.db_url_config(url)
        except ValueError as error:
            message = f"{name}={_redacted(url)!r} is not valid ({error}): expected {expected}."
            raise ImproperlyConfigured(message) from None
    if database.get("ENGINE") not in environ.Env.DB_SCHEMES.values():
        raise _refuse(name, _redacted(url), expected)
    database["ATOMIC_REQUESTS"] = False
    database["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", default=60, minimum=0)
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the dev server read while a scoring run writes; IMMEDIATE takes the write lock when a transaction
        # begins, so two concurrent writers queue on the 30 s busy timeout instead of one failing with "database is
        # locked" when it upgrades a read lock mid-transaction.
        database["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL;",
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
        }
        database["CONN_MAX_AGE"] = 0
    elif database["ENGINE"] == "django.db.backends.postgresql" and not env.bool("DATABASE_JIT", default=False):
        # No JIT: statements over many partitions (a run's lists, 25 banks x runs) were estimated costly enough to be
        # compiled, and compiling took seconds where running took milliseconds (the post-loan warnings: 8 s -> 0.3 s
        # at 520,000 firms). Bulk scans gain nothing from it either. DATABASE_JIT=on restores the server's default.
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    return database


DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")  # each environment module decides whether a default is allowed
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

# --- Database: the embedded SQLite default; DATABASE_URL=postgres://... for real deployments and CI. Production has
# no default (config/settings/production.py).
DATABASES = {"default": database_settings(env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "auditlog",
    "csp",
    # Our apps, lowest first: each imports only those above it in this list (docs/architecture.md).
    "core",
    "enterprises",
    "scoring",
    "policies",
    "banks",
    "loans",
    "guarantees",
    "dashboard",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.NulQueryRefusalMiddleware",  # after the locale: its 400 speaks the caller's language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout flagged during the view into the lockout page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Argon2id first (core/hashers.py says why these parameters); PBKDF2 hashes of earlier accounts verify and upgrade at
# their next sign-in.
PASSWORD_HASHERS = [
    "core.hashers.MeasuredArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Login protection (django-axes; README "Security"). Lockout is per account, never per address: bureau and bank
# officers sit behind shared NAT addresses, so an address lockout would lock a whole office out. After
# AXES_FAILURE_LIMIT failures the account is refused (even with the right password) until AXES_COOLOFF_TIME has
# passed since the last counted failure, or an administrator deletes its access attempt in the admin. Attempts made
# while locked out are not counted, so the person retrying does not extend their own lockout. A success resets.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", default=15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for "ip_address" among the lockout parameters; that is the per-office lockout described above. Keyed
# on the username alone, rotating addresses, user agents or cookies gains an attacker nothing against one account.
# models.W040: SQLite (the demo) builds the scores' covering index without its INCLUDE columns; only PostgreSQL's
# back-test reads them (scoring.models.Score).
SILENCED_SYSTEM_CHECKS = ["axes.W006", "models.W040"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "core.security.lockout_response"
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)  # the proxy sets it; a client-sent X-Forwarded-For is not trusted
AXES_VERBOSE = False

# --- Security headers (README "Security"). The Content-Security-Policy allows scripts and styles from this origin
# only: no inline script, no inline style attribute, no eval. The API documentation pages relax it for themselves
# (config/urls.py). Django sets X-Content-Type-Options, Referrer-Policy, Cross-Origin-Opener-Policy and
# X-Frame-Options; core.middleware.SecurityHeadersMiddleware adds Permissions-Policy.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Audit trail (django-auditlog; core/audit.py lists the tracked models and fields, README "Security"). The actor
# of each entry is the signed-in person of the request (core.middleware.AuditActorMiddleware) or whoever
# core.audit.acting_as() names in a task or command.

# --- Chinese first, English complete.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="创新积分平台 <noreply@innovation-points.local>")

# --- Celery: no broker configured means every task runs eagerly in-process (the embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", default=30 * 60, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", default=35 * 60, minimum=1)
if CELERY_TASK_TIME_LIMIT <= CELERY_TASK_SOFT_TIME_LIMIT:  # the soft limit is what lets a task clean up first
    raise _refuse(
        "CELERY_TASK_TIME_LIMIT",
        str(CELERY_TASK_TIME_LIMIT),
        f"more seconds than CELERY_TASK_SOFT_TIME_LIMIT ({CELERY_TASK_SOFT_TIME_LIMIT})",
    )
# Longer than the longest task, so an unacknowledged run is not redelivered while it is still being worked on.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60, minimum=1),
}
# Seconds without a heartbeat after which a running scoring run is presumed to have lost its worker and may be taken
# over (scoring.services.RUN_STALE_AFTER); the fault tests (tests/test_faults.py) give their workers a few seconds.
SCORING_RUN_STALE_AFTER = env_int("SCORING_RUN_STALE_AFTER", default=10 * 60, minimum=1)
# Without a broker (eager Celery, the embedded default) a scoring run is computed by a background thread of the web
# process (scoring.tasks.score_run_dispatch), so that the request starting it returns at once and the run page shows
# its live progress; with a broker the worker does it.
SCORING_RUN_IN_THREAD = env.bool("SCORING_RUN_IN_THREAD", default=CELERY_TASK_ALWAYS_EAGER)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "scoring.tasks.*": {"queue": "scoring"},
    "banks.tasks.*": {"queue": "push"},
    "loans.tasks.*": {"queue": "push"},
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "reconcile-scoring-runs": {"task": "scoring.tasks.reconcile_runs_task", "schedule": 60.0},
    # A run's notice period ends at midnight; pages and ``manage.py push_due_lists`` do the same without beat.
    "release-runs-after-notice": {"task": "scoring.tasks.release_due_runs_task", "schedule": 300.0},
}

# --- The API (/api/v1/, docs/api.md): tokens for machine clients, the web session for people; one error format.
# Throttle counters live in the default cache: set CACHE_URL=redis://... when several processes serve the API, so
# that a client's budget is shared between them (the per-process memory default multiplies it by the worker count).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "core.api.auth.HasApiScope"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.ApiAutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.auth.ApiClientRateThrottle",
        "core.api.auth.ApiUserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_client": env_rate("API_THROTTLE_CLIENT", default="6000/minute"),
        "api_user": env_rate("API_THROTTLE_USER", default="600/minute"),
    },
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
}
# Unknown or revoked tokens one address may present per minute before it gets 429 (core/security.py).
API_BAD_TOKEN_LIMIT = env_int("API_BAD_TOKEN_LIMIT", default=60, minimum=1)
SPECTACULAR_SETTINGS = {
    "TITLE": "创新积分平台 API / Innovation Points Platform API",
    "DESCRIPTION": "Published scores, rankings, indicator systems, batches and runs for machine clients. "
    "Authenticate with `Authorization: Token <token>`; see docs/api.md for scopes and visibility.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    # Bodies are documented as JSON, what clients send (the form parsers serve the browsable API): one media type,
    # so a generated client has one typed body per operation.
    "PARSER_WHITELIST": ["core.api.parsers.BoundedJSONParser"],
    # Several resources have a "status"; name each choice set after its model so none is named by a hash.
    "ENUM_NAME_OVERRIDES": {
        "RecommendationStatusEnum": "banks.choices.RecommendationStatus",
        "SubmissionStatusEnum": "enterprises.choices.SubmissionStatus",
        "ApplicationStatusEnum": "banks.choices.ApplicationStatus",
        "ObjectionStatusEnum": "scoring.choices.ObjectionStatus",
        # Several fields take a grade, a stage or a "kind": one named set each, whatever the field is called.
        "GradeEnum": "scoring.choices.Grade",
        "StageEnum": "scoring.choices.Stage",
        "RunStateEnum": "scoring.choices.RunState",
        "BankKindEnum": "core.choices.BankKind",
        "InstitutionKindEnum": "core.choices.InstitutionKind",
        "LoanWarningKindEnum": "loans.models.WarningKind",
        "RiskLevelEnum": "guarantees.models.RiskLevel",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.empty_query_values_mean_any",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # axes: failures and lockouts (WARNING) stay, the line per successful login goes.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Loan prime rates (percent, not basis points) that product rate ceilings are quoted against (LPR + basis points);
# published monthly. Above 20 % is refused as a typo (350 for 3.50).
LPR_1Y = env_decimal("LPR_1Y", default="3.00", above=Decimal(0), maximum=Decimal(20))
LPR_5Y = env_decimal("LPR_5Y", default="3.50", above=Decimal(0), maximum=Decimal(20))

# Risk pools of the special guarantee plan (percent of the guaranteed amounts compensated): at the warning line the
# guarantor's pages warn; at the fuse new guarantees with that guarantor or in that provincial pool are refused
# (Hubei's 5 % / 8 %). The fuse must lie above the warning line.
RISK_POOL_WARNING_RATE = env_decimal("RISK_POOL_WARNING_RATE", default="5", above=Decimal(0), maximum=Decimal(100))
RISK_POOL_FUSE_RATE = env_decimal("RISK_POOL_FUSE_RATE", default="8", above=Decimal(0), maximum=Decimal(100))
if RISK_POOL_FUSE_RATE <= RISK_POOL_WARNING_RATE:
    raise ImproperlyConfigured(
        f"RISK_POOL_FUSE_RATE={RISK_POOL_FUSE_RATE} must be above RISK_POOL_WARNING_RATE={RISK_POOL_WARNING_RATE}"
    )

# Signed score certificates (dashboard.certificates): the Ed25519 private key, base64 of its 32 raw bytes. The
# default is a DEVELOPMENT key derived from a public phrase (anyone can forge with it); production refuses it and
# refuses to start without a real key. Rotation: put the new key in CERTIFICATE_SIGNING_KEY and append the *public*
# key of the old one (base64 of 32 raw bytes) to CERTIFICATE_PUBLIC_KEYS (comma-separated) so the certificates it
# signed still verify; certificates name their key by its key id (a short hash of the public key).
DEV_CERTIFICATE_SIGNING_KEY = base64.b64encode(
    hashlib.sha256(b"innovation-points-platform development certificate key - not secret").digest()
).decode()
CERTIFICATE_SIGNING_KEY = env.str("CERTIFICATE_SIGNING_KEY", default="").strip() or DEV_CERTIFICATE_SIGNING_KEY
CERTIFICATE_PUBLIC_KEYS = env.list("CERTIFICATE_PUBLIC_KEYS", default=[])
CERTIFICATE_VALID_DAYS = env_int("CERTIFICATE_VALID_DAYS", default=365, minimum=1, maximum=3660)


def certificate_key_bytes(name: str, value: str) -> bytes:
    """32 raw key bytes from base64, or ImproperlyConfigured naming the variable."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(
            f"{name} is not valid: expected base64 of a 32-byte Ed25519 key, e.g. the output of "
            'python -c "import os, base64; print(base64.b64encode(os.urandom(32)).decode())".'
        )
    return raw


certificate_key_bytes("CERTIFICATE_SIGNING_KEY", CERTIFICATE_SIGNING_KEY)
for _public_key in CERTIFICATE_PUBLIC_KEYS:
    certificate_key_bytes("CERTIFICATE_PUBLIC_KEYS", _public_key)
