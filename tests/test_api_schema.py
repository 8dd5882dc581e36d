"""Fuzz every API operation with schemathesis against the live schema, in-process: no 5xx, every response as
documented (status, content type, body, headers). Runs against a published batch, as a national API client.

The schema is fetched from the app itself (``/api/schema/`` through WSGI, no database needed) when the module is
collected; the lazy ``from_fixture`` loader is not used because it relies on pytest internals gone in pytest 9.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from tests.api_support import data_dependent_exclusions, fresh_throttle_counters, token_client  # noqa: F401 (fixtures)
from tests.api_support import published_batch as published_batch  # noqa: F401 (a fixture)

schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler(), headers={"Host": "127.0.0.1"})


@pytest.fixture
def api_token(published_batch):
    return token_client().token


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """A bare WSGIHandler closes the database connection after each request (``close_old_connections``), which
    would end the test's transaction; Django's test client detaches the same handlers."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms_to_the_schema(case, api_token):
    case.call_and_validate(
        headers={"Authorization": f"Token {api_token}", "Host": "127.0.0.1"},
        excluded_checks=data_dependent_exclusions(case),
    )


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_are_served_offline_from_our_static_files(client, url):
    page = client.get(url).content.decode()
    assert "drf_spectacular_sidecar" in page
    assert "cdn." not in page and "unpkg.com" not in page and "jsdelivr" not in page
