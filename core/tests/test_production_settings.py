"""Production settings fail loudly: no SQLite default, no eager Celery, every number validated at start-up.

Each case imports ``config.settings.production`` in a fresh interpreter with an environment built from nothing (the
pytest process runs the test settings, and CI exports DATABASE_URL and CELERY_BROKER_URL), and reads the message of
the ImproperlyConfigured it stops with from the last line of the traceback, not from the quoted source lines.
"""

import base64
import json
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent
ERROR_PREFIX = "django.core.exceptions.ImproperlyConfigured: "
PRINT_SETTINGS = (
    "import json, config.settings.{module} as s; "
    "print(json.dumps({{'engine': s.DATABASES['default']['ENGINE'], 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
    "'broker': s.CELERY_BROKER_URL, 'lpr_1y': str(s.LPR_1Y), 'lpr_5y': str(s.LPR_5Y)}}))"
)


def valid_environment() -> dict[str, str]:
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),  # 80 characters
        "DJANGO_ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "CERTIFICATE_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


def run_settings(environment: dict[str, str], code: str = "import config.settings.production"):
    env = {"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8", "PYTHONDONTWRITEBYTECODE": "1", **environment}
    return subprocess.run(  # noqa: S603 - this interpreter, a fixed command
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def refusal(environment: dict[str, str]) -> str:
    """The ImproperlyConfigured message the import stops with (fails the test if it does not stop)."""
    result = run_settings(environment)
    assert result.returncode != 0, f"imported although it should have refused:\n{result.stdout}"
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith(ERROR_PREFIX), result.stderr
    return last_line.removeprefix(ERROR_PREFIX)


def without(name: str, how: str) -> dict[str, str]:
    environment = valid_environment()
    if how == "empty":
        environment[name] = ""  # also what a blank line in an env file gives; and it keeps a local .env out of the way
    else:
        del environment[name]
        skip_if_dot_env_sets(name)
    return environment


def skip_if_dot_env_sets(*names: str) -> None:
    """settings.base reads BASE_DIR/.env for variables the environment lacks; a developer's one would hide them."""
    dot_env = BASE_DIR / ".env"
    lines = [line.strip() for line in dot_env.read_text().splitlines()] if dot_env.exists() else []
    for name in names:
        if any(line.removeprefix("export ").startswith(f"{name}=") for line in lines):
            pytest.skip(f"{dot_env} sets {name}")


@pytest.mark.parametrize("how", ["absent", "empty"])
def test_missing_database_url_stops_start_up(how):
    message = refusal(without("DATABASE_URL", how))
    assert message.startswith("DATABASE_URL is not set" if how == "absent" else "DATABASE_URL is set but empty")
    assert "DATABASE_URL=postgres://" in message  # what to set it to
    if how == "absent":
        assert "no SQLite default" in message


@pytest.mark.parametrize("how", ["absent", "empty"])
def test_missing_celery_broker_url_stops_start_up(how):
    message = refusal(without("CELERY_BROKER_URL", how))
    assert message.startswith("CELERY_BROKER_URL is not set")
    assert "eagerly" in message
    assert "CELERY_BROKER_URL=redis://" in message


@pytest.mark.parametrize(
    ("name", "value"),
    [("LPR_1Y", "abc"), ("LPR_1Y", "-0.5"), ("LPR_5Y", "-1"), ("LPR_5Y", "0"), ("LPR_1Y", "350"), ("LPR_5Y", "3,50")],
)
def test_malformed_lpr_is_refused(name, value):
    message = refusal({**valid_environment(), name: value})
    assert message.startswith(f"{name}={value!r} is not valid")
    assert "decimal number greater than 0 and at most 20" in message  # the expected form


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("DATABASE_CONN_MAX_AGE", "sixty", "whole number at least 0"),
        ("DATABASE_CONN_MAX_AGE", "-1", "whole number at least 0"),
        ("AXES_FAILURE_LIMIT", "0", "whole number at least 1"),
        ("AXES_COOLOFF_MINUTES", "1.5", "whole number at least 1"),
        ("CELERY_TASK_SOFT_TIME_LIMIT", "", "whole number at least 1"),
        ("CELERY_VISIBILITY_TIMEOUT", "2h", "whole number at least 1"),
        ("SCORING_RUN_STALE_AFTER", "-600", "whole number at least 1"),
        ("API_BAD_TOKEN_LIMIT", "many", "whole number at least 1"),
        ("DJANGO_SECURE_HSTS_SECONDS", "one year", "whole number at least 0"),
        ("DJANGO_EMAIL_PORT", "70000", "whole number from 1 to 65535"),
        ("API_THROTTLE_CLIENT", "6000", "N/minute"),
        ("API_THROTTLE_USER", "600/fortnight", "N/minute"),
        ("CELERY_TASK_TIME_LIMIT", "60", "more seconds than CELERY_TASK_SOFT_TIME_LIMIT"),
    ],
)
def test_malformed_number_is_refused(name, value, expected):
    message = refusal({**valid_environment(), name: value})
    assert message.startswith(f"{name}={value!r} is not valid")
    assert expected in message


