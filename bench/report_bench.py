"""The firm's report page: p95 time and the web worker's memory, with the report's figures stored by the run (now)
beside re-scoring the batch in the web process (the report before issue 14), on the demo batch of a dedicated
database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_report .venv/bin/python bench/report_bench.py --firms 520000

``--firms N`` first tops the demo population up to N firms (``generate_demo`` in a child process). If the batch's
published run has no stored report figures (a run older than them), the batch is scored and published again (the
run's phase timings, the new ``report`` phase among them, are printed). ``--pages`` random firms get a login, and
each approach is measured in a fresh child process, as a freshly started gunicorn worker would serve them:

- **stored** (now): Django's test client requests ``/enterprise/report/`` for every firm; the page reads the firm's
  score row with its stored figures (one query) and hashes the firm's own filing for the notice;
- **re-score** (before): the same pages, each also doing what the old report did for its peer figures — a query for
  the batch's newest filing change, and on the first view of the process (and after any change) the whole batch
  loaded and scored with the engine and kept in memory, then the one-firm lift. The old code is reproduced here
  (``old_peer_figures``) as the baseline, on top of today's page.

Printed per approach: the first (cold) page, p50 and p95 over all pages, and the process's resident memory (RSS)
before the first page and after the last.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.figures import figure  # noqa: E402
from core.models import User  # noqa: E402
from demo.services import DEMO_BATCH_NAME  # noqa: E402
from enterprises.models import Batch, EnterpriseMembership, Submission  # noqa: E402
from scoring.engine import lift  # noqa: E402
from scoring.engine.core import score  # noqa: E402
from scoring.models import RunPeerDistribution, Score, ScoringRun  # noqa: E402
from scoring.selectors import population_load, system_definition, what_if_score  # noqa: E402
from scoring.services import scoring_run_create, scoring_run_execute, scoring_run_publish  # noqa: E402

PAGES = 200
USER_PREFIX = "report-bench-"
SETTINGS = os.environ["DJANGO_SETTINGS_MODULE"]


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def published_run(batch: Batch) -> ScoringRun:
    run = ScoringRun.objects.filter(pk=batch.scoring.published_run_id).first()
    if run is not None and RunPeerDistribution.objects.filter(run=run).exists():
        return run
    print("scoring and publishing the batch (its published run has no stored report figures) …", flush=True)
    run = scoring_run_create(batch=batch, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    scoring_run_publish(run=run)
    timings = {k: round(v, 2) for k, v in run.timings.items() if isinstance(v, float)}
    print(f"run #{run.pk}: {run.enterprise_count:,} firms, phases (s) {timings}", flush=True)
    return run


def bench_users(run: ScoringRun, pages: int) -> list[int]:
    """Ids of ``pages`` logins, each a member of a random scored firm of ``run`` (created once)."""
    users = list(User.objects.filter(username__startswith=USER_PREFIX).order_by("pk").values_list("pk", flat=True))
    if len(users) >= pages:
        return users[:pages]
    ids = list(Score.objects.filter(run=run).values_list("enterprise_id", flat=True))
    firms = random.Random(14).sample(ids, pages)
    for i, firm in enumerate(firms[len(users) :], start=len(users)):
        user = User.objects.create_user(username=f"{USER_PREFIX}{i}", password=None)
        EnterpriseMembership.objects.create(user=user, enterprise_id=firm, role="admin")
        users.append(user.pk)
    return users


# --- The report before issue 14, reproduced as the baseline ------------------------------------------------------

_old_cache: dict[tuple, tuple] = {}


def old_peer_figures(run: ScoringRun, enterprise_id: int) -> int:
    """What the old report did for every view on top of the page: the newest filing change of the batch (one
    aggregate over its filings), the batch re-scored once per process and change, then the one-firm lift."""
    since = run.started_at or run.created_at
    changed = Submission.objects.filter(batch_id=run.batch_id, updated_at__gt=since).aggregate(m=Max("updated_at"))
    key = (run.pk, changed["m"])
    if key not in _old_cache:
        population = population_load(batch=run.batch)
        _old_cache.clear()
        _old_cache[key] = (population, score(population, system_definition(system=run.system)))
    population, result = _old_cache[key]
    index = int(np.flatnonzero(population.enterprise_id == enterprise_id)[0])
    return len(lift.score_lift(population, system_definition(system=run.system), result, index))


def measure(mode: str, run_id: int, user_ids: list[int]) -> dict:
    run = ScoringRun.objects.select_related("batch", "system").get(pk=run_id)
    members = dict(EnterpriseMembership.objects.filter(user_id__in=user_ids).values_list("user_id", "enterprise_id"))
    clients = []
    for user in User.objects.filter(pk__in=user_ids).order_by("pk"):
        client = Client()
        client.force_login(user)
        clients.append((client, members[user.pk]))
    url = reverse("report:page")
    before = rss_mib()
    times = []
    for client, enterprise_id in clients:
        started = time.perf_counter()
        response = client.get(url, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.status_code
        if mode == "rescore":
            old_peer_figures(run, enterprise_id)
        times.append(time.perf_counter() - started)
    ordered = sorted(times)
    what_if_times = []
    if mode == "stored":  # self-assessment: one firm scored against the run's stored peer distributions
        rows = Score.objects.filter(run=run, enterprise_id__in=[e for _c, e in clients[:50]]).select_related("run")
        for row in rows:
            started = time.perf_counter()
            what_if_score(score_row=row, values={"invention_patents": 12.0})
            what_if_times.append(time.perf_counter() - started)
    what_if_times.sort()
    what_if_p95 = what_if_times[max(0, int(round(0.95 * len(what_if_times))) - 1)] if what_if_times else 0.0
    return {
        "what_if_p95_ms": what_if_p95 * 1000,
        "mode": mode,
        "pages": len(times),
        "cold_ms": times[0] * 1000,
        "p50_ms": statistics.median(times) * 1000,
        "p95_ms": ordered[max(0, int(round(0.95 * len(ordered))) - 1)] * 1000,
        "rss_before_mib": before,
        "rss_after_mib": rss_mib(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firms", type=int, default=None, help="top the demo batch up to this many firms first")
    parser.add_argument("--pages", type=int, default=PAGES)
    parser.add_argument("--child", choices=("stored", "rescore"), help=argparse.SUPPRESS)
    parser.add_argument("--run", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        users = bench_users(ScoringRun.objects.get(pk=args.run), args.pages)
        print(json.dumps(measure(args.child, args.run, users)))
        return

    batch = Batch.objects.filter(name=DEMO_BATCH_NAME).first()
    have = batch.submissions.count() if batch else 0
    if args.firms and have < args.firms:
        print(f"generating {args.firms - have:,} demo firms …", flush=True)
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "generate_demo", "--firms", str(args.firms - have)],
                       check=True)  # fmt: skip
        batch = Batch.objects.get(name=DEMO_BATCH_NAME)
    run = published_run(batch)
    bench_users(run, args.pages)
    stored = RunPeerDistribution.objects.filter(run=run).values_list("data", flat=True).first()
    print(f"batch of {run.enterprise_count:,} scored firms, run #{run.pk}; {args.pages} report pages per approach; "
          f"peer distributions {len(stored or b'') / 2**20:.1f} MiB")  # fmt: skip
    rows = []
    for mode in ("stored", "rescore"):
        out = subprocess.run(
            [sys.executable, __file__, "--child", mode, "--run", str(run.pk), "--pages", str(args.pages)],
            check=True, capture_output=True, text=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS},
        )  # fmt: skip
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{'approach':<22}{'cold page':>12}{'p50':>10}{'p95':>10}{'RSS before':>13}{'RSS after':>12}")
    labels = {"stored": "stored figures (now)", "rescore": "re-score (before)"}
    for row in rows:
        print(f"{labels[row['mode']]:<22}{row['cold_ms']:>9.0f} ms{row['p50_ms']:>7.1f} ms{row['p95_ms']:>7.1f} ms"
              f"{row['rss_before_mib']:>9.0f} MiB{row['rss_after_mib']:>8.0f} MiB")  # fmt: skip
    print(f"self-assessment (one firm against the stored distributions): p95 {rows[0]['what_if_p95_ms']:.0f} ms")
    now, before = rows
    figure("report page p95", now["p95_ms"], "ms", target=100, baseline=before["p95_ms"])
    figure("report page, cold", now["cold_ms"], "ms", baseline=before["cold_ms"])
    growth = {row["mode"]: row["rss_after_mib"] - row["rss_before_mib"] for row in rows}
    figure(f"web worker RSS growth over {args.pages} reports", growth["stored"], "MiB", baseline=growth["rescore"])


if __name__ == "__main__":
    main()
