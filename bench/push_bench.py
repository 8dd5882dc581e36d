"""Benchmark of the recommendation push at national scale, against a one-row-at-a-time baseline.

The demo batch of a dedicated PostgreSQL database (520,000 firms, ~70,000 eligible, 21 national banks with a branch
in every province plus regional banks) is scored and published once if it has no published run; then every bank's
list is pushed in-process, as the push workers do, one bank after another (one worker) and with ``--workers N``
processes in parallel. Before each measurement the run's lists are removed. The baseline creates Recommendation rows
one ``save()`` at a time for a sample and is extrapolated linearly (labelled as such).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_push_bench .venv/bin/python bench/push_bench.py
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from banks.models import Bank, Recommendation, RecommendationList  # noqa: E402
from banks.selectors import push_population, push_population_forget  # noqa: E402
from banks.services import banks_to_push, recommendation_list_push, recommendation_rows  # noqa: E402
from core.demo.services import DEMO_BATCH_NAME, demo_organisations_create  # noqa: E402
from scoring.models import Batch, ScoringRun  # noqa: E402

BASELINE_SAMPLE = 2_000


def clear(run: ScoringRun) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM banks_recommendation WHERE run_id = %s", [run.pk])
    RecommendationList.objects.filter(run=run).delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE banks_recommendation")


def push_one(args: tuple[int, int]) -> tuple[int, int, float]:
    run_id, bank_id = args
    connection.close()  # a fresh connection per worker process
    started = time.perf_counter()
    result = recommendation_list_push(
        run=ScoringRun.objects.get(pk=run_id), bank=Bank.objects.get(pk=bank_id), notify=False
    )
    return bank_id, result.listed, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2, help="parallel push workers for the second measurement")
    parser.add_argument("--sample", type=int, default=BASELINE_SAMPLE)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("push_bench needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_push_bench")
    demo_organisations_create()
    batch = Batch.objects.get(name=DEMO_BATCH_NAME)
    if batch.published_run_id is None:
        from django.core.management import call_command

        call_command("score_batch", batch.pk, publish=True)
        batch.refresh_from_db()
    run = batch.published_run
    bank_ids = banks_to_push()
    print(
        f"PostgreSQL {connection.pg_version // 10000}, run #{run.pk}: {run.enterprise_count:,} firms, "
        f"{run.counts.get('eligible', 0):,} eligible; {len(bank_ids)} banks with products; {os.cpu_count()} cores"
    )

    clear(run)
    push_population_forget()
    started = time.perf_counter()
    push_population(run=run)
    load = time.perf_counter() - started
    rows = 0
    slowest = 0.0
    for bank_id in bank_ids:
        _, listed, seconds = push_one((run.pk, bank_id))
        rows += listed
        slowest = max(slowest, seconds)
    sequential = time.perf_counter() - started
    print(
        f"push, one worker:   {sequential:6.2f} s for {rows:,} list rows ({rows / sequential:,.0f} rows/s);"
        f" eligible firms read once in {load:.2f} s, slowest bank {slowest:.2f} s"
    )

    started = time.perf_counter()
    for bank_id in bank_ids:
        push_one((run.pk, bank_id))
    print(
        f"re-push (idempotent, nothing written): {time.perf_counter() - started:6.2f} s;"
        f" rows now {Recommendation.objects.filter(run=run).count():,}"
    )

    if args.workers > 1:
        clear(run)
        push_population_forget()  # forked workers must not inherit the parent's cached read
        connection.close()
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            results = list(pool.map(push_one, [(run.pk, b) for b in bank_ids]))
        parallel = time.perf_counter() - started
        print(
            f"push, {args.workers} workers:  {parallel:6.2f} s for {sum(r[1] for r in results):,} list rows"
            f" (each worker reads the eligible firms once)"
        )

    # Baseline: what straightforward Django does, one Recommendation.save() per row, on a sample.
    bank = Bank.objects.get(pk=bank_ids[0])
    frame = recommendation_rows(run=run, bank=bank).head(args.sample)
    with transaction.atomic():
        Recommendation.objects.filter(run=run, bank=bank).delete()
        started = time.perf_counter()
        for row in frame.itertuples(index=False):
            Recommendation.objects.create(
                run_id=run.pk,
                bank_id=bank.pk,
                enterprise_id=int(row.enterprise_id),
                list_rank=int(row.list_rank),
                total=row.total,
                grade=row.grade,
                stage=row.stage,
                region_code=row.region_code,
                section=row.section,
                product_ids=[int(x) for x in row.product_ids.strip("[]").split(",") if x.strip()],
                suggested_line=row.suggested_line,
                preferred=bool(row.preferred),
                financing_amount=None if row.financing_amount != row.financing_amount else row.financing_amount,
            )
        per_row = (time.perf_counter() - started) / len(frame)
        transaction.set_rollback(True)
    print(
        f"baseline, one INSERT per row: {per_row * 1000:.2f} ms/row on {len(frame):,} rows"
        f" -> ~{per_row * rows:,.0f} s for {rows:,} rows (extrapolated linearly)"
    )


if __name__ == "__main__":
    main()
