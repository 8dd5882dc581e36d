"""A whole policy-matching round at national scale on PostgreSQL (load → match → store → notify), beside the naive
store it replaced, and the pages that read what it stored.

On a database holding a published national run (``make bench``'s, or ``demo_setup --firms 520000``), adds
``--policies`` synthetic policies (``bench/matching_bench.py``'s generator: 2–6 conditions at random quantiles of
this population), sets the database's other policies aside for the duration, primes one round, then times
``--rounds`` rounds of ``policies.services.policies_match`` (the publication's hook) phase by phase: load (the run's
firms and scores), match, store (the packed groups, the batch's partition swapped in) and notify (the stored
matches read back, new ones told). Best round shown.

Naive baseline, same population and results: the store this replaced, one row per (policy, firm) in a plain table
with its primary key and two indexes, replaced by DELETE + binary COPY in one transaction (``--skip-baseline`` to
leave it out: it takes minutes).

Then the readers, over HTTP through Django's test client: a firm's "policies for you" for ``--firms-sampled``
random firms (p50 / p95), a national bureau's page of each bench policy (p50 / p95 / max), its policy list, the
CSV export of the largest policy, and the query plans of the two group reads. Everything the bench added is
removed at the end, and the set-aside policies are matched again (a whole round keeps only the active policies').

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipp_bench .venv/bin/python bench/match_store_bench.py --policies 100
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["CELERY_BROKER_URL"] = ""  # tasks would run in-process (eager); the bench calls the services itself

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.figures import figure  # noqa: E402
from bench.matching_bench import policies as synthetic_policies  # noqa: E402
from core.db.copy import ArrayColumn, arrays_insert, queryset_to_arrays  # noqa: E402
from core.models import BureauStaff, User  # noqa: E402
from enterprises.models import EnterpriseMembership  # noqa: E402
from policies.matching import match_policy  # noqa: E402
from policies.models import Policy, PolicyMatchGroup  # noqa: E402
from policies.selectors import published_runs, run_match_population  # noqa: E402
from policies.services import policies_match  # noqa: E402
from scoring.engine.population import SECTIONS  # noqa: E402
from scoring.models import Score  # noqa: E402

PREFIX = "bench-match-store"
NAIVE_TABLE = "bench_policy_match_rows"
NAIVE_SCHEMA = f"""
CREATE TABLE {NAIVE_TABLE} (policy_id int8 NOT NULL, batch_id int8 NOT NULL, run_id int8 NOT NULL,
  enterprise_id int8 NOT NULL, policy_version int4 NOT NULL, near bool NOT NULL, condition int2, have float8,
  need float8, gap float8, region int4 NOT NULL, section varchar(1) NOT NULL, matched_at timestamptz NOT NULL,
  PRIMARY KEY (policy_id, batch_id, enterprise_id));
