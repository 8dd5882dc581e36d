"""Benchmark of a whole scoring run on PostgreSQL — load, score, persist, publish — against a naive baseline.

Runs the real services in-process on the demo batch ("2024年度企业创新积分评价") of a dedicated database, so the
figures are those of ``python manage.py score_batch``. The baseline does what straightforward Django code would:
load each filing through the ORM (plus one consent query per firm), score one enterprise at a time in plain Python
(``scoring/tests/engine/reference.py``), and ``save()`` one Score row at a time. It is timed on a sample and
extrapolated linearly — labelled as such; linear extrapolation flatters the O(N log N) reference a little.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_bench .venv/bin/python bench/score_bench.py --firms 520000

``--firms N`` first tops the demo population up to N firms (``generate_demo`` in a child process, so its memory
does not count) and ANALYZEs the tables, as autovacuum would on a live system.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import resource
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")  # as config/__init__.py sets it for the project's processes

import django  # noqa: E402
import numpy as np  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Exists, IntegerField, OuterRef, Q  # noqa: E402
from django.db.models.functions import Cast  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.figures import figure  # noqa: E402
from core.db.copy import CENTS, WIRE_TYPES, _parse_fixed_width, arrays_insert  # noqa: E402
from demo.services import DEMO_BATCH_NAME  # noqa: E402
from enterprises.models import Batch, Consent, Submission  # noqa: E402
from enterprises.selectors import consenting_enterprise_ids  # noqa: E402
from scoring import services  # noqa: E402
from scoring.choices import RunState  # noqa: E402
from scoring.engine import score  # noqa: E402
from scoring.engine.report import report_figures  # noqa: E402
from scoring.engine.whatif import PeerSampler, peer_distributions  # noqa: E402
from scoring.models import Score, ScoringRun  # noqa: E402
from scoring.persistence import partition_name, score_columns  # noqa: E402
from scoring.selectors import (  # noqa: E402
    POPULATION_COLUMNS,
    _population,
    population_load,
    population_queryset,
    system_definition,  # noqa: E402
)
from scoring.services import scoring_run_create, scoring_run_execute, scoring_run_publish  # noqa: E402
from scoring.signals import run_published, run_released  # noqa: E402

SAMPLE = 1_000
PHASES = ("load", "score", "report", "persist", "publish")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firms", type=int, default=None, help="top the demo batch up to this many firms first")
    parser.add_argument("--sample", type=int, default=SAMPLE, help="firms in the naive baseline's sample")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("score_bench needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_bench")

    batch = ensure_population(args.firms)
    firms = Submission.objects.filter(batch=batch).count()
    print(f"PostgreSQL {connection.pg_version // 10000}, batch '{batch}': {firms:,} firms, {os.cpu_count()} cores")

    # The run alone: what follows a publication (policy matching, the banks' push, post-loan warnings) has its own
    # benches.
    run_published.disconnect(dispatch_uid="policies-match-on-publication")
    run_released.disconnect(dispatch_uid="banks-push-on-release")
    run_released.disconnect(dispatch_uid="loans-warnings-on-release")
    run = scoring_run_create(batch=batch, enqueue=False)
    load_before = os.getloadavg()[0]
    cpu = CpuMeter()
    started = time.perf_counter()
    with cpu.phases_of_the_run():
        scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    if run.state != "computed":
        sys.exit(f"run #{run.pk} ended {run.state}: {run.error}")
    run = scoring_run_publish(run=run)
    cpu.mark("publish")
    wall = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = run.timings
    measured = sum(t[phase] for phase in PHASES)

    print(f"\nrun #{run.pk} ({run.system.key}), {firms:,} firms — measured, load average {load_before:.1f} before")
    print(f"  {'phase':<10}{'seconds':>10}{'firms/s':>14}{'CPU here':>10}{'CPU db':>9}")
    used = cpu.used()
    for phase in PHASES:
        here, db = used.get(phase, (float("nan"), float("nan")))
        print(f"  {phase:<10}{t[phase]:>10.3f}{firms / t[phase]:>14,.0f}{here:>10.2f}{db:>9.2f}")
    here, db = (sum(v[i] for v in used.values()) for i in (0, 1))
    print(f"  {'total':<10}{measured:>10.3f}{firms / measured:>14,.0f}{here:>10.2f}{db:>9.2f}"
          f"   (wall clock incl. state updates: {wall:.3f} s)")  # fmt: skip
    print("  CPU here: this process, every thread; CPU db: its PostgreSQL backend (parallel index-build workers and")
    print(f"  the WAL writer not counted). Load average after the run: {os.getloadavg()[0]:.1f}")
    engine = ", ".join(f"{k} {v:.3f}" for k, v in t.get("engine", {}).items())
    print(f"  engine detail: {engine}")
    print(f"  peak RSS of this process: {peak_mib:,.0f} MiB; by the end of each phase: "
          + ", ".join(f"{phase} {mib:,.0f}" for phase, mib in cpu.peak.items()))  # fmt: skip

    floor_cpu = CpuMeter()
    floor = measure_floor(batch, run, floor_cpu)
    floor_total = sum(floor.values())
    print("\nfloor — one table with exactly the engine's columns, COPY out, the same engine, COPY FREEZE into a fresh")
    print("unindexed table (what this machine cannot beat; issue target: run <= 1.5x floor and <= 6 s at 520,000)")
    floor_used = floor_cpu.used()
    for phase, seconds in floor.items():
        print(f"  {phase:<10}{seconds:>10.3f}{floor_used[phase][0]:>24.2f}{floor_used[phase][1]:>9.2f}")
    here_floor, db_floor = (sum(floor_used[phase][i] for phase in floor) for i in (0, 1))
    print(f"  {'total':<10}{floor_total:>10.3f}{here_floor:>24.2f}{db_floor:>9.2f}   run / floor = "
          f"{measured / floor_total:.2f}x wall, {(here + db) / (here_floor + db_floor):.2f}x CPU;"
          f" load average {os.getloadavg()[0]:.1f}")  # fmt: skip

    if args.no_baseline:
        return run_figures(measured, floor_total, peak_mib)
    baseline = naive_baseline(batch, run, args.sample, firms)
    total_baseline = sum(baseline.values())
    print(f"\nnaive baseline — measured on {args.sample:,} firms, EXTRAPOLATED linearly to {firms:,}")
    for phase, seconds in baseline.items():
        print(f"  {phase:<34}{seconds:>12,.1f} s")
    print(f"  {'total (extrapolated)':<34}{total_baseline:>12,.1f} s")
    print(f"\nspeed-up: {total_baseline / measured:,.0f}x  (baseline {total_baseline:,.0f} s / run {measured:.2f} s)")
    run_figures(measured, floor_total, peak_mib, baseline=total_baseline)


def run_figures(measured: float, floor: float, peak_mib: float, *, baseline: float | None = None) -> None:
    """The issue's figures for ``make bench``: the run against 6 s and against 1.5x the floor."""
    figure("scoring run (load+score+report+persist+publish)", measured, "s", target=6, baseline=baseline)
    figure("scoring run ÷ floor", measured / floor, "×", target=1.5)
    figure("floor (COPY out, engine, COPY FREEZE)", floor, "s")
    figure("scoring run peak RSS", peak_mib, "MiB")


