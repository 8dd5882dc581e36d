"""Benchmark of policy matching (``policies.matching``) against a per-firm loop (``policies/tests/reference.py``).

Builds a synthetic population of N firms (skewed sizes, many zeros, 31 provinces, 20 sections, three stages, five
grades) and P policies of 2–6 conditions each (qualifications, thresholds on filed, derived and published fields at
random quantiles, stages, grades, sections and regions), then times matching every policy over the whole population
— what ``policies.services.policies_match`` does after a publication, between loading and storing — best of 3.
The naive baseline evaluates each firm in a Python loop on a sample and is extrapolated linearly to N.

    .venv/bin/python bench/matching_bench.py --firms 20000 --policies 100
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.figures import figure  # noqa: E402
from policies.matching import FLAG_FIELDS, GRADES, MatchPopulation, match_policy  # noqa: E402
from policies.tests.reference import evaluate, firm_dicts  # noqa: E402
from scoring.engine.population import SECTIONS  # noqa: E402
from scoring.engine.system import DERIVED_FIELDS, NUMERIC_FIELDS, STAGES  # noqa: E402

PROVINCES = np.array([11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
                      53, 54, 61, 62, 63, 64, 65])  # fmt: skip
THRESHOLD_FIELDS = ("revenue", "rd_expense", "employees", "rd_staff", "invention_patents", "graduates_hired",
                    "rd_intensity", "rd_staff_ratio", "high_tech_share", "rd_expense_growth", "revenue_growth", "age",
                    "total", "rank_province", "stage_percentile")  # fmt: skip


def population(n: int, rng: np.random.Generator) -> MatchPopulation:
    size = rng.lognormal(7, 1.5, n)
    numbers = {name: np.round(size * rng.uniform(0, 0.3, n) * (rng.random(n) > 0.2), 2) for name in NUMERIC_FIELDS}
    numbers["revenue"] = np.round(size, 2)
    numbers["revenue_prev"] = np.round(size * rng.uniform(0.6, 1.3, n), 2)
    numbers["employees"] = np.ceil(size / 50)
    numbers["rd_staff"] = np.floor(numbers["employees"] * rng.uniform(0, 0.5, n))
    numbers["invention_patents"] = rng.poisson(2, n).astype(float)
    numbers.update({name: rng.uniform(-0.2, 1.2, n) for name in DERIVED_FIELDS})
    numbers["rd_intensity"] = rng.uniform(0, 0.15, n)
    numbers["age"] = rng.integers(0, 30, n).astype(float)
    numbers["total"] = np.round(rng.uniform(20, 100, n), 2)
    for rank in ("rank_national", "rank_province", "rank_industry"):
        numbers[rank] = rng.integers(1, n + 1, n).astype(float)
    numbers["stage_percentile"] = rng.random(n)
    region = rng.choice(PROVINCES, n) * 10000 + rng.integers(1, 20, n) * 100 + rng.integers(0, 10, n)
    return MatchPopulation(
        enterprise_id=np.arange(1, n + 1, dtype=np.int64), region=region.astype(np.int64),
        section=rng.integers(0, len(SECTIONS), n).astype(np.uint8), stage=rng.integers(0, 3, n).astype(np.int8),
        grade=rng.integers(0, 5, n).astype(np.int8), numbers=numbers,
        flags={name: rng.random(n) < 0.3 for name in FLAG_FIELDS},
    )  # fmt: skip


def policies(count: int, firms: MatchPopulation, rng: np.random.Generator) -> list[tuple[str, list[dict]]]:
    out = []
    for _ in range(count):
        conditions = [{"field": str(rng.choice(FLAG_FIELDS[:4])), "op": "is", "value": True}]
        for field in rng.choice(THRESHOLD_FIELDS, rng.integers(1, 4), replace=False):
            op = "<=" if field in ("revenue", "employees", "age", "rank_province") else ">="
            value = float(np.quantile(firms.numbers[str(field)], rng.uniform(0.2, 0.8)))
            conditions.append({"field": str(field), "op": op, "value": value})
        extra = rng.choice(["stage", "grade", "section", "none"])
        if extra == "stage":
            conditions.append({"field": "stage", "op": "in", "value": [str(rng.choice(STAGES))]})
        elif extra == "grade":
            conditions.append({"field": "grade", "op": ">=", "value": str(rng.choice(GRADES[:4]))})
        elif extra == "section":
            conditions.append({"field": "section", "op": "in", "value": sorted(rng.choice(list(SECTIONS), 6))})
        scope = str(rng.choice(["", "", str(rng.choice(PROVINCES))]))
        out.append((scope, conditions))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=20_000)
    parser.add_argument("--policies", type=int, default=100)
    parser.add_argument("--baseline-sample", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    firms = population(args.firms, rng)
    library = policies(args.policies, firms, rng)

    best, found = float("inf"), (0, 0)
    for _ in range(3):
        started = time.perf_counter()
        cache: dict = {}
        results = [match_policy(firms, conditions, scope=scope, cache=cache) for scope, conditions in library]
        best = min(best, time.perf_counter() - started)
        found = (sum(r.matched.size for r in results), sum(r.near.size for r in results))

    sample = firms.take(np.arange(min(args.baseline_sample, firms.n)))
    dicts = firm_dicts(sample)
    started = time.perf_counter()
    for scope, conditions in library:
        for firm in dicts:
            evaluate(firm, conditions, scope)
    naive = (time.perf_counter() - started) * firms.n / sample.n

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"policy matching: {args.policies} policies x {firms.n:,} firms")
    print(f"  vectorised      {best:8.3f} s   ({args.policies * firms.n / best / 1e6:,.1f} M firm-policies/s)")
    print(f"  per-firm loop   {naive:8.3f} s   (extrapolated from {sample.n:,} firms) -> {naive / best:,.0f}x")
    print(f"  found           {found[0]:,} matches, {found[1]:,} near-misses")
    print(f"  peak RSS        {peak:,.0f} MiB")
    figure(f"policy matching, {args.policies} policies x {firms.n:,} firms", best, "s", target=3, baseline=naive)


if __name__ == "__main__":
    main()
