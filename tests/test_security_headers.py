"""Security headers on pages, the API and the API documentation; templates with no inline script or style."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def directives(response, header="Content-Security-Policy") -> dict[str, list[str]]:
    policy = response.headers[header]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


def assert_common_headers(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions


def assert_strict_policy(response):
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]


def test_a_page_carries_the_strict_policy_and_the_other_headers(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert_strict_policy(response)
    assert_common_headers(response)


def test_the_api_carries_them_too_even_on_errors(client):
    for path in ("/api/v1/", "/api/v1/no-such-thing/", "/api/schema/"):
        response = client.get(path)
        assert_strict_policy(response)
        assert_common_headers(response)


def test_a_signed_in_page_carries_them(client):
    from tests.factories import BureauStaffFactory

    client.force_login(BureauStaffFactory().user)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert_strict_policy(response)
    assert_common_headers(response)


def test_swagger_ui_relaxes_styles_only_and_serves_its_start_script_as_a_file(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    policy = directives(page)
    assert policy["script-src"] == ["'self'"]  # scripts stay strict
    assert "'unsafe-inline'" in policy["style-src"] and "data:" in policy["img-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    html = page.content.decode()
    # every <script> has a src: the split view serves the start-up script from the same URL with ?script
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    script_url = re.search(r'<script src="([^"]*script=[^"]*)"', html).group(1).replace("&amp;", "&")
    script = client.get(script_url)
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_redoc_runs_without_inline_script_or_outside_fonts(client):
    page = client.get("/api/redoc/")
    assert page.status_code == 200
    policy = directives(page)
    assert policy["script-src"] == ["'self'"]
    assert "blob:" in policy["worker-src"]
    html = page.content.decode()
    assert "fonts.googleapis.com" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "<redoc spec-url=" in html


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)


@pytest.mark.parametrize("template", sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html")))
def test_no_template_has_inline_script_style_or_event_handlers(template):
    """The policy refuses them in the browser; this finds them before a browser does (json_script data is fine)."""
    text = (TEMPLATES / template).read_text()
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to static/"
    assert not INLINE_STYLE.search(text), "inline style: use a class in static/css/"
    assert not EVENT_HANDLER.search(text), "inline event handler: add a listener in static/js/"
