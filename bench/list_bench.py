"""Page times of a bank's recommendation list at national scale (~1.5 M list rows), page and API, p50 / p95, each
beside a naive baseline measured in the same process.

Needs a dedicated PostgreSQL database. ``--rows N`` prepares it once if it holds no demo batch: the demo
(``manage.py demo_setup``: firms, a published run, the push to every bank, a second published run so the lists show
new firms, grade changes and a dropped view, the demo's loans) with N / ``ROWS_PER_FIRM`` firms, in-process with
eager tasks. A database already prepared (``bench/push_bench.py``'s, or an earlier run of this one) is used as is.
Then, as ICBC's head-office officer (``icbc``, the whole list) and a token client of ICBC (``recommendations:read``),
each request is timed ``--repeat`` times after one untimed call (so a page's counts, kept per list and filter values
by ``banks.list_summary``, come from the cache, as on a next page; the "count not cached" case asks new filters each
time, as a first page does):

| case | page | API | naive baseline (same rows) |
|---|---|---|---|
| first page | ``/bank/`` | ``/api/v1/recommendations/`` | the page's query with index scans disabled |
| filtered page | grades A or B, stage growth, Guangdong | same filters | index scans disabled |
| filtered, count not cached | the same in another province each time: the list's length is counted | — | the same |
| search by credit code | ``?q=<a listed firm's code>`` | same | ``credit_code ILIKE '%…%'`` (no index can serve it) |
| deep page | jump to list rank 90 % (``?rank=``) | a cursor at that rank | ``OFFSET`` to that rank |
| dropped view | ``/bank/dropped/`` | — | both lists' firm ids read into Python and diffed |
| CSV export | ``/bank/export/`` (the whole list) | — | one query per firm (from ``--sample`` rows, extrapolated) |

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_list .venv/bin/python bench/list_bench.py --rows 1500000
    DATABASE_URL=… .venv/bin/python bench/list_bench.py --rows 300000 --repeat 10     # a quick look
"""

from __future__ import annotations

import argparse
import base64
import itertools
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["CELERY_BROKER_URL"] = ""  # the demo's pushes and notices run in-process (eager), none is left queued

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from banks.filters import RecommendationFilterSet  # noqa: E402
from banks.models import Recommendation, RecommendationList  # noqa: E402
from banks.selectors import SORTS, bank_lists  # noqa: E402
from bench.figures import figure  # noqa: E402
from core.models import ApiClient, Bank, User  # noqa: E402
from demo.services import DEMO_BATCH_NAME  # noqa: E402
from enterprises.models import Batch, Enterprise  # noqa: E402

ROWS_PER_FIRM = 2.87
"""List rows per demo firm, measured: 520,000 firms give 1.49 M rows over 25 banks' lists (bench/push_bench.py)."""
PAGE = 50  # banks.views.PAGE_SIZE and the API's default page size


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def timed(call, repeat: int) -> tuple[float, float, int]:
    """p50 and p95 of ``repeat`` calls after one untimed warm-up, and the queries of the last call."""
    call()
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
        queries = len(captured)
    return *percentiles(times), queries


def get(client, url: str):
    def call():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)

    return call


def prepare(rows: int) -> Batch:
    batch = Batch.objects.filter(name=DEMO_BATCH_NAME).first()
    pushed = batch is not None and RecommendationList.objects.filter(run__batch=batch).exists()
    if not pushed or not User.objects.filter(username="icbc").exists():
        firms = max(1_000, round(rows / ROWS_PER_FIRM))
        started = time.perf_counter()
        call_command("demo_setup", firms=firms)
        print(f"prepared the demo with {firms:,} firms in {time.perf_counter() - started:.0f} s")
        batch = Batch.objects.get(name=DEMO_BATCH_NAME)
    return batch


def token_of(bank: Bank) -> str:
    record = ApiClient(name="list bench", scopes=["recommendations:read"], bank=bank)
    token = record.issue_token()
    record.save()
    return token