CREATE INDEX ON {NAIVE_TABLE} (policy_id, near, region);
CREATE INDEX ON {NAIVE_TABLE} (enterprise_id, near);
"""
"""The replaced store's table (policies migration 0001's PolicyMatch), outside Django."""


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def national_run():
    runs = published_runs()
    if not runs:
        sys.exit("no published run: prepare the database with manage.py demo_setup --firms 520000")
    return max(runs, key=lambda run: Score.objects.filter(run=run).count())


def bench_policies(run, count: int, seed: int) -> list[Policy]:
    population = run_match_population(run=run)
    library = synthetic_policies(count, population, np.random.default_rng(seed))
    rows = [
        Policy(name=f"{PREFIX}-{i}", issuer="bench", policy_class="rd_subsidy", benefit="bench", region_scope=scope,
               conditions=conditions)
        for i, (scope, conditions) in enumerate(library)
    ]  # fmt: skip
    return Policy.objects.bulk_create(rows)


def naive_columns(population, policies, results, run) -> list[ArrayColumn]:
    """One row per (policy, firm), as the replaced store wrote them (in key order)."""
    index = np.concatenate([np.concatenate([r.matched, r.near]) for r in results])
    sizes = [r.matched.size + r.near.size for r in results]
    policy = np.repeat(np.array([p.pk for p in policies], dtype=np.int64), sizes)
    near = np.concatenate([np.r_[np.zeros(r.matched.size, bool), np.ones(r.near.size, bool)] for r in results])

    def values(name: str) -> np.ndarray:
        return np.concatenate([np.r_[np.zeros(r.matched.size), getattr(r, name)] for r in results])

    enterprise = population.enterprise_id[index].astype(np.int64)
    order = np.lexsort((enterprise, policy))
    index, policy, near, enterprise = index[order], policy[order], near[order], enterprise[order]
    condition, have, need, gap = (values(n)[order] for n in ("near_condition", "have", "need", "gap"))
    n = index.size
    letters = np.frombuffer(SECTIONS.encode(), dtype="S1")
    return [
        ArrayColumn("policy_id", "int8", policy),
        ArrayColumn("batch_id", "int8", np.full(n, run.batch_id, dtype=np.int64)),
        ArrayColumn("run_id", "int8", np.full(n, run.pk, dtype=np.int64)),
        ArrayColumn("enterprise_id", "int8", enterprise),
        ArrayColumn("policy_version", "int4", np.ones(n, dtype=np.int32)),
        ArrayColumn("near", "bool", near),
        ArrayColumn("condition", "int2", condition.astype(np.int16), null=~near),
        ArrayColumn("have", "float8", np.nan_to_num(have), null=~near | np.isnan(have)),
        ArrayColumn("need", "float8", np.nan_to_num(need), null=~near | np.isnan(need)),
        ArrayColumn("gap", "float8", np.nan_to_num(gap), null=~near | np.isnan(gap)),
        ArrayColumn("region", "int4", population.region[index].astype(np.int32)),
        ArrayColumn("section", "bytes", letters[population.section[index]]),
        ArrayColumn("matched_at", "timestamptz", np.full(n, np.datetime64("2026-01-01T00:00:00", "us"))),
    ]


def naive_round(run, policies) -> dict[str, float]:
    """The replaced round: load, match, then in one transaction read the old matches, DELETE, COPY into the
    indexed table. Primed once (untimed), so the timed replace deletes a full round."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {NAIVE_TABLE}")
        cursor.execute(NAIVE_SCHEMA)
    started = time.perf_counter()
    population = run_match_population(run=run)
    loaded = time.perf_counter()
    cache: dict = {}
    results = [match_policy(population, p.conditions, scope=p.region_scope, cache=cache) for p in policies]
    matched = time.perf_counter()
    columns = naive_columns(population, policies, results, run)
    with transaction.atomic():
        arrays_insert(PolicyMatchGroup, columns, table=NAIVE_TABLE)  # the previous round (untimed)
    store_started = time.perf_counter()
    columns = naive_columns(population, policies, results, run)
    with transaction.atomic(), connection.cursor() as cursor:
        old = io.BytesIO()  # what the replaced notify read: the stored matches' keys, one binary COPY
        cursor.cursor.copy_expert(
            f"COPY (SELECT policy_id, enterprise_id FROM {NAIVE_TABLE} WHERE NOT near) TO STDOUT (FORMAT binary)", old
        )
        cursor.execute(f"DELETE FROM {NAIVE_TABLE} WHERE batch_id = %s", [run.batch_id])  # nosec B608
        arrays_insert(PolicyMatchGroup, columns, table=NAIVE_TABLE)
    stored = time.perf_counter()
    rows = columns[0].rows
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {NAIVE_TABLE}")
    return {"load": loaded - started, "match": matched - loaded, "store": stored - store_started, "rows": rows}


