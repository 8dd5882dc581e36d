"""The load scenario (issue #7): enterprises filing, bank officers browsing their lists, API clients pulling scores,
and a bureau officer starting a scoring run of the national batch while all that goes on.

Run through ``bench/load/run.py`` (``make load``), which prepares the accounts (``prepare.py`` writes the setup file
this reads), starts gunicorn, a Celery worker, and locust headless; the run prints the figures.

Every user signs in the way people do: the login form with its CSRF token (session cookie), or an API token.
Requests are grouped by endpoint in the statistics (``name=``); a response is a failure unless its status is the
one the page gives on success (a 200, or the redirect after a saved form).
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import time
from collections import Counter
from decimal import Decimal

import urllib3
from locust import HttpUser, between, events, task

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # gunicorn's self-signed certificate

SETUP = json.loads(open(os.environ.get("LOAD_SETUP", "var/load/setup.json"), encoding="utf-8").read())  # noqa: SIM115
RUN_AFTER = float(os.environ.get("LOAD_RUN_AFTER", "60"))  # seconds after start when the bureau starts its run
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DETAIL_LINK = re.compile(r'href="/bank/r/(\d+)/"')
NEXT_LINK = re.compile(r'href="(\?[^"]*)" rel="next"')
GRADES, STAGES, SECTIONS = "ABCD", ("startup", "growth", "stable"), "CIMO"
PROVINCES = ("11", "31", "32", "33", "44", "51")
SORTS = ("rank", "-total", "-line", "-need")
LOGINS: list[float] = []  # seconds per sign-in; reported apart (run.py) since locust resets its stats after ramp-up
STARTED = time.monotonic()


class Browser(HttpUser):
    """A person with a browser: signs in through the form, and sends the CSRF token and Referer a browser sends."""

    abstract = True
    accounts: list[str] = []
    _next = 0

    def on_start(self) -> None:
        self.client.verify = False
        cls = type(self)
        self.username = cls.accounts[cls._next % len(cls.accounts)]
        cls._next += 1
        started = time.perf_counter()
        page = self.client.get("/accounts/login/", name="login form")
        credentials = {"username": self.username, "password": SETUP["password"]}
        self.post("/accounts/login/", page, credentials, name="login", redirect_to="/")
        LOGINS.append(time.perf_counter() - started)

    def post(self, path: str, page, data: dict, *, name: str, expect: int | tuple = 302, redirect_to: str = ""):
        """POST a form found on ``page`` (the response that showed it), as the browser would submit it; a failure
        unless the status is ``expect`` (and a redirect goes to a path containing ``redirect_to``)."""
        if not page.ok:  # the form did not load (already a failure): a person would not submit it either
            return page
        match = CSRF_INPUT.search(page.text)
        data = {"csrfmiddlewaretoken": match.group(1) if match else "", **data}
        headers = {"Referer": page.url}
        with self.client.post(path, data=data, headers=headers, name=name, allow_redirects=False,
                              catch_response=True) as response:  # fmt: skip
            if response.status_code not in (expect if isinstance(expect, tuple) else (expect,)):
                response.failure(f"{name}: HTTP {response.status_code}")
            elif redirect_to not in response.headers.get("Location", ""):
                response.failure(f"{name}: redirected to {response.headers.get('Location')!r}")
            return response


class Enterprise(Browser):
    """A finance manager filling in this year's filing: opens it, saves drafts, looks at the dashboard."""

    weight = 3
    wait_time = between(5, 15)  # a person typing figures: a save every few fields
    accounts = [firm["username"] for firm in SETUP["enterprises"]]

    def on_start(self) -> None:
        super().on_start()
        self.values = next(f["values"] for f in SETUP["enterprises"] if f["username"] == self.username)

    @task(3)
    def open_filing(self) -> None:
        self.client.get("/enterprise/filing/", name="/enterprise/filing/ [GET]")

    @task(3)
    def save_draft(self) -> None:
        page = self.client.get("/enterprise/filing/", name="/enterprise/filing/ [GET]")
        # This year's figures: last year's grown by the same factor (so the filing's own checks still hold).
        growth = Decimal(random.randint(100, 115)) / 100
        values = self.values
        data: dict[str, object] = {"action": "draft", "financing_purpose": "研发投入与设备购置"}
        for name, value in values.items():
            if name in ("flags", "money"):
                continue
            data[name] = (
                (Decimal(value) * growth).quantize(Decimal("0.01")) if name in values["money"] and value else value
            )
        data.update(dict.fromkeys(values["flags"], "on"))
        # 302 when saved; 200 when saved with warnings shown beside the values (a large change from last year).
        self.post("/enterprise/filing/", page, data, name="/enterprise/filing/ [save draft]", expect=(302, 200))

    @task(1)
    def dashboard(self) -> None:
        self.client.get("/enterprise/", name="/enterprise/")

    # Not the score report (/enterprise/report/): at 520,000 firms it reloads and rescores the whole population on
    # every view to compute peer figures (~10 s, ~0.5 GB per view; dashboard/report.py). Reported, not hidden.


