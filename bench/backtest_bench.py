"""The score back-test at national scale: 520,000 scored firms and their loan book (~130,000 loans with outcomes
drawn from the firms' latent strength, ``demo.loans.demo_loan_book_create``) on a dedicated PostgreSQL database.

Builds the population, the book and a published run once (``--firms``), then times ``dashboard.backtest.backtest``
— the page's numbers — for the national bureau, one province and one bank, ``--repeat`` times each (best and median
wall-clock, queries), beside a naive baseline: every loan and its score read into Python one by one and counted
there (on the first ``--baseline`` loans, extrapolated). Target: under 1 s. ``--firms 130000`` (a book of ~33,000
loans) builds in under a minute on a spare database and shows the shape; the national figure is ``--firms 520000``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_backtest .venv/bin/python bench/backtest_bench.py
"""

from __future__ import annotations

import argparse
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

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.figures import figure  # noqa: E402
from core.models import Bank  # noqa: E402
from core.regions import in_region  # noqa: E402
from dashboard.backtest import backtest  # noqa: E402
from demo.loans import LOAN_BOOK_PREFIX, demo_loan_book_create  # noqa: E402
from demo.services import demo_batch_get_or_create, demo_firms_create, demo_organisations_create  # noqa: E402
from loans.models import LoanContract  # noqa: E402
from scoring.models import Score  # noqa: E402
from scoring.services import scoring_run_create, scoring_run_execute, scoring_run_publish  # noqa: E402


def prepare(firms: int):
    batch = demo_batch_get_or_create()
    if batch.scoring.published_run_id is None:
        demo_organisations_create()
        started = time.perf_counter()
        report = demo_firms_create(firms=firms, seed=2024, batch=batch)
        book = demo_loan_book_create(enterprise_ids=report.enterprise_ids, strength=report.strength, seed=2024)
        print(f"population {firms:,} and loan book {book:,} in {time.perf_counter() - started:.1f} s")
        run = scoring_run_create(batch=batch, enqueue=False)
        scoring_run_execute(run_id=run.pk)
        run.refresh_from_db()
        scoring_run_publish(run=run)
        batch.refresh_from_db()
    return batch.scoring.published_run


def timed(run, loans, repeat: int):
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            data = backtest(run=run, loans=loans)
            times.append(time.perf_counter() - started)
        queries = len(captured)
    return min(times), statistics.median(times), queries, data


def naive(run, limit: int) -> float:
    """One query per loan for its score, the counting in Python: what a first version would do."""
    started = time.perf_counter()
    counts: dict[str, list[int]] = {}
    loans = list(LoanContract.objects.filter(contract_no__startswith=LOAN_BOOK_PREFIX).order_by("pk")[:limit])
    for loan in loans:
        score = Score.objects.filter(run=run, enterprise_id=loan.enterprise_id).first()
        if score is None:
            continue
        row = counts.setdefault(score.grade, [0, 0])
        row[0] += 1
        row[1] += loan.repayment_status == "default"
    return (time.perf_counter() - started) / max(len(loans), 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--firms", type=int, default=520_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline", type=int, default=2_000)
    args = parser.parse_args()
    run = prepare(args.firms)
    total = LoanContract.objects.count()
    print(f"run #{run.pk}: {Score.objects.filter(run=run).count():,} scores, {total:,} loans")
    icbc = Bank.objects.get(code="icbc")
    cases = {
        "national bureau": LoanContract.objects.all(),
        "Guangdong bureau (44)": in_region(LoanContract.objects.all(), "enterprise__region_code", "44"),
        "one bank (ICBC)": LoanContract.objects.filter(bank=icbc),
    }
    medians = {}
    for name, loans in cases.items():
        best, median, queries, data = timed(run, loans, args.repeat)
        medians[name] = median
        rates = " ".join(f"{r.key} {r.default_rate}%" for r in data.by_grade)
        print(f"{name:<24} best {best * 1000:7.1f} ms  median {median * 1000:7.1f} ms  {queries} queries  "
              f"{data.total.loans:,} loans  AUC {data.auc:.3f}  default {rates}")  # fmt: skip
    per_loan = naive(run, args.baseline)
    print(f"naive baseline: {per_loan * 1000:.2f} ms a loan -> {per_loan * total:.1f} s for the national book")
    for name, median in medians.items():
        national = name == "national bureau"
        figure(f"back-test, {name} (median)", median, "s", target=1, baseline=per_loan * total if national else None)


if __name__ == "__main__":
    main()