def timed_get(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    return elapsed


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def explain(sql: str, params) -> None:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        for (line,) in cursor.fetchall():
            print(f"      {line}")


def readers(run, policies, args) -> dict[str, float]:
    rng = np.random.default_rng(args.seed)
    figures: dict[str, float] = {}
    firm_user = User.objects.create_user(f"{PREFIX}-firm")
    bureau_user = User.objects.create_user(f"{PREFIX}-bureau")
    BureauStaff.objects.create(user=bureau_user, bureau_name="bench", region_scope="", role="reviewer")
    firms = queryset_to_arrays(Score.objects.filter(run=run).order_by(), {"enterprise_id": "int64"})["enterprise_id"]
    sample = rng.choice(firms, min(args.firms_sampled, firms.size), replace=False)
    membership = EnterpriseMembership.objects.create(user=firm_user, enterprise_id=int(sample[0]), role="admin")
    client = Client(HTTP_HOST="localhost")
    client.force_login(firm_user)
    url = reverse("policies-firm:list")
    timed_get(client, url)  # warm the connection and the templates
    times = []
    for firm in sample:
        EnterpriseMembership.objects.filter(pk=membership.pk).update(enterprise_id=int(firm))
        times.append(timed_get(client, url))
    figures["firm p50"], figures["firm p95"] = percentile(times, 50), percentile(times, 95)
    print(f"  firm's 适合您的政策, {len(times)} random firms:  p50 {figures['firm p50'] * 1000:6.1f} ms   "
          f"p95 {figures['firm p95'] * 1000:6.1f} ms   max {max(times) * 1000:6.1f} ms")  # fmt: skip

    bureau = Client(HTTP_HOST="localhost")
    bureau.force_login(bureau_user)
    times = [timed_get(bureau, reverse("policies:detail", args=[p.pk])) for p in policies]
    figures["bureau p95"] = percentile(times, 95)
    print(f"  national bureau's policy page, {len(times)} policies:  p50 {percentile(times, 50) * 1000:6.1f} ms   "
          f"p95 {figures['bureau p95'] * 1000:6.1f} ms   max {max(times) * 1000:6.1f} ms")  # fmt: skip
    times = [timed_get(bureau, reverse("policies:list")) for _ in range(5)]
    figures["bureau list"] = statistics.median(times)
    print(f"  national bureau's policy list:  median {figures['bureau list'] * 1000:6.1f} ms")
    largest = max(
        policies, key=lambda p: sum(PolicyMatchGroup.objects.filter(policy=p).values_list("matched", flat=True))
    )
    matched = sum(PolicyMatchGroup.objects.filter(policy=largest).values_list("matched", flat=True))
    elapsed = timed_get(bureau, reverse("policies:export", args=[largest.pk]))
    figures["export"] = elapsed
    print(f"  免申即享 CSV export of the largest policy ({matched:,} firms):  {elapsed:6.2f} s")

    region = Score.objects.filter(run=run, enterprise_id=int(sample[0])).values_list("region", flat=True).first()
    print("  plan: a firm's groups (its county, active policies)")
    explain(
        "SELECT g.* FROM policies_policymatchgroup g JOIN policies_policy p ON p.id = g.policy_id"
        " WHERE g.region IN (SELECT DISTINCT region FROM scoring_score WHERE enterprise_id = %s AND run_id IN"
        " (SELECT published_run_id FROM scoring_batchscoring)) AND p.active",
        [int(sample[0])],
    )
    print(f"  plan: one policy's groups for a national bureau (policy {largest.pk}; county {region})")
    explain("SELECT * FROM policies_policymatchgroup WHERE policy_id = %s", [largest.pk])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--firms-sampled", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    print(f"load average before: {load_average()}")
    run = national_run()
    set_aside = list(Policy.objects.filter(active=True).values_list("pk", flat=True))
    Policy.objects.filter(pk__in=set_aside).update(active=False)
    policies: list[Policy] = []
    try:
        policies = bench_policies(run, args.policies, args.seed)
        prime = policies_match(run=run, notify=False)
        groups = PolicyMatchGroup.objects.filter(run=run).count()
        print(f"policy matching round: {prime.policies} policies x {prime.firms:,} firms -> {prime.matched:,} matches,"
              f" {prime.near:,} near-misses; {groups:,} groups stored")  # fmt: skip
        rounds = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            summary = policies_match(run=run)
            wall = time.perf_counter() - started
            rounds.append({**summary.timings, "wall": wall, "notified": summary.notified})
            print("  round  " + "  ".join(f"{k} {v:6.2f} s" for k, v in summary.timings.items())
                  + f"  whole {wall:6.2f} s  ({summary.notified} notified)")  # fmt: skip
        best = min(rounds, key=lambda r: r["match"] + r["store"] + r["commit"])
        naive = None if args.skip_baseline else naive_round(run, policies)
        if naive is not None:
            print(f"  naive  load {naive['load']:6.2f} s  match {naive['match']:6.2f} s  store {naive['store']:6.2f} s"
                  f"  ({naive['rows']:,} rows: DELETE + COPY into the indexed table)")  # fmt: skip
        print(f"load average after the rounds: {load_average()}")
        found = readers(run, policies, args)
        print(f"load average after: {load_average()}")
        firms = f"{args.policies} policies x {prime.firms:,} firms"
        stored = best["store"] + best["commit"]  # written and committed: what the naive store's figure includes
        figure(f"policy round match + store, {firms}", best["match"] + stored, "s", target=3,
               baseline=None if naive is None else naive["match"] + naive["store"])  # fmt: skip
        figure(f"policy round store, {firms}", stored, "s", baseline=None if naive is None else naive["store"])
        figure(f"policy round load + match + store + notify, {firms}", best["wall"], "s",
               baseline=None if naive is None else naive["load"] + naive["match"] + naive["store"])  # fmt: skip
        figure("firm's policies page p95", found["firm p95"] * 1000, "ms", target=100)
        figure("bureau's policy page p95 (national)", found["bureau p95"] * 1000, "ms", target=1000)
    finally:
        ids = [p.pk for p in policies]
        PolicyMatchGroup.objects.filter(policy_id__in=ids).delete()
        Policy.objects.filter(pk__in=ids).delete()
        Policy.objects.filter(pk__in=set_aside).update(active=True)
        if set_aside:  # the rounds replaced their groups: store them again, as before the bench
            policies_match(run=run, policy_ids=set_aside, notify=False)
        User.objects.filter(username__startswith=PREFIX).delete()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {NAIVE_TABLE}")


if __name__ == "__main__":
    main()