def test_malformed_database_url_is_refused_without_showing_the_password():
    message = refusal({**valid_environment(), "DATABASE_URL": "postgres://app:hunter2@db:fivefourthreetwo/x"})
    assert message.startswith("DATABASE_URL='postgres://app:***@db:fivefourthreetwo/x' is not valid")
    assert "hunter2" not in message


def test_malformed_celery_broker_url_is_refused():
    message = refusal({**valid_environment(), "CELERY_BROKER_URL": "127.0.0.1:6379"})
    assert message.startswith("CELERY_BROKER_URL='127.0.0.1:6379' is not valid")
    assert "redis://" in message


@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_eager_celery_is_refused(value):
    message = refusal({**valid_environment(), "CELERY_TASK_ALWAYS_EAGER": value})
    assert message.startswith(f"CELERY_TASK_ALWAYS_EAGER={value!r} is not allowed in production")


@pytest.mark.parametrize("extra", [{}, {"CELERY_TASK_ALWAYS_EAGER": "false"}, {"LPR_1Y": "3.10", "LPR_5Y": "3.6"}])
def test_complete_environment_imports(extra):
    environment = {**valid_environment(), **extra}
    result = run_settings(environment, PRINT_SETTINGS.format(module="production"))
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["eager"] is False
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["broker"] == "redis://127.0.0.1:6379/0"
    assert loaded["lpr_1y"] == extra.get("LPR_1Y", "3.00")
    assert loaded["lpr_5y"] == extra.get("LPR_5Y", "3.50")


def test_local_settings_keep_the_embedded_defaults():
    """Unchanged for the laptop and `make demo`: SQLite and eager tasks when nothing is configured."""
    skip_if_dot_env_sets("DATABASE_URL", "CELERY_BROKER_URL")
    result = run_settings({}, PRINT_SETTINGS.format(module="local"))
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded == {
        "engine": "django.db.backends.sqlite3",
        "eager": True,
        "broker": "",
        "lpr_1y": "3.00",
        "lpr_5y": "3.50",
    }


@pytest.mark.parametrize("how", ["absent", "empty"])
def test_missing_certificate_signing_key_stops_start_up(how):
    message = refusal(without("CERTIFICATE_SIGNING_KEY", how))
    assert message.startswith("CERTIFICATE_SIGNING_KEY is not set")
    assert "Ed25519" in message


def test_the_development_certificate_key_is_refused_in_production():
    from config.settings.base import DEV_CERTIFICATE_SIGNING_KEY

    message = refusal({**valid_environment(), "CERTIFICATE_SIGNING_KEY": DEV_CERTIFICATE_SIGNING_KEY})
    assert message.startswith("CERTIFICATE_SIGNING_KEY is the public development key")


@pytest.mark.parametrize(
    ("name", "value"),
    [("CERTIFICATE_SIGNING_KEY", "not base64!"), ("CERTIFICATE_SIGNING_KEY", "c2hvcnQ="),
     ("CERTIFICATE_PUBLIC_KEYS", "c2hvcnQ=")],
)  # fmt: skip
def test_a_malformed_certificate_key_is_refused(name, value):
    message = refusal({**valid_environment(), name: value})
    assert message.startswith(f"{name} is not valid: expected base64 of a 32-byte Ed25519 key")
