"""A NUL character anywhere in a query string is a 400 on pages and the API (PostgreSQL raises on it: "A string literal
cannot contain NUL (0x00) characters", a 500 wherever a view filters on a raw parameter such as the review queue's
search). On SQLite these views answered 200, so the tests assert the 400 itself."""

import pytest
from django.urls import reverse

from core.tests.factories import BankOfficerFactory, BureauStaffFactory

pytestmark = pytest.mark.django_db


def test_the_review_queue_refuses_nul_in_its_search_and_section(client):
    client.force_login(BureauStaffFactory(region_scope="44").user)
    for params in ({"q": "\x00"}, {"q": "a\x00b"}, {"section": "\x00"}, {"status\x00": "submitted"}):
        response = client.get(reverse("review:queue"), params)
        assert response.status_code == 400, params
        assert "空字符" in response.content.decode()
    assert client.get(reverse("review:queue"), {"q": "科技"}).status_code == 200


def test_the_bank_list_page_refuses_nul_in_search_and_region(client):
    client.force_login(BankOfficerFactory().user)
    for params in ({"q": "\x00"}, {"region": "44\x00"}, {"search": "a\x00b"}):
        assert client.get(reverse("banks:list"), params).status_code == 400, params


def test_an_api_list_answers_400_in_its_error_format_naming_the_parameter(client):
    client.force_login(BureauStaffFactory(region_scope="44").user)
    response = client.get("/api/v1/enterprises/", {"search": "a\x00b", "region": "44"})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and list(body["fields"]) == ["search"]
    assert body["fields"]["search"] == ["请求参数不能包含空字符(NUL)。"]
    assert client.get("/api/v1/enterprises/", {"region": "44"}).status_code == 200


def test_the_refusal_speaks_the_callers_language(client):
    client.force_login(BureauStaffFactory(region_scope="44").user)
    response = client.get(reverse("review:queue"), {"q": "\x00"}, HTTP_ACCEPT_LANGUAGE="en")
    assert (
        response.status_code == 400 and "NUL" in response.content.decode() and "空字符" not in response.content.decode()
    )
