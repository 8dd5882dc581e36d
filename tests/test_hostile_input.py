"""Hostile input answers 400 with the error format, never 500: malformed cursors and keyset bounds, NUL bytes in
query parameters, deeply nested JSON bodies (issue "Trust holds", item 7)."""

import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

NESTED = "[" * 5000 + "]" * 5000


def test_malformed_cursors_and_nul_bytes_answer_400_on_every_list(callers):
    client = callers["client-platform"]
    bank = callers["bank-a"]
    for caller, url in ((client, "/api/v1/batches/"), (client, "/api/v1/enterprises/"), (bank, "/api/v1/loans/"),
                        (bank, "/api/v1/recommendations/")):  # fmt: skip
        for params in ({"cursor": "%%%not-base64"}, {"cursor": "cD0xJnI9MQ=="}, {"region": "33\x00"},
                       {"grade": "A\x00"}):  # fmt: skip
            response = caller.get(url, params)
            assert response.status_code in (400, 200), (url, params, response.status_code)
            assert response.status_code != 500
            if response.status_code == 400:
                assert set(response.json()) == {"code", "message", "fields"}


def test_the_bank_list_page_refuses_bad_keyset_bounds_and_nul_bytes(client, pushed, icbc_officer):
    client.force_login(icbc_officer)
    for params in ({"after": "abc"}, {"before": "1,2,3,x"}, {"region": "44\x00"}, {"q": "\x00"}):
        response = client.get(reverse("banks:list"), params)
        assert response.status_code in (200, 400), (params, response.status_code)


def test_a_deeply_nested_json_body_is_a_400(callers):
    response = callers["enterprise"].post("/api/v1/submissions/", NESTED, content_type="application/json")
    assert response.status_code == 400, response.status_code
    assert json.loads(response.content)["code"]


def test_a_cursor_that_decodes_to_a_wrong_position_and_a_bad_charset_answer_400(callers):
    import base64

    cursor = base64.b64encode(b"p=abc").decode()
    for url in ("/api/v1/batches/", "/api/v1/enterprises/"):
        assert callers["client-platform"].get(url, {"cursor": cursor}).status_code == 400
    assert callers["bank-a"].get("/api/v1/loans/", {"cursor": cursor}).status_code == 400
    response = callers["enterprise"].post(
        "/api/v1/submissions/", b"{}", content_type="application/json; charset=base64"
    )
    assert response.status_code == 400
