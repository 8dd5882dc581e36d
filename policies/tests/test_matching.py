"""The vectorised matcher equals a plain per-firm evaluation (``reference.py``) on random populations and random
policies, and the near-miss's missing amount is what the firm's own numbers say."""

import numpy as np
import pytest

from policies.matching import FLAG_FIELDS, GRADES, MatchPopulation, match_policy, threshold_gap
from scoring.engine.population import SECTIONS
from scoring.engine.system import NUMERIC_FIELDS, STAGES

from .reference import evaluate, firm_dicts

NUMBER_SAMPLES = ("revenue", "rd_expense", "employees", "invention_patents", "rd_intensity", "revenue_growth",
                  "total", "rank_province", "age", "net_profit")  # fmt: skip
PROVINCES = (11, 32, 33, 44)


def random_population(rng: np.random.Generator, n: int) -> MatchPopulation:
    numbers = {name: rng.integers(0, 5000, n).astype(float) for name in NUMERIC_FIELDS}
    numbers["net_profit"] = rng.integers(-500, 500, n).astype(float)
    numbers["rd_intensity"] = np.round(rng.uniform(0, 0.12, n), 3)
    numbers["revenue_growth"] = np.round(rng.uniform(-0.5, 1.5, n), 2)
    numbers["total"] = np.round(rng.uniform(30, 95, n), 2)
    numbers["rank_province"] = rng.integers(1, 500, n).astype(float)
    numbers["age"] = rng.integers(0, 20, n).astype(float)
    region = rng.choice(PROVINCES, n) * 10000 + rng.choice([100, 101, 300, 305], n)
    return MatchPopulation(
        enterprise_id=np.arange(1, n + 1, dtype=np.int64), region=region.astype(np.int64),
        section=rng.integers(0, len(SECTIONS), n).astype(np.uint8), stage=rng.integers(0, 3, n).astype(np.int8),
        grade=rng.integers(0, 5, n).astype(np.int8), numbers=numbers,
        flags={name: rng.random(n) < 0.4 for name in FLAG_FIELDS},
    )  # fmt: skip


def random_conditions(rng: np.random.Generator, population: MatchPopulation) -> list[dict]:
    conditions = []
    for _ in range(rng.integers(1, 6)):
        kind = rng.choice(["number", "number", "flag", "section", "stage", "grade", "region"])
        if kind == "number":
            field = str(rng.choice(NUMBER_SAMPLES))
            value = float(np.quantile(population.numbers[field], rng.uniform(0.1, 0.9)))  # ties included
            conditions.append({"field": field, "op": str(rng.choice([">=", ">", "<=", "<"])), "value": value})
        elif kind == "flag":
            conditions.append({"field": str(rng.choice(FLAG_FIELDS)), "op": "is", "value": bool(rng.random() < 0.7)})
        elif kind == "section":
            conditions.append({"field": "section", "op": "in", "value": sorted(rng.choice(list(SECTIONS), 8))})
        elif kind == "stage":
            conditions.append({"field": "stage", "op": "in", "value": sorted(rng.choice(STAGES, 2, replace=False))})
        elif kind == "grade":
            conditions.append({"field": "grade", "op": ">=", "value": str(rng.choice(GRADES))})
        else:
            conditions.append(
                {"field": "region", "op": "in", "value": [str(rng.choice(["32", "33", "4403", "110101"]))]}
            )
    return conditions


@pytest.mark.parametrize("seed", range(8))
def test_the_matcher_equals_a_per_firm_evaluation(seed):
    rng = np.random.default_rng(seed)
    population = random_population(rng, 3000)
    firms = firm_dicts(population)
    cache: dict = {}
    for _ in range(12):
        conditions = random_conditions(rng, population)
        scope = str(rng.choice(["", "32", "44", "3201"]))
        result = match_policy(population, conditions, scope=scope, cache=cache)
        expected = [evaluate(firm, conditions, scope) for firm in firms]
        assert result.matched.tolist() == [i for i, (kind, _c) in enumerate(expected) if kind == "match"]
        assert result.near.tolist() == [i for i, (kind, _c) in enumerate(expected) if kind == "near"]
        assert result.near_condition.tolist() == [c for kind, c in expected if kind == "near"]
        for row, firm_index in enumerate(result.near.tolist()):
            condition = conditions[result.near_condition[row]]
            if condition["field"] in population.numbers:
                assert result.have[row] == firms[firm_index][condition["field"]]
                assert result.need[row] == condition["value"]


def test_a_policy_without_conditions_matches_its_whole_region():
    population = random_population(np.random.default_rng(1), 500)
    result = match_policy(population, [], scope="44")
    assert result.matched.tolist() == np.flatnonzero(population.region // 10000 == 44).tolist()
    assert result.near.size == 0


def test_the_gap_of_an_rd_intensity_is_the_rd_expense_the_firm_lacks():
    numbers = {"revenue": np.array([10_000.0, 0.0]), "rd_expense": np.array([240.0, 5.0])}
    gap = threshold_gap("rd_intensity", 0.03, numbers)
    assert gap[0] == pytest.approx(60.0)  # 2.4 % → 3 % of 10,000 万元: +60 万元
    assert np.isnan(gap[1])  # no revenue: no share of it closes the gap
