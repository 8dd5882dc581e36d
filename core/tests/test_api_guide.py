"""The API guide is a page of the site, rendered from docs/api.md with everything escaped."""

from django.urls import reverse

from core.guide import render


def test_the_guide_is_served_with_its_tables_and_headings(client, db):
    page = client.get(reverse("api-guide"))
    assert page.status_code == 200
    text = page.content.decode()
    assert '<article id="api-guide">' in text and "<table" in text
    assert "<code>/api/v1/products/</code>" in text or "<code>GET /api/v1/products/</code>" in text
    assert "required_scopes" in text


def test_markup_in_the_guide_is_escaped():
    html = render("# Title\n\nA <script>alert(1)</script> and [x](javascript:alert(1)) and `<b>`\n")
    assert "<script>" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html and "<code>&lt;b&gt;</code>" in html
    assert '<h1 id="title">Title</h1>' in html
