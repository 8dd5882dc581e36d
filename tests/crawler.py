"""The crawler behind tests/test_crawler_browser.py: which links it follows, what it reads off each page, and the rules
that turn a page into problems. Kept apart from the test module so the rules can be read (and tuned) on their own.

Everything here runs in the test process; the pages come from pytest-django's live server through Chromium.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

ROLES = ("bureau", "bureau-gd", "icbc", "icbc-gd", "cmb", "guarantor", "firm", "firm2")  # admin: /admin/ is Django's
LANGUAGES = ("zh-hans", "en")
VIEWPORTS = {1366: {"width": 1366, "height": 900}, 390: {"width": 390, "height": 844}}
PROJECT_APPS = {"core", "enterprises", "scoring", "banks", "loans", "guarantees", "dashboard", "demo"}

# --- Which links the crawler follows ---------------------------------------------------------------------------------

NOT_CRAWLED_PREFIXES = ("/admin/", "/api/", "/accounts/logout", "/i18n/", "/jsi18n/", "/static/", "/media/")
DOWNLOAD_MARKERS = ("export", "licence", "evidence", "print")  # files and print views: status-checked, not rendered
DOWNLOAD_SUFFIXES = (".csv", ".xlsx", ".pdf", ".zip")


def same_origin_path(base: str, href: str) -> str | None:
    """``href`` (absolute, as the DOM resolves it) as path?query when it stays on the live server, else None."""
    href, _fragment = urldefrag(href)
    parts, origin = urlsplit(href), urlsplit(base)
    if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def is_download(path: str) -> bool:
    bare = path.split("?")[0].lower()
    return bare.endswith(DOWNLOAD_SUFFIXES) or any(marker in bare for marker in DOWNLOAD_MARKERS)


def is_crawlable(path: str) -> bool:
    return not path.startswith(NOT_CRAWLED_PREFIXES) and not is_download(path)


def is_status_checked(path: str) -> bool:
    """Every link a page offers is fetched once per role (downloads included), except Django's admin and sign-out."""
    return not path.startswith(("/admin/", "/accounts/logout", "/i18n/"))


def link_shape(path: str) -> str:
    """/bank/r/123/?page=2 → /bank/r/#/?page: a list's 50 rows are one shape, fetched a few times, not 50."""
    bare, _, query = path.partition("?")
    keys = sorted({pair.split("=")[0] for pair in query.split("&") if pair})
    return re.sub(r"\d+", "#", bare) + ("?" + "&".join(keys) if keys else "")


def slug(path: str) -> str:
    text = path.strip("/").replace("/", "-").replace("?", "-").replace("&", "-").replace("=", "-")
    return re.sub(r"[^A-Za-z0-9_-]", "_", text) or "home"


# --- What the browser reads off a page -------------------------------------------------------------------------------