class BankOfficer(Browser):
    """A credit officer working through the bank's recommendation list: filters, sorts, pages, opens profiles."""

    weight = 4
    wait_time = between(3, 8)  # a person reading a page of 50 firms before the next
    accounts = SETUP["officers"]
    last_ids: list[str] = []

    @task(4)
    def browse(self) -> None:
        query = {"sort": random.choice(SORTS)}
        for key, values in (("grade", GRADES), ("stage", STAGES), ("section", SECTIONS), ("region", PROVINCES)):
            if random.random() < 0.35:
                query[key] = random.choice(values)
        response = self.client.get("/bank/", params=query, name="/bank/ [list, filters]")
        # Then a few pages on, through the page's own "next" link (keyset pagination: ?after=<id>).
        for _ in range(random.choice((0, 0, 1, 2, 3))):
            following = NEXT_LINK.search(response.text)
            if following is None:
                break
            self.last_ids = DETAIL_LINK.findall(response.text) or self.last_ids
            response = self.client.get("/bank/" + html.unescape(following.group(1)), name="/bank/ [next page]")
        self.last_ids = DETAIL_LINK.findall(response.text) or self.last_ids

    @task(2)
    def profile(self) -> None:
        if not self.last_ids:
            self.browse()
        if self.last_ids:  # every read of a firm's profile writes an access-log row
            self.client.get(f"/bank/r/{random.choice(self.last_ids)}/", name="/bank/r/<id>/ [profile]")

    @task(1)
    def products(self) -> None:
        self.client.get("/bank/products/", name="/bank/products/")


class ApiClient(HttpUser):
    """A machine client: a bank's credit system or a platform looking firms up by credit code and paging lists."""

    weight = 3
    wait_time = between(0.5, 2)  # a machine
    _next = 0

    def on_start(self) -> None:
        self.client.verify = False
        cls = type(self)
        client = SETUP["api_clients"][cls._next % len(SETUP["api_clients"])]
        cls._next += 1
        self.client.headers["Authorization"] = f"Token {client['token']}"
        self.codes = client["codes"] or (SETUP["codes_44"] if client["region"] == "44" else SETUP["codes"])
        self.region = client["region"]
        self.batch = SETUP["batch"]

    @task(4)
    def score_by_credit_code(self) -> None:
        code = random.choice(self.codes)
        self.client.get(f"/api/v1/batches/{self.batch}/scores/{code}/", name="/api/v1/batches/<id>/scores/<code>/")

    @task(2)
    def scores_of_a_firm(self) -> None:
        self.client.get(f"/api/v1/scores/{random.choice(self.codes)}/", name="/api/v1/scores/<code>/")

    @task(2)
    def filtered_scores(self) -> None:
        query = {"grade": random.choice(GRADES), "page_size": random.choice((20, 50, 100))}
        if random.random() < 0.5:
            query["stage"] = random.choice(STAGES)
        if random.random() < 0.5:
            query["region"] = self.region or random.choice(PROVINCES)
        self.client.get(f"/api/v1/batches/{self.batch}/scores/", params=query, name="/api/v1/batches/<id>/scores/?…")

    @task(1)
    def province_ranking(self) -> None:
        province = self.region or random.choice(PROVINCES)
        self.client.get(f"/api/v1/batches/{self.batch}/rankings/province/{province}/",
                        name="/api/v1/batches/<id>/rankings/province/<p>/")  # fmt: skip


class Bureau(Browser):
    """The national bureau: starts a scoring run of the 520,000-firm batch, then watches it as the run page does."""

    fixed_count = 1
    wait_time = between(2, 2)
    accounts = [SETUP["bureau"]]
    run_path = ""

    @task
    def work(self) -> None:
        if not self.run_path and time.monotonic() - STARTED >= RUN_AFTER:
            page = self.client.get(f"/bureau/batches/{SETUP['batch']}/", name="/bureau/batches/<id>/")
            started = self.post(f"/bureau/batches/{SETUP['batch']}/runs/", page, {}, name="start scoring run",
                                redirect_to="/bureau/runs/")  # fmt: skip
            location = started.headers.get("Location", "")
            self.run_path = location if "/bureau/runs/" in location else "failed"
        elif self.run_path.startswith("/bureau/runs/"):
            self.client.get(f"{self.run_path}progress/", name="/bureau/runs/<id>/progress/")


FAILURES: Counter = Counter()  # every failure of the whole run: --reset-stats clears the table's after the ramp-up


@events.request.add_listener
def count_failures(request_type, name, exception=None, **kwargs) -> None:
    if exception is not None:
        FAILURES[f"{request_type} {name}: {exception}"[:200]] += 1


@events.quitting.add_listener
def report_failures(environment, **kwargs) -> None:
    top = "; ".join(f"{count} × {what}" for what, count in FAILURES.most_common(5))
    print(f"FAILURES {sum(FAILURES.values())} {top}")


@events.quitting.add_listener
def report_logins(environment, **kwargs) -> None:
    if LOGINS:
        ordered = sorted(LOGINS)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        print(f"LOGINS {len(ordered)} p50_ms={ordered[len(ordered) // 2] * 1000:.0f} p95_ms={p95 * 1000:.0f} "
              f"max_ms={ordered[-1] * 1000:.0f}")  # fmt: skip