def without_indexes(query):
    """``query`` with the planner told to use no index: what the list costs with none for its filters and order."""

    def call():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SET LOCAL enable_indexonlyscan = off")
            query()

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_500_000, help="list rows to prepare (if the database is empty)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--sample", type=int, default=500, help="rows of the naive export, extrapolated")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("list_bench needs PostgreSQL")
    batch = prepare(args.rows)
    officer = User.objects.get(username="icbc")
    icbc = Bank.objects.get(code="icbc")
    headers = bank_lists(user=officer)
    current = headers[0].current
    all_rows = Recommendation.objects.filter(superseded=False).count()
    mine = Recommendation.objects.listed_to(officer).current()
    size = mine.count()
    print(
        f"batch #{batch.pk}, run #{current.run_id}: {all_rows:,} current list rows "
        f"({Recommendation.objects.count():,} with superseded ones); ICBC's list {size:,} rows, "
        f"previous list {'#' + str(headers[0].previous.pk) if headers[0].previous else 'none'}; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    code = mine.order_by("-list_rank").values_list("enterprise__credit_code", flat=True)[size // 3]
    deep = max(1, int(size * 0.9))
    filters = {"grade": ["A", "B"], "stage": "growth", "region": "44"}
    page = Client(HTTP_HOST="localhost")
    page.force_login(officer)
    api = APIClient(HTTP_HOST="localhost")
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_of(icbc)}")
    cursor = base64.b64encode(urlencode({"p": deep}).encode()).decode()  # DRF's cursor: position = list rank
    ordered = mine.order_by(*SORTS["rank"])

    def list_page(rows):
        return lambda: (list(rows.select_related("enterprise")[:PAGE]), rows.count())

    filtered = RecommendationFilterSet(
        {"grade": filters["grade"], "stage": filters["stage"], "region": "44"}, queryset=ordered, actor=officer
    ).qs

    def dropped_naive():
        previous = set(
            Recommendation.objects.visible_to(officer)
            .filter(run_id=headers[0].previous.run_id)
            .values_list("enterprise_id", flat=True)
        )
        now = set(mine.values_list("enterprise_id", flat=True))
        return sorted(previous - now)

    def export_naive():
        for rec in ordered[: args.sample]:
            Enterprise.objects.get(pk=rec.enterprise_id)

    grade_query = "&".join(f"grade={g}" for g in filters["grade"]) + "&stage=growth&region=44"
    provinces = itertools.cycle(sorted({code[:2] for code in mine.values_list("region_code", flat=True)[:20000]}))

    def new_filters():
        """The filtered page with a province not asked before (each request): its length is counted, not read from
        the cache that keeps a list's counts per filter values (banks.list_summary), as for a first page."""
        get(page, f"/bank/?{grade_query.replace('region=44', 'region=' + next(provinces))}")()

    cases = [
        ("first page", get(page, "/bank/"), get(api, "/api/v1/recommendations/"),
         without_indexes(list_page(ordered)), 1),
        ("filtered page", get(page, f"/bank/?{grade_query}"), get(api, f"/api/v1/recommendations/?{grade_query}"),
         without_indexes(list_page(filtered)), 1),
        ("filtered, count not cached", new_filters, None, without_indexes(list_page(filtered)), 1),
        ("search by credit code", get(page, f"/bank/?q={code}"), get(api, f"/api/v1/recommendations/?q={code}"),
         list_page(ordered.filter(enterprise__credit_code__icontains=code[2:])), 1),
        (f"deep page (rank {deep:,})", get(page, f"/bank/?rank={deep}"),
         get(api, f"/api/v1/recommendations/?cursor={cursor}"), list_page(ordered[deep - 1 :]), 1),
        ("dropped view", get(page, "/bank/dropped/"), None, dropped_naive, 1),
        (f"CSV export ({size:,} rows)", get(page, "/bank/export/"), None, export_naive, size / args.sample),
    ]  # fmt: skip
    print(f"{'case':<28} {'page p50':>9} {'p95':>8} {'q':>3}   {'API p50':>8} {'p95':>8} {'q':>3}   {'naive p50':>10}")
    for name, page_call, api_call, naive_call, scale in cases:
        p50, p95, queries = timed(page_call, args.repeat)
        line = f"{name:<28} {p50 * 1000:7.0f}ms {p95 * 1000:6.0f}ms {queries:>3}"
        if api_call is not None:
            a50, a95, aq = timed(api_call, args.repeat)
            line += f"   {a50 * 1000:6.0f}ms {a95 * 1000:6.0f}ms {aq:>3}"
        else:
            line += " " * 25
        n50, _n95, _ = timed(naive_call, max(3, args.repeat // 5))
        line += f"   {n50 * scale * 1000:8.0f}ms" + (" (extrapolated)" if scale != 1 else "")
        print(line)
        export = name.startswith("CSV")  # a download, not a page: no page target
        figure(f"bank list: {name}, page p95", p95, "s", target=None if export else 0.5, baseline=n50 * scale)
        if api_call is not None:
            figure(f"bank list: {name}, API p95", a95, "s", target=0.5)


if __name__ == "__main__":
    main()
