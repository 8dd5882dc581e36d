"""Token authentication, scopes, throttling and the error format of the API."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from core.models import ApiClient
from tests.api_support import fresh_throttle_counters, token_client  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
URL = "/api/v1/batches/"


def test_a_token_authenticates_with_either_keyword():
    client = token_client()
    for keyword in ("Token", "Bearer", "bearer"):
        response = APIClient().get(URL, HTTP_AUTHORIZATION=f"{keyword} {client.token}")
        assert response.status_code == 200, keyword


@pytest.mark.parametrize(
    "header", ["Token not-a-real-token", "Token", "Token two parts", "Bearer \u00ff\u00fe"], ids=str
)
def test_an_unknown_or_malformed_token_is_401_in_the_error_format(header):
    token_client()  # a real client exists: the failure is not "no clients at all"
    response = APIClient().get(URL, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response.json()["fields"] == {}


def test_a_revoked_token_is_rejected_at_once():
    client = token_client()
    assert client.get(URL).status_code == 200
    ApiClient.objects.filter(pk=client.api_client.pk).update(revoked_at=timezone.now())
    assert client.get(URL).status_code == 401


def test_last_used_is_recorded_at_most_once_a_minute():
    client = token_client()
    client.get(URL)
    first = ApiClient.objects.get(pk=client.api_client.pk).last_used_at
    assert first is not None
    client.get(URL)
    assert ApiClient.objects.get(pk=client.api_client.pk).last_used_at == first
    stale = timezone.now() - timedelta(minutes=2)
    ApiClient.objects.filter(pk=client.api_client.pk).update(last_used_at=stale)
    client.get(URL)
    assert ApiClient.objects.get(pk=client.api_client.pk).last_used_at > stale + timedelta(minutes=1)


def _rates(**rates):
    return override_settings(
        REST_FRAMEWORK={**api_settings.user_settings, "DEFAULT_THROTTLE_RATES": {"api_client": "1000/minute",
                                                                                  "api_user": "1000/minute", **rates}}
    )  # fmt: skip


def test_a_client_over_its_rate_gets_429_with_retry_after_and_others_are_unaffected():
    busy, other = token_client(), token_client()
    with _rates(api_client="3/minute"):
        assert [busy.get(URL).status_code for _ in range(3)] == [200, 200, 200]
        response = busy.get(URL)
        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 60
        assert response.json()["code"] == "throttled" and response.json()["message"]
        assert other.get(URL).status_code == 200


def test_the_throttle_counts_per_client_not_per_token():
    first = token_client()
    record = first.api_client
    second_token = record.issue_token()  # the client re-issued its token: same client, same budget
    record.save()
    second = APIClient()
    second.credentials(HTTP_AUTHORIZATION=f"Token {second_token}")
    with _rates(api_client="2/minute"):
        assert second.get(URL).status_code == 200
        assert second.get(URL).status_code == 200
        assert second.get(URL).status_code == 429


def test_the_error_message_follows_the_request_language():
    client = token_client()
    missing = reverse("api:batch-detail", args=[987_654])
    english = client.get(missing, HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.get(missing, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert english["code"] == chinese["code"] == "not_found"
    assert english["message"] == "Not found."
    assert chinese["message"] != english["message"]
