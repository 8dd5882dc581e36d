"""Benchmark of the weight sandbox (``scoring.sandbox.sandbox_preview``) on PostgreSQL, against a naive baseline.

A draft copy of national-v2 (weights moved, never frozen) is previewed on the demo batch beside its published
national-v1 run, for a national bureau: once cold (this process has nothing cached: the filings and the published
run's scores are read) and three times warm (median shown), each split into load, engine and compare. The baseline
is what the bureau could do without the sandbox: freeze a copy of the draft, run it as a trial run written to the
database (load, score, report figures, COPY into its partition) and compare the stored run with the published one
(``run_comparison``) — measured in full; the baseline's run, scores and system are removed afterwards.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_bench .venv/bin/python bench/sandbox_bench.py --firms 520000

``--firms N`` first tops the demo population up to N firms and scores the published run if it does not exist yet
(its time is not part of the figures).
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
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from compare_bench import ensure_population, ensure_run, officer  # noqa: E402
from django.db import connection  # noqa: E402

from bench.figures import figure  # noqa: E402
from demo.services import weights_moved  # noqa: E402
from scoring.comparison import run_comparison  # noqa: E402
from scoring.indicator_systems import indicator_system_clone, indicator_system_definition  # noqa: E402
from scoring.models import IndicatorSystem, ScoringRun  # noqa: E402
from scoring.persistence import scores_discard  # noqa: E402
from scoring.sandbox import sandbox_cache_clear, sandbox_preview  # noqa: E402
from scoring.services import scoring_run_create, scoring_run_execute  # noqa: E402

REPEATS = 3
DRAFT_CODE = "sandbox-bench"


def draft_system(code: str = DRAFT_CODE) -> IndicatorSystem:
    """An unfrozen copy of national-v2 with five points of every stage moved from its first base indicator to its
    second (each stage still sums to 100)."""
    existing = IndicatorSystem.objects.filter(code=code, frozen=False).first()
    if existing is not None:
        return existing
    source = IndicatorSystem.objects.get(code="national", version=2)
    draft = indicator_system_clone(source=source, code=code, name=code, user=None)
    first, second = [ind for ind in draft.indicators.order_by("order") if not ind.is_bonus][:2]
    weights_moved(draft, source=first.code, target=second.code, points=5)
    return draft


def split(preview) -> str:
    s = preview.seconds
    return f"{s['total']:.3f} s (load {s['load']:.3f}, engine {s['engine']:.3f}, compare {s['compare']:.3f})"


def baseline(batch, published: ScoringRun, draft: IndicatorSystem, who) -> tuple[float, dict]:
    """A trial run of a frozen copy of the draft written to the database, then compared with the published run."""
    copy = indicator_system_clone(source=draft, code=f"{DRAFT_CODE}-naive", name="naive", user=None)
    started = time.perf_counter()
    run = scoring_run_create(batch=batch, system=copy, trial=True, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    run = ScoringRun.objects.select_related("system").get(pk=run.pk)
    comparison = run_comparison(who=who, base=published, other=run)
    seconds = time.perf_counter() - started
    scores_discard(run=run)
    run.delete()
    copy.delete()
    return seconds, {**run.timings, "compare": comparison.seconds["total"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firms", type=int, default=None, help="top the demo batch up to this many firms first")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("sandbox_bench needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_bench")
    batch = ensure_population(args.firms)
    published = ensure_run(batch, "national-v1", trial=False)
    batch.refresh_from_db()
    draft = draft_system()
    definition = indicator_system_definition(draft)
    who = officer("")
    print(f"PostgreSQL {connection.pg_version // 10000}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
          f"published run #{published.pk} ({published.system.key}, {published.enterprise_count:,} firms), "
          f"draft {draft.key}")  # fmt: skip

    sandbox_cache_clear()
    cold = sandbox_preview(who=who, batch=batch, system=draft, definition=definition)
    print(f"\nsandbox preview, cold (nothing cached): {split(cold)}")
    warm = [sandbox_preview(who=who, batch=batch, system=draft, definition=definition) for _ in range(REPEATS)]
    median = statistics.median(p.seconds["total"] for p in warm)
    typical = min(warm, key=lambda p: abs(p.seconds["total"] - median))
    c = typical.comparison.counts
    every = ", ".join(f"{p.seconds['total']:.3f}" for p in warm)
    print(f"sandbox preview, warm (population cached): median {split(typical)} of {REPEATS}; all: {every}")
    print(f"  {typical.draft.eligible:,} recommendable under the draft against {typical.published.eligible:,}; "
          f"{c['entered']:,} enter and {c['left']:,} leave the list")  # fmt: skip

    if args.no_baseline:
        figure("weight sandbox preview, cold", cold.seconds["total"], "s", target=5)
        figure("weight sandbox preview, warm (median)", median, "s", target=5)
        return
    seconds, timings = baseline(batch, published, draft, who)
    phases = ", ".join(f"{name} {timings.get(name, 0):.3f}" for name in ("load", "score", "report", "persist"))
    print(
        f"\nnaive baseline (a trial run written to the database, then compared): {seconds:.3f} s "
        f"({phases}, compare {timings['compare']:.3f})"
    )
    figure("weight sandbox preview, cold", cold.seconds["total"], "s", target=5, baseline=seconds)
    figure("weight sandbox preview, warm (median)", median, "s", target=5, baseline=seconds)


if __name__ == "__main__":
    main()
