"""Page times of the bank journey at national scale: the bureau's funnel dashboard and the officer's list.

Runs Django's test client in-process against a dedicated PostgreSQL database whose demo batch is published and
pushed (run ``bench/push_bench.py`` first: 520,000 firms, ~70,000 recommended, ~1.5 million list rows). It creates
the demo logins and, once, ``--contracts`` loan contracts (default 7,000, the national scale of the issue) on the top
of the banks' current lists, about half under the special guarantee plan with their guarantees, written in bulk.
Each page is requested ``--repeat`` times; the first (cold: the funnel caches a run's recommendable counts per
process), the best and the median wall-clock times are printed with the number of queries. The target is under 1 s
for every page. The officer's list is also read deep down (page 1,001 of ICBC's 70,000 rows) through the keyset
pager's ``after`` cursor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_push .venv/bin/python bench/dashboard_bench.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from banks.models import LoanProduct, Recommendation, RecommendationList
from banks.selectors import SORTS  # noqa: E402
from bench.figures import figure  # noqa: E402
from core.models import (
    Bank,
    GuaranteeInstitution,
    User,  # noqa: E402
)
from demo.services import DEMO_BATCH_NAME, demo_users_create  # noqa: E402
from enterprises.models import Batch
from guarantees.models import GuaranteeContract
from loans.models import LoanContract  # noqa: E402

REPEAT = 5
CONTRACTS = 7_000
BENCH_PREFIX = "BENCH-"
PAGE = 50  # banks.views.PAGE_SIZE


def timed(client: Client, url: str, repeat: int) -> tuple[float, float, float, int, int]:
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
    return times[0], min(times), statistics.median(times), queries, status


@transaction.atomic
def contracts_create(batch: Batch, total: int) -> int:
    """``total`` signed loans spread over the banks' current lists (the top of each), half of them guaranteed; the
    recommendations move to "contracted". In bulk: this is set-up, the services' rules are tested elsewhere."""
    existing = LoanContract.objects.filter(
        contract_no__startswith=BENCH_PREFIX, recommendation__run=batch.scoring.published_run
    )
    if existing.exists():
        return existing.count()
    run = batch.scoring.published_run
    banks = list(RecommendationList.objects.filter(run=run, size__gt=0).values_list("bank_id", flat=True))
    per_bank = -(-total // len(banks))
    officer = User.objects.get(username="icbc")
    provincial = {
        g.region_scope[:2]: g for g in GuaranteeInstitution.objects.filter(kind="provincial").exclude(region_scope="")
    }
    signed_on = timezone.localdate() - timedelta(days=30)
    loans, rec_ids, province = [], [], {}
    for bank_id in banks:
        rows = Recommendation.objects.filter(
            bank_id=bank_id, run=run, superseded=False, list_rank__lte=per_bank, loan__isnull=True
        )  # the demo's own few loans keep their rows
        for rec in rows.values("pk", "enterprise_id", "product_ids", "suggested_line", "region_code"):
            if len(loans) == total:
                break
            n = len(loans)
            loans.append(
                LoanContract(
                    contract_no=f"{BENCH_PREFIX}{rec['pk']}",
                    enterprise_id=rec["enterprise_id"],
                    bank_id=bank_id,
                    product_id=rec["product_ids"][0],
                    recommendation_id=rec["pk"],
                    amount=max(rec["suggested_line"], Decimal(50)),
                    over_line_reason="" if rec["suggested_line"] >= 50 else "bench",
                    rate=Decimal("3.2"),
                    term_months=12,
                    signed_on=signed_on,
                    disbursed_on=signed_on + timedelta(days=3),
                    repayment_status=("overdue" if n % 20 == 0 else "default" if n % 97 == 0 else "normal"),
                    relending_eligible=n % 3 == 0,
                    guarantee_mode="special_plan" if n % 2 == 0 else "credit",
                    officer=officer,
                )
            )
            rec_ids.append(rec["pk"])
            province[loans[-1].contract_no] = rec["region_code"][:2]
    LoanContract.objects.bulk_create(loans, batch_size=2000)
    Recommendation.objects.filter(pk__in=rec_ids, run=run).update(status="contracted", officer=officer)
    created = {c.contract_no: c for c in LoanContract.objects.filter(contract_no__startswith=BENCH_PREFIX)}
    guarantees = []
    for loan in loans:
        guarantor = provincial.get(province[loan.contract_no])
        if loan.guarantee_mode != "special_plan" or guarantor is None:
            continue
        saved = created[loan.contract_no]
        guarantees.append(
            GuaranteeContract(
                loan=saved,
                guarantor=guarantor,
                reguarantor=guarantor,
                amount=saved.amount,
                bank_share=Decimal(20),
                national_fund_share=Decimal(35),
                provincial_share=Decimal(20),
                local_share=Decimal(25),
                guarantee_fee_rate=Decimal("1.0"),
                reguarantee_fee_rate=Decimal("0.3") if saved.amount <= 500 else Decimal("0.5"),
                signed_on=signed_on,
            )
        )
    GuaranteeContract.objects.bulk_create(guarantees, batch_size=2000)
    return len(loans)


def deep_anchor(user: User, sort: str, position: int) -> int:
    """The id of the row at ``position`` (1-based) of ``user``'s list in order ``sort``: the cursor of the page that
    follows it. Read once with OFFSET, which is exactly what the pager does not do."""
    rows = Recommendation.objects.visible_to(user).current().order_by(*SORTS[sort])
    position = max(1, min(position, rows.count() - PAGE))  # a small demo's list is shorter: its last page but one
    return rows.values_list("pk", flat=True)[position - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument("--contracts", type=int, default=CONTRACTS)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("dashboard_bench needs PostgreSQL")
    batch = Batch.objects.get(name=DEMO_BATCH_NAME)
    demo_users_create(batch)
    contracts = contracts_create(batch, args.contracts)
    run_id = batch.scoring.published_run_id
    lists = RecommendationList.objects.filter(run_id=run_id)
    rows = sum(lists.values_list("size", flat=True))
    icbc = Bank.objects.get(code="icbc")
    icbc_rows = lists.get(bank=icbc).size
    eligible = batch.scoring.published_run.counts.get("eligible", 0)
    print(
        f"run #{run_id}: {rows:,} list rows ({eligible:,} firms recommended),"
        f" ICBC {icbc_rows:,}; {contracts:,} loan contracts,"
        f" {GuaranteeContract.objects.filter(loan__contract_no__startswith=BENCH_PREFIX).count():,} guaranteed;"
        f" load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    product = LoanProduct.objects.filter(bank=icbc).order_by("-pk").first()
    head, branch = User.objects.get(username="icbc"), User.objects.get(username="icbc-gd")
    deep = min(1_000 * PAGE, icbc_rows - PAGE)
    pages = {
        "bureau": [
            "/dashboard/",
            f"/dashboard/?batch={batch.pk}&region=44",
            "/dashboard/?region=4403",
            f"/dashboard/?bank={icbc.pk}",
            f"/dashboard/?bank={icbc.pk}&region=32",
            "/dashboard/export/",
        ],
        "bureau-gd": ["/dashboard/", "/dashboard/?region=4401"],
        "bureau-runs": [  # the national bureau again, its run pages (a client of their own: cold)
            f"/bureau/runs/{run_id}/",
            f"/bureau/runs/{run_id}/results/",
            f"/bureau/runs/{run_id}/results/?grade=A&region=44",
            f"/bureau/runs/{run_id}/results/?order=-total&stage=growth",
        ],
        "icbc": [
            "/bank/",
            f"/bank/?after={deep_anchor(head, 'rank', deep)}",  # page 1,001 of 1,400
            "/bank/?grade=B&sort=-total",
            f"/bank/?sort=-line&after={deep_anchor(head, '-line', deep)}",
            f"/bank/?product={product.pk}",
            "/bank/?region=4403&stage=growth&sort=-line",
            "/bank/?status=contracted",
            "/bank/export/?grade=A",
        ],
        "icbc-gd": ["/bank/", f"/bank/?sort=-need&after={deep_anchor(branch, '-need', 100 * PAGE)}"],
    }
    Client(HTTP_HOST="localhost").get("/healthz")  # the process's own warm-up (imports, middleware), not a page's
    print(f"{'user':<11} {'page':<52} {'first':>8} {'best':>8} {'median':>8} {'queries':>8}")
    cold = []  # (user, page, first view): the figures of make bench
    for username, urls in pages.items():
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.get(username=username.removesuffix("-runs")))
        for url in urls:
            first, best, median, queries, status = timed(client, url, args.repeat)
            flag = "" if status == 200 else f"  HTTP {status}"
            print(
                f"{username:<11} {url:<52} {first * 1000:7.0f}ms {best * 1000:7.0f}ms {median * 1000:7.0f}ms"
                f" {queries:>8}{flag}"
            )
            cold.append((username, url, first))
    for what, users in (("bureau dashboard", ("bureau", "bureau-gd")), ("run pages", ("bureau-runs",)),
                        ("bank list", ("icbc", "icbc-gd"))):  # fmt: skip
        # Pages: a CSV export is a download of the whole (filtered) list, measured as such by bench/list_bench.py.
        _user, url, first = max((c for c in cold if c[0] in users and "/export/" not in c[1]), key=lambda c: c[2])
        figure(f"{what}: slowest cold page ({url})", first, "s", target=1)


if __name__ == "__main__":
    main()
