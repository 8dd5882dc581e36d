"""A refused or missing page answers in the site's frame, in the user's language, with a way back."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_a_friendly_404_in_the_sites_frame(client):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404 and 'id="not-found"' in html and 'class="topbar"' in html
    english = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Page not found" in english


def test_a_refused_form_post_is_a_friendly_403(client, settings):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403 and 'id="forbidden"' in response.content.decode()
