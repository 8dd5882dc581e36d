"""A plain per-firm evaluation of a policy's conditions: the reference the vectorised matcher is checked against,
and the naive baseline of bench/matching_bench.py. One dict per firm, one ``if`` per condition."""

from __future__ import annotations

from policies.matching import GRADES, SCOPE_FIELDS, MatchPopulation
from scoring.engine.population import SECTIONS
from scoring.engine.system import STAGES


def firm_dicts(population: MatchPopulation) -> list[dict]:
    firms = []
    for i in range(population.n):
        firm = {name: float(column[i]) for name, column in population.numbers.items()}
        firm.update({name: bool(column[i]) for name, column in population.flags.items()})
        firm["region"] = f"{int(population.region[i]):06d}"
        firm["section"] = SECTIONS[int(population.section[i])]
        firm["stage"] = STAGES[int(population.stage[i])]
        firm["grade"] = GRADES[int(population.grade[i])]
        firms.append(firm)
    return firms


def meets(firm: dict, condition: dict) -> bool:
    field, op, value = condition["field"], condition["op"], condition["value"]
    have = firm[field]
    if field == "region":
        return any(have.startswith(prefix) for prefix in value)
    if field in ("section", "stage"):
        return have in value
    if field == "grade":
        return GRADES.index(have) <= GRADES.index(value)
    if op == "is":
        return have == value
    return {">=": have >= value, ">": have > value, "<=": have <= value, "<": have < value}[op]


def evaluate(firm: dict, conditions: list[dict], scope: str = "") -> tuple[str, int | None]:
    """("match", None), ("near", index of the one unmet condition) or ("none", None)."""
    if not firm["region"].startswith(scope):
        return "none", None
    unmet = [i for i, c in enumerate(conditions) if not meets(firm, c)]
    if any(conditions[i]["field"] in SCOPE_FIELDS for i in unmet):
        return "none", None
    if not unmet:
        return "match", None
    return ("near", unmet[0]) if len(unmet) == 1 else ("none", None)
