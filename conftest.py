"""Project-wide pytest fixtures. Tests hit a real database (SQLite by default, PostgreSQL when DATABASE_URL says so)."""

import os

import pytest
from django.db import connection

IN_CI = os.environ.get("CI") == "true"

# The bank journey's fixtures (a published run of demo firms, two banks and their officers, callers of every role),
# for every test that asks for them by name: no module imports fixtures with ``import *``.
pytest_plugins = ("banks.tests.fixtures", "banks.tests.api_fixtures")


@pytest.fixture(scope="session", autouse=True)
def region_names_loaded(request, django_db_blocker):
    """Region names are read once per process (``core.labels``), as a web worker does on its first page: load them
    up front, so a test counting a page's queries counts the page's own. A session without database tests (one
    pure module run alone) has no test database to read them from, and needs none."""
    from core.labels import region_label, regions_reload

    uses_database = any("django_db_setup" in item.fixturenames for item in request.session.items)
    if not uses_database:
        return
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        regions_reload()
        region_label("44")


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language: a test that activates English (a request with
    Accept-Language: en, ``translation.activate``) must not leave lazy messages of the next test in English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def require_postgres(db):
    """Skip on the embedded SQLite default, but never in CI, where a missing PostgreSQL is a failure."""
    if connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI=true but the tests are not running on PostgreSQL (set DATABASE_URL)")
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")


@pytest.fixture
def batch(db):
    """A 2024 batch scored with the seeded national-v1 system."""
    from datetime import date

    from scoring.models import IndicatorSystem
    from scoring.services import batch_create

    system = IndicatorSystem.objects.get(code="national", version=1)
    return batch_create(
        name="2024年度", year=2024, reference_date=date(2024, 12, 31), system=system,
        opens_on=date(2025, 1, 1), closes_on=date(2025, 3, 31), status="open",
    )  # fmt: skip


@pytest.fixture(autouse=True)
def cache_cleared():
    """Each test starts with an empty cache (the list counts, sign-in lockouts): nothing one test cached, under keys a
    rolled-back database may hand out again, is read by the next."""
    from django.core.cache import cache

    cache.clear()
