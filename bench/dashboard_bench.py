"""Page times of the bank journey at national scale: the bureau's funnel dashboard and the officer's list.

Runs Django's test client in-process against a dedicated PostgreSQL database whose demo batch is published and
pushed (run ``bench/push_bench.py`` first), after creating the demo logins and demo loans if they are missing.
Each page is requested ``--repeat`` times; the best and the median wall-clock times are printed with the number of
queries. The target is under 1 s for every page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_push_bench .venv/bin/python bench/dashboard_bench.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from banks.models import Bank, LoanProduct, Recommendation  # noqa: E402
from core.demo.services import DEMO_BATCH_NAME, demo_users_create  # noqa: E402
from core.models import User  # noqa: E402
from loans.demo import demo_loans_create  # noqa: E402
from scoring.models import Batch  # noqa: E402

REPEAT = 5


def timed(client: Client, url: str, repeat: int = REPEAT) -> tuple[float, float, int, int]:
    times = []
    queries = 0
    status = 0
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            times.append(time.perf_counter() - started)
        queries, status = len(captured), response.status_code
    return min(times), statistics.median(times), queries, status


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("dashboard_bench needs PostgreSQL")
    batch = Batch.objects.get(name=DEMO_BATCH_NAME)
    demo_users_create(batch)
    demo_loans_create(batch=batch)
    rows = Recommendation.objects.filter(run_id=batch.published_run_id).count()
    icbc = Bank.objects.get(code="icbc")
    icbc_rows = Recommendation.objects.filter(bank=icbc, superseded=False).count()
    print(f"run #{batch.published_run_id}: {rows:,} list rows, ICBC {icbc_rows:,}")
    product = LoanProduct.objects.filter(bank=icbc).order_by("-pk").first()
    pages = {
        "bureau": [
            "/dashboard/",
            f"/dashboard/?batch={batch.pk}&region=44",
            f"/dashboard/?bank={icbc.pk}",
            "/dashboard/export/",
        ],
        "bureau-gd": ["/dashboard/"],
        "icbc": [
            "/bank/",
            "/bank/?page=700",
            "/bank/?grade=B&sort=-total",
            f"/bank/?product={product.pk}",
            "/bank/?region=4403&stage=growth&sort=-line",
            "/bank/?status=contacted",
            "/bank/export/?grade=A",
        ],
        "icbc-gd": ["/bank/", "/bank/?sort=-need&page=20"],
    }
    print(f"{'user':<10} {'page':<48} {'best':>8} {'median':>8} {'queries':>8}")
    for username, urls in pages.items():
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.get(username=username))
        for url in urls:
            best, median, queries, status = timed(client, url)
            flag = "" if status == 200 else f"  HTTP {status}"
            print(f"{username:<10} {url:<48} {best * 1000:7.0f}ms {median * 1000:7.0f}ms {queries:>8}{flag}")


if __name__ == "__main__":
    main()
