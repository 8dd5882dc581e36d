"""What every browser test shares: Debian's Chromium through Playwright (never a downloaded browser), the screenshot
folder, and the few gestures all journeys make. Tests take the ``browser`` fixture (one Chromium per test) or the
``page`` fixture (a zh-CN tab in it); both are registered for the whole suite by the root ``conftest.py``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]  # fmt: skip
WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 30_000  # generous: CI runs the browser beside the live server on two cores


def require_chromium() -> None:
    """Skip a browser test on a machine without Debian's Chromium, except on CI (where its absence is a failure)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but Chromium is missing")
        pytest.skip(f"needs {CHROMIUM}")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the test's ORM calls run beside Playwright's event loop


@pytest.fixture
def browser():
    """One headless Chromium for the test."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def new_tab(browser, *, viewport: dict | None = None, locale: str = "zh-CN", **options):
    """A tab in a fresh context (its own cookies: one signed-in person), with the suite's timeout."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 1600}, locale=locale, **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


@pytest.fixture
def page(browser):
    return new_tab(browser)


def accept_dialogs(page) -> None:
    """Answer every ``data-confirm`` question with yes: the person confirms what they asked for."""
    page.on("dialog", lambda dialog: dialog.accept())


def submit(page, selector: str) -> None:
    """Click a button that posts or gets a form and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)


def sign_in(page, base: str, username: str, password: str) -> None:
    """Sign in through the login form (cookies of an earlier person cleared) and wait to leave the form."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit].primary")


def fits(page, width: int) -> None:
    """Nothing on the page is wider than the window (every page works at 390 px)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """A screenshot in ``test-artifacts/`` (CI keeps them; people look at them)."""
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