# Recorded into window.__csp before any script of the page runs (the policy forbids inline script, so a listener added
# by the page itself would be too late or refused).
CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  const where = `${e.sourceFile || ''}:${e.lineNumber || ''}`;
  window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${where}`);
});
"""

# Everything a person reads in <main> (text, option labels, placeholders, titles, alt text, aria labels), hidden
# parts included (a closed <details> or a message shown by script is read too). Skipped: script/style/template and
# any element marked data-user (mark-up for user data, see the test module's docstring).
READ_MAIN = """
() => {
  const main = document.querySelector('main');
  if (!main) return null;
  const parts = [];
  const skip = 'script,style,template,noscript,[data-user]';
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.parentElement || node.parentElement.closest(skip)) continue;
    const text = node.textContent.trim();
    if (text) parts.push(text);
  }
  for (const el of main.querySelectorAll('[placeholder],[title],[alt],[aria-label],input[type=submit][value]')) {
    if (el.closest(skip)) continue;
    for (const attr of ['placeholder', 'title', 'alt', 'aria-label']) {
      if (el.getAttribute(attr)) parts.push(el.getAttribute(attr));
    }
    if (el.matches('input[type=submit]')) parts.push(el.value);
  }
  return parts.join('\\n');
}
"""

# The page's width against the viewport's, and when it is wider, the first elements to stick out (those whose parent
# still fits; content scrolling inside a box with overflow-x other than visible does not widen the page and is skipped),
# so the report says what to fix.
READ_WIDTH = """
() => {
  const vw = window.innerWidth, sw = document.documentElement.scrollWidth;
  const out = [];
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.classList.length ? '.' + [...el.classList].join('.') : '');
  const words = (text) => text.trim().replace(/\\s+/g, ' ').slice(0, 40);
  if (sw > vw + 1) {
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      const parent = el.parentElement && el.parentElement.getBoundingClientRect();
      if (r.right > vw + 1 && (!parent || parent.right <= vw + 1) && !clipped(el)) {
        const text = words(el.innerText || '');
        out.push(`${name(el)} (right ${Math.round(r.right)} px${text ? ', "' + text + '"' : ''})`);
        if (out.length >= 4) break;
      }
    }
    // Text running out of a box that itself fits (a long unbreakable word or number).
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    while (out.length < 6 && walker.nextNode()) {
      const node = walker.currentNode, el = node.parentElement;
      if (!el || !node.textContent.trim() || el.getBoundingClientRect().right > vw + 1 || clipped(node)) continue;
      range.selectNodeContents(node);
      const right = range.getBoundingClientRect().right;
      if (right > vw + 1) out.push(`text in ${name(el)} (right ${Math.round(right)} px, "${words(node.textContent)}")`);
    }
  }
  return {viewport: vw, scroll: sw, offenders: out};
}
"""

READ_LINKS = """
() => ({
  main: [...document.querySelectorAll('main a[href]')].filter(a => !a.hasAttribute('download')).map(a => a.href),
  nav: [...document.querySelectorAll('header nav a[href], header .menu a[href]')].map(a => a.href),
  table: [...document.querySelectorAll('main table a[href]')].filter(a => !a.hasAttribute('download')).map(a => a.href),
  downloads: [...document.querySelectorAll('main a[download]')].map(a => a.href),
})
"""


# --- Rules -----------------------------------------------------------------------------------------------------------

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CHINESE_RUN = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
ALWAYS_RAW = ("True", "False", "None")  # Python's own words on a page: a boolean or a missing value printed raw


def platform_codes() -> set[str]:
    """Every string value of the platform's choices: the TextChoices classes of the project's apps (inner ones
    included, e.g. ApiClient.Scope) and every model field's choices (ArrayField items too). Integer choices and
    one-letter values (the grades A–E, shown as they are) are left out."""
    from django.apps import apps
    from django.db import models

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    values = set()
    for choices in subclasses(models.Choices):
        if choices.__module__.split(".")[0] in PROJECT_APPS:
            values.update(choices.values)
    for model in apps.get_app_configs():
        if model.label not in PROJECT_APPS:
            continue
        for m in model.get_models():
            for f in m._meta.get_fields():
                for candidate in (f, getattr(f, "base_field", None)):
                    for value, _label in getattr(candidate, "flatchoices", None) or ():
                        values.add(value)
    return {v for v in values if isinstance(v, str) and len(v) > 1}


def code_patterns(codes: set[str]) -> dict[str, re.Pattern]:
    """Per language, one pattern of the codes that count as raw there, matched case-sensitively as whole words.

    Chinese pages: any code at all (no label of the Chinese interface is an English word). English pages: only codes
    no English label would contain — snake_case (``state_owned``, ``special_plan``), scoped (``scores:read``) — and
    True/False/None; ``new``, ``approved``, ``draft``, ``growth`` … are ordinary words an English label may hold."""

    def pattern(words):
        words = sorted(words, key=len, reverse=True)
        return re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(map(re.escape, words)) + r")(?![A-Za-z0-9_])")

    technical = {c for c in codes if "_" in c or ":" in c}
    return {"zh-hans": pattern(codes | set(ALWAYS_RAW)), "en": pattern(technical | set(ALWAYS_RAW))}


def user_data_strings() -> list[str]:
    """Text of the database that reads in Chinese in either language: names and words people (or the demo) typed.

    A database string counts as user data unless the platform has an English rendering of it: an entry in the English
    catalogue (the seeded indicator names are translated there), or an English name in core.reference_data (provinces
    and industry sections, shown by core.labels). Those must appear in English, so they are not exempted."""
    from django.apps import apps
    from django.utils import translation

    from core.reference_data import PROVINCES, PROVINCES_EN, SECTIONS

    sources = {
        "enterprises.Enterprise": ("name",),
        "core.Bank": ("name", "short_name"),
        "core.Branch": ("name",),
        "core.GuaranteeInstitution": ("name",),
        "core.BureauStaff": ("bureau_name",),
        "core.User": ("first_name", "last_name"),
        "core.ApiClient": ("name",),
        "banks.LoanProduct": ("name",),
        "banks.Recommendation": ("notes", "decline_reason"),
        "enterprises.Batch": ("name",),
        "enterprises.EnterpriseMembership": ("decision_note",),
        "enterprises.Submission": ("review_comment", "financing_purpose"),
        "enterprises.SubmissionEvidence": ("original_name", "description"),
        "scoring.Objection": ("reason", "decision_note"),
        "scoring.IndicatorSystem": ("name", "description"),
        "scoring.Indicator": ("name", "category"),
        "core.Region": ("name",),
        "policies.Policy": ("name", "issuer", "benefit", "office", "contact", "how_to_apply"),
    }
    english_names = {name for code, name in PROVINCES if code in PROVINCES_EN} | {name for _, name in SECTIONS}
    values: set[str] = set()
    for label, fields in sources.items():
        model = apps.get_model(label)
        present = [f for f in fields if f in {x.name for x in model._meta.get_fields()}]
        for row in model.objects.values_list(*present):
            values.update(v.strip() for v in row if isinstance(v, str) and HAN.search(v))
    with translation.override("en"):
        from django.utils.translation import gettext

        data = {v for v in values if v not in english_names and gettext(v) == v}
    return sorted(data, key=len, reverse=True)


def without(text: str, strings: list[str]) -> str:
    """``text`` with every occurrence of the strings (longest first) replaced by ‹data›."""
    if not strings:
        return text
    pattern = re.compile("|".join(map(re.escape, strings)))
    return pattern.sub("‹data›", text)


# --- Results ---------------------------------------------------------------------------------------------------------

CHECKS = {
    "status": "HTTP status of a visited page or of a link it offers (403/404/405/500, or sent to the login page)",
    "width": "page wider than the viewport",
    "console": "console error, uncaught exception or CSP violation",
    "raw-codes": "raw choice value or Python boolean/None in <main>",
    "chinese-in-english": "Chinese text in English mode outside user data",
}


@dataclass
class Problem:
    check: str
    role: str
    lang: str
    width: int | None
    path: str
    detail: str

    def where(self) -> str:
        view = f"{self.lang}" + (f" @{self.width}" if self.width else "")
        return f"{self.role:<10} {view:<13} {self.path}"


@dataclass
class Crawl:
    problems: list[Problem] = field(default_factory=list)
    pages: dict[str, list[str]] = field(default_factory=dict)  # role → paths visited
    links_checked: int = 0
    visits: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    error: BaseException | None = None

    def of(self, check: str) -> list[Problem]:
        return [p for p in self.problems if p.check == check]

    def report(self, check: str | None = None) -> str:
        """Readable list grouped by check, then by page (path), with who saw it where."""
        lines = []
        for name, title in CHECKS.items():
            if check and name != check:
                continue
            found = self.of(name)
            lines.append(f"== {name}: {title} — {len(found)} problem(s)")
            by_path: dict[str, list[Problem]] = defaultdict(list)
            for p in found:
                by_path[link_shape(p.path)].append(p)
            for shape in sorted(by_path):
                group = by_path[shape]
                lines.append(f"  {shape}  ({len(group)})")
                details: dict[str, list[str]] = defaultdict(list)
                for p in group:
                    view = f"{p.role}/{p.lang}" + (f"@{p.width}" if p.width else "")
                    details[p.detail].append(view)
                for detail, views in details.items():
                    shown = ", ".join(sorted(set(views))[:8]) + (" …" if len(set(views)) > 8 else "")
                    lines.append(f"    - {detail}\n        [{shown}]")
        return "\n".join(lines)


class Timer:
    def __init__(self, crawl: Crawl, name: str):
        self.crawl, self.name = crawl, name

    def __enter__(self):
        self.started = time.perf_counter()

    def __exit__(self, *exc):
        self.crawl.seconds[self.name] = self.crawl.seconds.get(self.name, 0) + time.perf_counter() - self.started


# --- The crawl -------------------------------------------------------------------------------------------------------


def crawl_role(browser, base: str, role: str, password: str, crawl: Crawl, rules: dict, artifacts: Path) -> None:
    """Sign in as ``role``; find its pages (zh, 1366 px); then visit each in both languages at both widths."""
    context = browser.new_context(viewport=VIEWPORTS[1366], locale="zh-CN")
    context.set_default_timeout(20_000)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: m.type == "error" and console.append(f"console: {m.text} ({m.location.get('url')})"))
    page.on("pageerror", lambda e: console.append(f"uncaught: {e}"))

    page.goto(f"{base}/accounts/login/")
    # Canary: an inline style attribute is refused by the policy; if no violation is recorded, the console/CSP check
    # would pass for nothing (the policy relaxed, or the listener broken).
    page.evaluate("document.body.setAttribute('style', 'outline: 0')")
    try:
        page.wait_for_function("window.__csp && window.__csp.length > 0", timeout=5_000)
    except Exception:  # noqa: BLE001
        canary = "CSP canary: an inline style attribute raised no securitypolicyviolation"
        crawl.problems.append(Problem("console", role, "zh-hans", None, "/accounts/login/", canary))
    page.fill("input[name=username]", role)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main button[type=submit].primary")
    if urlsplit(page.url).path != "/":
        failed = f"sign-in failed: {page.url}"
        crawl.problems.append(Problem("status", role, "zh-hans", None, "/accounts/login/", failed))
        context.close()
        return

    paths: list[str] = []  # in the order found
    offered: dict[str, str] = {}  # every link seen on the role's pages → the page offering it (for status checks)
    queue = ["/"]
    is_list: dict[str, bool] = {"/": True}
    while queue:
        path = queue.pop(0)
        paths.append(path)
        links = visit(page, base, role, "zh-hans", 1366, path, console, crawl, rules, artifacts, read_links=True)
        if links is None:
            continue
        level_one = [*links["nav"], *(links["main"] if path == "/" else [])]
        for href in [*links["main"], *links["nav"], *links["downloads"]]:
            target = same_origin_path(base, href)
            if target and is_status_checked(target):
                offered.setdefault(target, path)
        for href in level_one:
            target = same_origin_path(base, href)
            if target and is_crawlable(target) and target not in paths and target not in queue:
                queue.append(target)
                is_list[target] = True
        if is_list.get(path) and path != "/":  # a page the navigation leads to: its table's first detail
            for href in links["table"]:
                target = same_origin_path(base, href)
                if (
                    target
                    and is_crawlable(target)
                    and target.split("?")[0] != path.split("?")[0]
                    and "?" not in target  # sort and filter links of the table's head are the list itself
                    and target not in paths
                    and target not in queue
                ):
                    queue.append(target)
                    is_list[target] = False
                    break
    crawl.pages[role] = paths

    with Timer(crawl, "links"):
        check_links(context, base, role, offered, crawl)

    for lang in LANGUAGES:
        context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
        for width in VIEWPORTS:
            if (lang, width) == ("zh-hans", 1366):
                continue  # the discovery pass was this one
            page.set_viewport_size(VIEWPORTS[width])
            for path in paths:
                visit(page, base, role, lang, width, path, console, crawl, rules, artifacts)
    context.close()


def check_links(context, base: str, role: str, offered: dict[str, str], crawl: Crawl, per_shape: int = 2) -> None:
    """GET every link the role's pages offer (a few of each shape), with the role's session; ≥ 400 is a problem, and so
    is ending on the login page (a signed-in person sent to sign in again)."""
    seen: dict[str, int] = defaultdict(int)
    for target, source in offered.items():
        shape = link_shape(target)
        if seen[shape] >= per_shape:
            continue
        seen[shape] += 1
        crawl.links_checked += 1
        response = context.request.get(base + target, max_redirects=5, fail_on_status_code=False)
        final = same_origin_path(base, response.url) or response.url
        if response.status >= 400:
            detail = f"link {target} answers {response.status}"
        elif final.startswith("/accounts/login/"):
            detail = f"link {target} sends a signed-in {role} to the login page"
        else:
            continue
        crawl.problems.append(Problem("status", role, "zh-hans", None, source, detail))
        response.dispose()


def visit(page, base, role, lang, width, path, console, crawl, rules, artifacts, read_links=False):
    """Open ``path``, run every check on it, save its screenshot; return its links when asked."""
    crawl.visits += 1
    console.clear()
    with Timer(crawl, "navigation"):
        response = page.goto(base + path, wait_until="load")
        with contextlib.suppress(Exception):  # a page still polling is checked as it stands
            page.wait_for_load_state("networkidle", timeout=3_000)  # charts fetch their data after load

    def problem(check, detail):
        crawl.problems.append(Problem(check, role, lang, width, path, detail))

    status = response.status if response else 0
    final = same_origin_path(base, page.url) or page.url
    if status >= 400:
        problem("status", f"answers {status}")
    elif final.startswith("/accounts/login/") and not path.startswith("/accounts/login/"):
        problem("status", "sends a signed-in user to the login page")

    with Timer(crawl, "checks"):
        size = page.evaluate(READ_WIDTH)
        if size["scroll"] > size["viewport"] + 1:
            problem("width", f"{size['scroll']} px wide in a {size['viewport']} px viewport; "
                             f"sticking out: {', '.join(size['offenders']) or '?'}")  # fmt: skip
        violations = page.evaluate("window.__csp || []")
        for message in sorted(set(console)):
            problem("console", message[:300])
        for message in sorted(set(violations)):
            problem("console", f"CSP violation: {message[:300]}")
        if width == 1366:  # the words are the same at every width; kept beside the screenshots for the report
            text = page.evaluate(READ_MAIN) or ""
            read_text(text, lang, problem, rules)
            folder = artifacts / f"{lang}-{width}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{role}-{slug(path)}.txt").write_text(text, encoding="utf-8")
        links = page.evaluate(READ_LINKS) if read_links else None

    with Timer(crawl, "screenshots"):
        folder = artifacts / f"{lang}-{width}"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{role}-{slug(path)}.png"), full_page=True)
    return links


def read_text(text: str, lang: str, problem, rules: dict) -> None:
    text = without(text, rules["user_data"])
    codes = sorted(set(rules["codes"][lang].findall(text)))
    if codes:
        problem("raw-codes", "shows " + ", ".join(codes))
    if lang == "en":
        han = sorted({r for r in CHINESE_RUN.findall(text) if HAN.search(r)}, key=lambda r: (-len(r), r))
        if han:
            shown = " | ".join(han[:12]) + (f" | … ({len(han) - 12} more)" if len(han) > 12 else "")
            problem("chinese-in-english", f"{sum(len(HAN.findall(r)) for r in han)} Han chars: {shown}")
        # Full-width punctuation left between English words (or between user data cut out above), with its context.
        punctuation = sorted({
            m.group(0) for m in re.finditer(r"\S{0,12}(?:" + CHINESE_RUN.pattern + r")\S{0,12}", text)
            if not HAN.search(m.group(0))
        })  # fmt: skip
        if punctuation:
            problem("chinese-in-english", "full-width punctuation: " + " | ".join(f"«{p}»" for p in punctuation[:6]))
