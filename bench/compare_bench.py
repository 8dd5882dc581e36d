"""Benchmark of the run comparison (``scoring.comparison.run_comparison``) on PostgreSQL, against a naive baseline.

The demo batch is scored twice — national-v1 (published) and a national-v2 trial — and the two runs are compared for
a national bureau (every firm) and for a provincial one (Guangdong), each three times (median shown, with the split
between reading the stored scores with the per-indicator means — four reads at once on four connections — and the
numpy comparison). The baseline does what
straightforward Django code would: read every score row of both runs through the ORM as dicts and compare them in a
Python loop (grade migration, list entries and exits, rank shifts, province counts) — measured in full, not
extrapolated.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_bench .venv/bin/python bench/compare_bench.py --firms 520000

``--firms N`` first tops the demo population up to N firms (``generate_demo`` in a child process) and scores the
two runs if they do not exist yet (their time is not part of the figures).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from bench.figures import figure  # noqa: E402
from core.models import BureauStaff, User  # noqa: E402
from demo.services import DEMO_BATCH_NAME  # noqa: E402
from enterprises.models import Batch, Submission  # noqa: E402
from scoring.comparison import run_comparison  # noqa: E402
from scoring.models import IndicatorSystem, Score, ScoringRun  # noqa: E402
from scoring.services import scoring_run_create, scoring_run_execute, scoring_run_publish  # noqa: E402

REPEATS = 3


def ensure_population(firms: int | None) -> Batch:
    batch = Batch.objects.filter(name=DEMO_BATCH_NAME).first()
    have = Submission.objects.filter(batch=batch).count() if batch else 0
    if firms and have < firms:
        print(f"generating {firms - have:,} demo firms (have {have:,}) …", flush=True)
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "generate_demo", "--firms", str(firms - have),
             "--seed", str(2024 + have)],
            check=True, cwd=ROOT,
        )  # fmt: skip
        batch = Batch.objects.get(name=DEMO_BATCH_NAME)
    if batch is None:
        sys.exit("no demo batch: pass --firms N")
    with connection.cursor() as cursor:  # fresh bulk loads have no planner statistics yet
        for table in ("enterprises_enterprise", "enterprises_submission", "enterprises_consent"):
            cursor.execute(f"ANALYZE {table}")  # nosec B608 # fixed table names
    return batch


def ensure_run(batch: Batch, key: str, *, trial: bool) -> ScoringRun:
    code, version = key.rsplit("-v", 1)
    system = IndicatorSystem.objects.get(code=code, version=int(version))
    firms = Submission.objects.filter(batch=batch).count()
    run = batch.runs.filter(system=system, trial=trial, state__in=("computed", "published"),
                            enterprise_count=firms).order_by("-pk").first()  # fmt: skip
    if run is None:
        print(f"scoring the batch with {key} ({'trial' if trial else 'for publication'}) …", flush=True)
        run = scoring_run_create(batch=batch, system=system, trial=trial, enqueue=False)
        scoring_run_execute(run_id=run.pk)
        run.refresh_from_db()
        if not trial:
            run = scoring_run_publish(run=run)
    return ScoringRun.objects.select_related("system").get(pk=run.pk)


def officer(region: str) -> User:
    user, _ = User.objects.get_or_create(username=f"compare-bench-{region or 'national'}")
    BureauStaff.objects.get_or_create(user=user, defaults={"bureau_name": "bench", "region_scope": region})
    return User.objects.get(pk=user.pk)


def naive(base: ScoringRun, other: ScoringRun) -> dict:
    """The comparison as straightforward Django code would write it: ORM dicts and a Python loop."""
    columns = ("enterprise_id", "grade", "total", "rank_national", "eligible", "region")
    a = {row["enterprise_id"]: row for row in Score.objects.filter(run=base).values(*columns).iterator(10_000)}
    b = {row["enterprise_id"]: row for row in Score.objects.filter(run=other).values(*columns).iterator(10_000)}
    migration, shifts, provinces = Counter(), Counter(), Counter()
    entered = left = 0
    for pk, row in a.items():
        provinces[(row["region"] // 10_000, "base")] += row["eligible"]
        match = b.get(pk)
        if match is None:
            continue
        migration[(row["grade"], match["grade"])] += 1
        entered += (not row["eligible"]) and match["eligible"]
        left += row["eligible"] and not match["eligible"]
        shifts[row["rank_national"] - match["rank_national"]] += 1
    for row in b.values():
        provinces[(row["region"] // 10_000, "other")] += row["eligible"]
    return {"migration": migration, "entered": entered, "left": left, "shifts": len(shifts)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firms", type=int, default=None, help="top the demo batch up to this many firms first")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("compare_bench needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_bench")
    batch = ensure_population(args.firms)
    base, other = ensure_run(batch, "national-v1", trial=False), ensure_run(batch, "national-v2", trial=True)
    print(f"PostgreSQL {connection.pg_version // 10000}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
          f"runs #{base.pk} ({base.system.key}, {base.enterprise_count:,} firms) and #{other.pk} "
          f"({other.system.key}, {other.enterprise_count:,} firms)")  # fmt: skip

    medians = {}
    for region in ("", "44"):
        who = officer(region)
        timings, result = [], None
        for _ in range(REPEATS):
            started = time.perf_counter()
            result = run_comparison(who=who, base=base, other=other)
            timings.append((time.perf_counter() - started, result.seconds))
        median = medians[region] = statistics.median(t for t, _ in timings)
        split = min(timings, key=lambda t: abs(t[0] - median))[1]
        c = result.counts
        print(f"\nbureau {region or 'national'}: {c['matched']:,} firms matched, {c['entered']:,} enter and "
              f"{c['left']:,} leave the list — median {median:.3f} s of {REPEATS} "
              f"(reading both runs and their indicator means {split['load']:.3f}, comparing {split['compare']:.3f})"
              f"; all: {', '.join(f'{t:.3f}' for t, _ in timings)}")  # fmt: skip

    seconds = None
    if not args.no_baseline:
        started = time.perf_counter()
        plain = naive(base, other)
        seconds = time.perf_counter() - started
        print(f"\nnaive baseline (ORM dicts + a Python loop, national, fewer figures): {seconds:.3f} s, measured in "
              f"full ({plain['entered']:,} enter, {plain['left']:,} leave)")  # fmt: skip
    figure("run comparison, national bureau (median)", medians[""], "s", target=2, baseline=seconds)
    figure("run comparison, Guangdong bureau (median)", medians["44"], "s", target=2)


if __name__ == "__main__":
    main()
