"""Every registered admin list page opens, and the append-only records cannot be edited there."""

import pytest
from django.contrib import admin
from django.urls import reverse

from enterprises.models import ProfileAccessLog, SubmissionChange
from tests.factories import UserFactory


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_every_admin_changelist_opens(superuser_client):
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert superuser_client.get(url).status_code == 200, url


@pytest.mark.parametrize("model", [SubmissionChange, ProfileAccessLog])
def test_audit_records_are_read_only_in_the_admin(superuser_client, model):
    model_admin = admin.site._registry[model]
    request = superuser_client.get("/").wsgi_request
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
