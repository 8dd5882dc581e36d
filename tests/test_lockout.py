"""Login protection through the real login form (django-axes): five failures lock the account, not the office."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pass-word-123"
LOGIN = "/accounts/login/"
WRONG = "用户名或密码错误"


def attempt(client, username, password, *, path=LOGIN):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR="10.1.2.3")


def signed_in_as(client):
    """The user id in the client's session, or None: the session is what a successful login leaves behind."""
    return client.session.get("_auth_user_id")


def lock(client, username):
    responses = [attempt(client, username, "wrong-password") for _ in range(settings.AXES_FAILURE_LIMIT)]
    return responses


def test_the_policy_is_five_failures_and_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username"]


def test_four_failures_say_wrong_password_and_the_fifth_locks_the_account(client):
    UserFactory(username="officer")
    responses = lock(client, "officer")
    for response in responses[:-1]:
        assert response.status_code == 200
        assert WRONG in response.content.decode()
    last = responses[-1]
    assert last.status_code == 429
    body = last.content.decode()
    assert "账户已被临时锁定,请 15 分钟后再试或联系管理员。" in body
    assert 'id="lockout-message"' in body and WRONG not in body
    assert AccessAttempt.objects.get(username="officer").failures_since_start == 5


def test_a_locked_account_is_refused_with_the_right_password(client):
    UserFactory(username="officer")
    lock(client, "officer")
    response = attempt(client, "officer", PASSWORD)
    assert response.status_code == 429
    assert "账户已被临时锁定" in response.content.decode()
    assert signed_in_as(client) is None


def test_another_account_behind_the_same_address_is_unaffected(client):
    UserFactory(username="officer")
    colleague = UserFactory(username="colleague")
    lock(client, "officer")
    response = attempt(client, "colleague", PASSWORD)  # same REMOTE_ADDR: an office behind one NAT address
    assert response.status_code == 302
    assert signed_in_as(client) == str(colleague.pk)


def test_after_the_cooloff_the_right_password_works_and_the_count_starts_over(client):
    user = UserFactory(username="officer")
    lock(client, "officer")
    # Time passes: move the recorded failures back past the cool-off instead of mocking the clock.
    AccessAttempt.objects.filter(username="officer").update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    response = attempt(client, "officer", PASSWORD)
    assert response.status_code == 302
    assert signed_in_as(client) == str(user.pk)
    assert not AccessAttempt.objects.filter(username="officer").exists()


def test_the_message_counts_down_from_the_last_failure(client):
    UserFactory(username="officer")
    lock(client, "officer")
    AccessAttempt.objects.filter(username="officer").update(attempt_time=timezone.now() - timedelta(minutes=11))
    response = attempt(client, "officer", PASSWORD)
    assert response.status_code == 429
    assert "请 4 分钟后再试" in response.content.decode()


def test_a_success_resets_the_failure_count(client):
    UserFactory(username="officer")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "officer", "wrong-password")
    assert attempt(client, "officer", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "officer", "wrong-password").status_code == 200
    assert attempt(client, "officer", PASSWORD).status_code == 302


def test_retrying_while_locked_does_not_extend_the_lockout(client):
    UserFactory(username="officer")
    lock(client, "officer")
    attempt(client, "officer", "wrong-password")
    attempt(client, "officer", PASSWORD)
    assert AccessAttempt.objects.get(username="officer").failures_since_start == 5


def test_the_admin_login_is_protected_too(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "root", "wrong-password", path="/admin/login/")
    response = attempt(client, "root", PASSWORD, path="/admin/login/")
    assert response.status_code == 429
    assert "账户已被临时锁定" in response.content.decode()


def test_an_administrator_unlocks_the_account_in_the_admin(client):
    UserFactory(username="officer")
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    lock(client, "officer")
    locked = AccessAttempt.objects.get(username="officer")

    staff = client.__class__()
    staff.force_login(admin_user)
    assert staff.get("/admin/axes/accessattempt/").status_code == 200
    response = staff.post(f"/admin/axes/accessattempt/{locked.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert attempt(client, "officer", PASSWORD).status_code == 302


# --- The API: no password login to lock; a storm of bad tokens from one address is refused, valid tokens are not. --


@pytest.fixture
def bad_token_limit(settings):
    from django.core.cache import cache

    settings.API_BAD_TOKEN_LIMIT = 3
    cache.clear()
    yield 3
    cache.clear()


def test_an_address_presenting_bad_tokens_is_throttled_and_others_are_not(bad_token_limit):
    from rest_framework.test import APIClient

    from tests.api_support import token_client

    attacker = APIClient(REMOTE_ADDR="10.6.6.6")
    attacker.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert [attacker.get("/api/v1/batches/").status_code for _ in range(bad_token_limit)] == [401] * bad_token_limit
    refused = attacker.get("/api/v1/batches/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) <= 60
    assert refused.json()["code"] == "throttled"

    good = token_client()  # another address (the test client's 127.0.0.1) with a valid token
    assert good.get("/api/v1/batches/").status_code == 200
    good.credentials(HTTP_AUTHORIZATION=f"Token {good.token}", REMOTE_ADDR="10.6.6.6")
    assert good.get("/api/v1/batches/").status_code == 200  # a valid token from the storm's address still works
    assert attacker.get("/api/v1/batches/").status_code == 429  # while the bad ones keep waiting
