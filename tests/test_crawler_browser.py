"""Crawler (issue 17 item 8): every demo role signs in, and every page its navigation reaches — the home page's tiles,
the header menu of each page, and the first detail of each list (``main table a[href]``) — is opened in Chinese and
in English, at 1366 × 900 and 390 × 844, in Debian's Chromium against pytest-django's live server.

The world is what ``make demo`` builds (``demo_setup``: organisations, demo firms, a scored and published run, the
push to every bank, worked recommendations with loans and guarantees, one login per role), with 600 firms. ``admin``
is not crawled: its pages are Django's admin.

Links followed: same origin, not /admin/, /api/, sign-out or language switch, and not downloads (paths holding export,
licence, evidence or print, or ending .csv/.xlsx/.pdf/.zip; ``a[download]``). Forms are never submitted. Every link a
visited page offers (downloads included, a few of each URL shape) is also fetched once per role with that role's
session for its status.

The checks, one test each, all fed by one crawl (run by whichever check test comes first, cached in ``_CRAWL``):

* status — a visited page or an offered link answers ≥ 400 (403, 404, 405, 500 …), or sends the signed-in person to
  the login page.
* width — ``document.documentElement.scrollWidth`` exceeds ``window.innerWidth`` by more than 1 px; the report names
  the first elements that stick out.
* console — a console error (failed loads included), an uncaught exception, or a ``securitypolicyviolation`` event
  (recorded into ``window.__csp`` by an init script, before any script of the page).
* raw codes — the text of ``<main>`` (text nodes, hidden ones included, option labels, placeholders, titles, alt and
  aria labels) holds, as a whole word and case-sensitively, a value of the platform's choices: every TextChoices of
  the project's apps (inner ones such as ApiClient.Scope included) and every model field's choices, minus integers
  and one-letter values (the grades A–E are shown as they are); or ``True``/``False``/``None``. In Chinese mode every
  code counts; in English mode only codes no English label would contain — snake_case (``state_owned``) or scoped
  (``scores:read``) — and ``True``/``False``/``None``, since ``new``, ``approved`` or ``growth`` are ordinary words.
  Checked at 1366 px only (the words are the same at both widths).
* Chinese in English — in English mode, the text of ``<main>`` (as above) holds Han characters once user data is cut
  out. User data is (a) any element marked ``data-user`` and (b) every Chinese string of the database's names and
  free texts — firm, bank (name and short name), branch, product, guarantor, bureau, batch, API-client, indicator
  system and indicator names, people's names, review comments, notes and decline reasons, financing purposes, claim
  notes, region names — except the strings the platform itself renders in English: those in the English catalogue
  (e.g. the seeded indicator names) and the provinces and industry sections of core.reference_data. Those must read
  in English, so finding them in Chinese is a problem. Full-width punctuation next to English is listed too.

Screenshots (full page) go to test-artifacts/crawler/<lang>-<width>/<role>-<slug>.png, kept by CI as artifacts.

The full report of every check is written to
test-artifacts/crawler/report.txt (``CRAWLER_REPORT=1`` also prints it).
"""

from __future__ import annotations

import os
import shutil
import time

import pytest

from tests.browser import ARTIFACTS as SHOTS
from tests.browser import CHROMIUM, LAUNCH_ARGS, require_chromium
from tests.crawler import CHECKS, ROLES, Crawl, Timer, code_patterns, crawl_role, platform_codes, user_data_strings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
ARTIFACTS = SHOTS / "crawler"
DEMO_FIRMS = 600

_CRAWL: Crawl | None = None  # one crawl per session, shared by the check tests (each test flushes the database)


def _build_demo() -> None:
    from django.core.management import call_command

    from core.labels import regions_reload

    call_command("demo_setup", firms=DEMO_FIRMS, stdout=open(os.devnull, "w"))  # noqa: SIM115
    regions_reload()


def _run_crawl(base: str) -> Crawl:
    from playwright.sync_api import sync_playwright

    from demo.services import DEMO_PASSWORD

    crawl = Crawl()
    started = time.perf_counter()
    with Timer(crawl, "demo data"):
        _build_demo()
    rules = {"codes": code_patterns(platform_codes()), "user_data": user_data_strings()}
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            for role in ROLES:
                with Timer(crawl, f"role {role}"):
                    crawl_role(browser, base, role, DEMO_PASSWORD, crawl, rules, ARTIFACTS)
        finally:
            browser.close()
    crawl.seconds["total"] = time.perf_counter() - started
    return crawl


@pytest.fixture
def crawl(live_server) -> Crawl:
    """The crawl's results; the first test to ask builds the demo world and crawls (a failure is kept and re-raised
    by every check, so one broken crawl never reads as passing checks)."""
    global _CRAWL
    require_chromium()
    if _CRAWL is None:
        try:
            _CRAWL = _run_crawl(live_server.url)
        except Exception as error:  # noqa: BLE001
            _CRAWL = Crawl(error=error)
        if _CRAWL.error is None:
            report = _summary(_CRAWL) + "\n" + _CRAWL.report()
            (ARTIFACTS / "report.txt").write_text(report + "\n", encoding="utf-8")
            if os.environ.get("CRAWLER_REPORT"):
                print(report)
    if _CRAWL.error is not None:
        raise RuntimeError("the crawl itself failed") from _CRAWL.error
    return _CRAWL


def _summary(crawl: Crawl) -> str:
    pages = sum(len(p) for p in crawl.pages.values())
    times = ", ".join(f"{k} {v:.0f} s" for k, v in crawl.seconds.items())
    visits = f"{crawl.visits} visits, {crawl.links_checked} links"
    return f"crawl: {len(crawl.pages)} roles, {pages} pages, {visits}; {times}"


def _assert_clean(crawl: Crawl, check: str) -> None:
    found = crawl.of(check)
    assert not found, f"{CHECKS[check]}: {len(found)} problem(s)\n{crawl.report(check)}"


def test_the_crawl_reaches_every_role_and_saves_screenshots(crawl):
    assert set(crawl.pages) == set(ROLES), _summary(crawl)
    for role, paths in crawl.pages.items():
        assert len(paths) >= 3, f"{role} reached only {paths}"  # home, its menu's pages, a detail
    shots = list(ARTIFACTS.rglob("*.png"))
    assert len(shots) == 4 * sum(len(p) for p in crawl.pages.values()), len(shots)


def test_every_page_and_link_answers(crawl):
    _assert_clean(crawl, "status")


def test_no_page_is_wider_than_the_viewport(crawl):
    _assert_clean(crawl, "width")


def test_no_console_error_or_csp_violation(crawl):
    _assert_clean(crawl, "console")


def test_no_raw_choice_value_or_boolean(crawl):
    _assert_clean(crawl, "raw-codes")


def test_no_chinese_in_english_mode_outside_user_data(crawl):
    _assert_clean(crawl, "chinese-in-english")
