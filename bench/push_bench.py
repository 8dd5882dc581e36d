"""Benchmark of the recommendation push at national scale, against a one-row-at-a-time baseline.

On a dedicated PostgreSQL database whose demo batch holds 520,000 firms (``manage.py generate_demo --firms 520000``;
~70,000 eligible, 21 national banks with a branch in every province plus regional banks), the batch is scored and
published once if it has no published run. Then, from a clean slate (every list of the batch dropped, with the
bench's loans on them):

1. the push of the published run, in-process, one bank after another as one push worker does (the eligible firms
   read once, included), then the same push again (idempotent: nothing written);
2. the same push with ``--workers`` processes in parallel, as the fan-out task and that many push workers do;
3. supersession: a second run of the same batch (scored once, then reused) is published and pushed with
   ``--workers`` processes, after officers worked ``--worked`` firms of each bank's first list (contacted, claimed,
   noted), whose work moves to the new lists;
4. the baseline: Recommendation rows created one ``save()`` at a time for a sample, extrapolated linearly.

The machine is shared and timings are noisy: the load average is printed; take the best of a few runs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_push .venv/bin/python bench/push_bench.py
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from banks import partitions  # noqa: E402
from banks.models import Recommendation, RecommendationList
from banks.selectors import push_population, push_population_forget  # noqa: E402
from banks.services import recommendation_list_push, recommendation_push_prepare, recommendation_rows  # noqa: E402
from banks.tasks import push_recommendations_task  # noqa: E402
from bench.cpu import CpuClock, cpu_text  # noqa: E402
from bench.figures import figure  # noqa: E402
from core.models import (
    Bank,
    User,  # noqa: E402
)
from demo.services import DEMO_BATCH_NAME, demo_organisations_create, demo_users_create  # noqa: E402
from enterprises.models import Batch
from guarantees.models import CompensationEvent, GuaranteeContract  # noqa: E402
from loans.models import LoanContract  # noqa: E402
from scoring.choices import RunState  # noqa: E402
from scoring.models import ScoringRun
from scoring.services import scoring_run_create, scoring_run_execute, scoring_run_publish  # noqa: E402

BASELINE_SAMPLE = 2_000
WORKED_PER_BANK = 300


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def publish_quietly(run: ScoringRun) -> ScoringRun:
    """Publish without the on-commit fan-out: the bench pushes itself, timed."""
    with mock.patch.object(push_recommendations_task, "delay"):
        return scoring_run_publish(run=run)


def clear(batch: Batch) -> None:
    """Drop every list of the batch's runs (a partition per run: one DROP each), and the loans made on them."""
    loans = LoanContract.objects.filter(recommendation__run__batch=batch)
    if loans.exists():
        CompensationEvent.objects.filter(guarantee__loan__in=loans).delete()
        GuaranteeContract.objects.filter(loan__in=loans).delete()
        dropped, _ = loans.delete()
        print(f"  (dropped {dropped:,} loans made on the lists: bench/dashboard_bench.py makes them again)")
    runs = list(batch.runs.values_list("pk", flat=True))
    RecommendationList.objects.filter(run_id__in=runs).delete()
    with connection.cursor() as cursor:
        for run_id in runs:
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(partitions.run_table(run_id))}")


def push_one(args: tuple[int, int]) -> tuple[int, int, int, int, float, float, float]:
    """Push one bank's list on a fresh connection; returns the bank, the counts, the seconds, and the CPU seconds of
    this process and of its database backend."""
    run_id, bank_id = args
    connection.close()  # a fresh connection per worker process
    started, clock = time.perf_counter(), CpuClock().start()
    result = recommendation_list_push(
        run=ScoringRun.objects.get(pk=run_id), bank=Bank.objects.get(pk=bank_id), notify=False
    )
    return (bank_id, result.listed, result.carried, result.superseded, time.perf_counter() - started,
            *clock.seconds())  # fmt: skip


def cpu(results: list[tuple], extra: tuple[float, float] = (0.0, 0.0)) -> str:
    return cpu_text(extra[0] + sum(r[5] for r in results), extra[1] + sum(r[6] for r in results))


def push_parallel(run: ScoringRun, workers: int) -> tuple[float, list[tuple]]:
    """The fan-out task's work (the run's partition, the bank list), then every bank in ``workers`` processes."""
    push_population_forget()  # forked workers must not inherit the parent's cached read
    connection.close()
    started = time.perf_counter()
    bank_ids = recommendation_push_prepare(run=run)
    connection.close()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(push_one, [(run.pk, b) for b in bank_ids]))
    return time.perf_counter() - started, results


def work_on_lists(run: ScoringRun, per_bank: int) -> int:
    """Officers' work on the top ``per_bank`` firms of every bank's list: contacted, claimed, with a note."""
    officer = User.objects.filter(bank_officer__isnull=False).order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE banks_recommendation SET status = 'contacted', officer_id = %s, notes = '已电话联系',"
            " status_changed_at = now() WHERE run_id = %s AND list_rank <= %s",
            [officer.pk, run.pk, per_bank],
        )
        return cursor.rowcount