class CpuMeter:
    """CPU seconds per phase, of this process (every thread) and of its PostgreSQL backend (``/proc`` of the
    backend's pid: the bench runs beside its database). Wall time on a shared machine says little; CPU time says
    what a phase costs."""

    def __init__(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
        self.marks = [("start", *self._now())]
        self.peak: dict[str, float] = {}

    def _now(self) -> tuple[float, float]:
        try:
            fields = self.stat.read_text().rsplit(")", 1)[1].split()
            db = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
        except OSError:
            db = float("nan")
        return time.process_time(), db

    def mark(self, phase: str) -> None:
        """The phase ``phase`` ends now."""
        self.marks.append((phase, *self._now()))
        self.peak[phase] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB, so far

    def used(self) -> dict[str, tuple[float, float]]:
        return {
            phase: (here - here_before, db - db_before)
            for (_, here_before, db_before), (phase, here, db) in zip(self.marks, self.marks[1:], strict=False)
        }

    @contextlib.contextmanager
    def phases_of_the_run(self):
        """Marks the run's phases as ``scoring.services`` moves through them: its phase changes and its engine call
        (wrapped for the duration, in this process only)."""
        advance, engine = services._advance, services.score
        names = {RunState.LOADING: "load", RunState.SCORING: "report"}

        def advanced(run, current, following, **fields):
            self.mark(names[current])
            return advance(run, current, following, **fields)

        def scored(*args, **kwargs):
            result = engine(*args, **kwargs)
            self.mark("score")
            return result

        services._advance, services.score = advanced, scored
        try:
            yield
        finally:
            services._advance, services.score = advance, engine
            self.mark("persist")


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
            cursor.execute(f"ANALYZE {table}")
    return batch


def measure_floor(batch: Batch, run: ScoringRun, cpu: CpuMeter) -> dict[str, float]:
    """Seconds of the floor the issue defines: binary COPY out of the engine's columns from one table (built here,
    untimed, with each firm's region and consent), the same engine with the report figures, and ``COPY … FREEZE``
    of the same score rows into a fresh table without indexes or constraints (rolled back)."""
    columns = {**POPULATION_COLUMNS, "region": "int32", "consent": "bool"}
    qn = connection.ops.quote_name
    queryset = population_queryset(batch=batch).annotate(region=Cast("enterprise__region_code", IntegerField()))
    sql, params = queryset.values_list(*columns.keys() - {"consent"}).query.sql_with_params()
    typed = ", ".join(
        f"(q.{qn(name)} * 100)::int8 AS {qn(name)}"
        if dtype == CENTS
        else f"q.{qn(name)}::{WIRE_TYPES[dtype][0]} AS {qn(name)}"
        for name, dtype in columns.items()
        if name != "consent"
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor_input")
        cursor.execute(
            f"CREATE UNLOGGED TABLE bench_floor_input AS SELECT {typed}, false AS consent FROM ({sql}) AS q",  # nosec B608
            params,
        )
        cursor.execute(  # an IN over a subquery is hashed; "= ANY(array)" would scan the array for every row
            "UPDATE bench_floor_input SET consent = true WHERE enterprise_id IN (SELECT unnest(%s::int8[]))",
            [np.asarray(consenting_enterprise_ids()).tolist()],
        )
        cursor.execute("VACUUM ANALYZE bench_floor_input")

    cpu.mark("setup")
    started = time.perf_counter()
    buffer = io.BytesIO()
    select = ", ".join(qn(name) for name in columns)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY (SELECT {select} FROM bench_floor_input) TO STDOUT (FORMAT binary)", buffer)
    arrays = _parse_fixed_width(buffer.getbuffer(), columns)
    del buffer
    population = _population(arrays, batch=batch, consent=arrays["consent"])
    load = time.perf_counter() - started
    cpu.mark("load")

    started = time.perf_counter()
    definition = system_definition(system=run.system)
    result = score(population, definition)
    sampler = PeerSampler(definition)
    figures = report_figures(population, definition, result, also=sampler)
    peer_distributions(population, definition, result, sampler=sampler).to_bytes()
    engine = time.perf_counter() - started
    cpu.mark("engine")

    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE bench_floor_scores (LIKE {qn(Score._meta.db_table)} INCLUDING DEFAULTS)")
            stored = score_columns(run=run, result=result, figures=figures, regions=arrays["region"])
            arrays_insert(Score, stored, table="bench_floor_scores", freeze=True)
        persist = time.perf_counter() - started
        cpu.mark("persist")
        transaction.set_rollback(True)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor_input")
    return {"load": load, "engine": engine, "persist": persist}


def naive_baseline(batch: Batch, run: ScoringRun, sample: int, firms: int) -> dict[str, float]:
    """Seconds for the whole batch, extrapolated from ``sample`` firms, per phase."""
    from scoring.tests.engine.reference import reference_score

    scale = firms / sample
    ids = list(Submission.objects.filter(batch=batch).order_by("pk").values_list("pk", flat=True)[:sample])

    now = timezone.now()
    active = Consent.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        enterprise=OuterRef("enterprise_id"), revoked_at__isnull=True, granted_at__lte=now,
    )  # fmt: skip
    started = time.perf_counter()
    for pk in ids:  # one filing, its firm and its consent at a time
        filing = Submission.objects.select_related("enterprise").annotate(consent=Exists(active)).get(pk=pk)
        _ = (filing.enterprise.established, filing.enterprise.industry_code, filing.consent, filing.revenue)
    load = time.perf_counter() - started

    population = population_load(batch=batch)
    sampled = population.take(slice(0, sample))
    definition = system_definition(system=run.system)
    started = time.perf_counter()
    rows = reference_score(sampled, definition)
    scoring = time.perf_counter() - started

    scratch = ScoringRun.objects.create(batch=batch, system=run.system, state="cancelled")  # not active
    with transaction.atomic():
        with connection.cursor() as cursor:  # inserting through the parent needs the run's partition
            cursor.execute(
                f"CREATE TABLE {partition_name(scratch)} PARTITION OF scoring_score FOR VALUES IN ({scratch.pk})"
            )
        started = time.perf_counter()
        for enterprise_id, row in zip(sampled.enterprise_id.tolist(), rows, strict=True):
            Score(
                run=scratch,
                enterprise_id=enterprise_id,
                stage=row["stage"],
                peer_level=row["peer_level"],
                points=row["points"],
                normalised=row["s"],
                subtotals=[row["base"], row["bonus"]],
                base=row["base"],
                bonus=row["bonus"],
                total=Decimal(f"{row['total_rounded']:.2f}"),
                grade=row["grade"],
                rank_national=row["rank_national"],
                rank_province=row["rank_province"],
                rank_industry=row["rank_industry"],
                stage_percentile=row["stage_percentile"],
                eligible=row["eligible"],
                reasons=row["reasons"],
                region=0,  # the firm's region code: its value does not change what a save() costs
            ).save(force_insert=True)
        save = time.perf_counter() - started
        transaction.set_rollback(True)
    scratch.delete()
    return {
        "ORM load, one filing at a time": load * scale,
        "Python scoring, one firm at a time": scoring * scale,
        "one Score.save() per firm": save * scale,
    }


if __name__ == "__main__":
    main()
