"""What the browser tests share: Debian's Chromium through Playwright (``browser``, a fixture ``tests/conftest.py``
offers every test in this folder), a page of a given width, signing in, submitting a form and waiting for the next
page, the 390 px check, and screenshots under ``test-artifacts/``."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]  # fmt: skip


@pytest.fixture
def browser():
    """One Chromium for the test (skipped without it, failed in CI without it)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but Chromium is missing")
        pytest.skip("needs /usr/bin/chromium")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the live server's database calls from Playwright's loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def new_page(browser, width: int, *, timeout: int = 30_000):
    """A page in a fresh context (its own cookies) of ``width`` px, in Chinese."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    context.set_default_timeout(timeout)
    return context.new_page()


def login(page, base: str, username: str, password: str) -> None:
    """Sign in as ``username`` (signing out whoever was signed in on this page) and land on the home page."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")


def submit(page, selector: str) -> None:
    """Click ``selector`` and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)


def fits(page, width: int) -> None:
    """Nothing on the page is wider than the window (every page works at 390 px)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