def second_run(batch: Batch, first: ScoringRun) -> ScoringRun:
    """Another computed run of the batch, not a trial (scored once, then reused by later invocations)."""
    other = batch.runs.filter(state=RunState.COMPUTED, trial=False).exclude(pk=first.pk).order_by("-pk").first()
    if other is None:
        print("  scoring a second run of the batch (once; later invocations reuse it) ...")
        other = scoring_run_create(batch=batch, enqueue=False)
        scoring_run_execute(run_id=other.pk)
        other.refresh_from_db()
    return other


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2, help="parallel push workers (default 2)")
    parser.add_argument("--sample", type=int, default=BASELINE_SAMPLE, help="rows of the one-row-at-a-time baseline")
    parser.add_argument("--worked", type=int, default=WORKED_PER_BANK, help="firms worked per bank before supersession")
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("push_bench needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_push")
    demo_organisations_create()
    batch = Batch.objects.get(name=DEMO_BATCH_NAME)
    demo_users_create(batch)  # the officers whose work the supersession carries over
    if batch.scoring.published_run_id is None:
        run = scoring_run_create(batch=batch, enqueue=False)
        scoring_run_execute(run_id=run.pk)
        publish_quietly(ScoringRun.objects.get(pk=run.pk))
        batch.refresh_from_db()
    run = batch.scoring.published_run
    bank_ids = recommendation_push_prepare(run=run)
    print(
        f"PostgreSQL {connection.pg_version // 10000}, run #{run.pk}: {run.enterprise_count:,} firms, "
        f"{run.counts.get('eligible', 0):,} eligible; {len(bank_ids)} banks with products; {os.cpu_count()} cores"
    )

    # 1. One worker.
    clear(batch)
    push_population_forget()
    print(f"  before: {load()}")
    started, clock = time.perf_counter(), CpuClock().start()
    recommendation_push_prepare(run=run)
    push_population(run=run)
    population = time.perf_counter() - started
    reading = clock.seconds()
    results = [push_one((run.pk, bank_id)) for bank_id in bank_ids]
    sequential = time.perf_counter() - started
    rows, slowest = sum(r[1] for r in results), max(r[4] for r in results)
    print(
        f"push, one worker:   {sequential:6.2f} s for {rows:,} list rows ({rows / sequential:,.0f} rows/s);"
        f" eligible firms read once in {population:.2f} s, slowest bank {slowest:.2f} s; {cpu(results, reading)};"
        f" {load()}"
    )

    started = time.perf_counter()
    for bank_id in bank_ids:
        push_one((run.pk, bank_id))
    print(
        f"re-push (idempotent, nothing written): {time.perf_counter() - started:6.2f} s;"
        f" rows now {Recommendation.objects.filter(run=run).count():,}"
    )

    # 2. Parallel workers.
    if args.workers > 1:
        clear(batch)
        parallel, results = push_parallel(run, args.workers)
        print(
            f"push, {args.workers} workers:  {parallel:6.2f} s for {sum(r[1] for r in results):,} list rows"
            f" (each worker reads the eligible firms once); {cpu(results)} in the bank pushes; {load()}"
        )

    # 3. Supersession by a second published run of the batch.
    newer = second_run(batch, run)
    worked = work_on_lists(run, args.worked)
    publish_quietly(newer)
    superseding, results = push_parallel(newer, max(args.workers, 1))
    carried, superseded = sum(r[2] for r in results), sum(r[3] for r in results)
    print(
        f"supersession, {max(args.workers, 1)} workers: {superseding:6.2f} s for {sum(r[1] for r in results):,}"
        f" new list rows, {superseded:,} rows superseded, officers' work on {carried:,} of {worked:,} worked rows"
        f" carried over (the others' firms left the lists); {cpu(results)}; {load()}"
    )
    run = newer

    # 4. Baseline: what straightforward Django does, one Recommendation.save() per row, on a sample.
    if args.skip_baseline:
        return push_figures(args.workers, sequential, parallel if args.workers > 1 else None, superseding)
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
                financing_amount=row.financing_amount,
            )
        per_row = (time.perf_counter() - started) / len(frame)
        transaction.set_rollback(True)
    print(
        f"baseline, one INSERT per row: {per_row * 1000:.2f} ms/row on {len(frame):,} rows"
        f" -> ~{per_row * rows:,.0f} s for {rows:,} rows (extrapolated linearly)"
    )
    push_figures(args.workers, sequential, parallel if args.workers > 1 else None, superseding, per_row * rows)


def push_figures(workers: int, one: float, parallel: float | None, superseding: float, baseline: float | None = None):
    """The issue's figures for ``make bench``: <= 25 s in one process, <= 10 s with two workers."""
    figure("push, one process", one, "s", target=25, baseline=baseline)
    if parallel is not None:
        figure(f"push, {workers} workers", parallel, "s", target=10 if workers == 2 else None, baseline=baseline)
    figure(f"supersession push, {max(workers, 1)} workers", superseding, "s")


if __name__ == "__main__":
    main()
