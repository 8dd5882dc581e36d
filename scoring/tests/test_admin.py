"""The admin validates indicator systems like the bureau page does, and refuses to touch frozen ones."""

import pytest
from django.urls import reverse

from scoring.models import IndicatorSystem
from tests.factories import UserFactory

from .test_system_views import _formset_data


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _admin_data(system, overrides=None):
    data = _formset_data(system, overrides)
    data["code"], data["version"], data["region_scope"] = system.code, system.version, system.region_scope
    data["grade_bands"] = '{"A": 85, "B": 80, "C": 70, "D": 60}'
    return data


def test_the_admin_refuses_weights_that_do_not_sum_to_100(admin_client):
    system = IndicatorSystem.objects.create(code="local", version=1, name="本地", grade_bands={"A": 85})
    source = IndicatorSystem.objects.get(code="national", version=1)
    for indicator in source.indicators.all():
        indicator.pk, indicator.system = None, system
        indicator.save()
    url = reverse("admin:scoring_indicatorsystem_change", args=[system.pk])
    response = admin_client.post(url, _admin_data(system, {0: {"weight_startup": 30}}))
    assert response.status_code == 200
    assert "100" in str(response.context["inline_admin_formsets"][0].formset.non_form_errors())
    assert system.indicators.get(code="T1").weight_startup == 10


def test_a_frozen_system_cannot_be_changed_in_the_admin(admin_client):
    system = IndicatorSystem.objects.get(code="national", version=1)
    url = reverse("admin:scoring_indicatorsystem_change", args=[system.pk])
    admin_client.post(url, _admin_data(system, {0: {"weight_startup": 30}}))
    assert system.indicators.get(code="T1").weight_startup == 10
