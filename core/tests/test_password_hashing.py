"""Sign-in uses Argon2id with the measured parameters, and an account hashed by the old PBKDF2 hasher signs in and
is upgraded on the way (issue 18 item 4). The test settings use MD5 for speed; these tests put production's list
back."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher
from django.test import override_settings
from django.urls import reverse

from config.settings import base

PRODUCTION_HASHERS = base.PASSWORD_HASHERS


def test_production_hashes_with_argon2id_first():
    assert PRODUCTION_HASHERS[0] == "core.hashers.MeasuredArgon2PasswordHasher"
    assert settings.PASSWORD_HASHERS != PRODUCTION_HASHERS  # the tests themselves run fast on MD5


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_a_new_password_is_argon2id_with_the_measured_parameters():
    user = get_user_model().objects.create_user("argon-new", password="Long-enough-1")
    hasher = identify_hasher(user.password)
    assert hasher.algorithm == "argon2"
    decoded = hasher.decode(user.password)
    assert decoded["variety"] == "argon2id"
    assert (decoded["time_cost"], decoded["memory_cost"], decoded["parallelism"]) == (1, 47_104, 1)


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_an_old_pbkdf2_hash_signs_in_and_is_upgraded(client):
    user = get_user_model().objects.create_user("pbkdf2-old")
    user.password = PBKDF2PasswordHasher().encode("Long-enough-1", PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])
    assert user.password.startswith("pbkdf2_sha256$")

    response = client.post(reverse("login"), {"username": "pbkdf2-old", "password": "Long-enough-1"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("Long-enough-1")
