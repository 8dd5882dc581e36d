"""An independent, deliberately plain implementation of the methodology, one enterprise at a time.

It shares nothing with the engine but the input/definition dataclasses: no numpy arithmetic, no engine helpers.
Percentiles and ranks come from sorted Python lists and ``bisect``; rounding from ``decimal``; ages from
``datetime.date``. Tests compare it with ``scoring.engine.score`` on random populations, and the benchmark times it
as the naive baseline.
"""

from __future__ import annotations

import bisect
import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal

from scoring.engine.population import Population
from scoring.engine.system import SystemDef

STAGE_NAMES = ("startup", "growth", "stable")
SECTION_LETTERS = "ABCDEFGHIJKLMNOPQRST"
REASONS = (
    "not_approved",
    "veto_dishonest",
    "veto_tax_d",
    "veto_violation",
    "not_tech_firm",
    "no_consent",
    "below_threshold",
)


def firms_as_dicts(population: Population) -> list[dict]:
    """The population as one plain dict per enterprise (Python ints, floats, bools, dates, section letters)."""
    columns: dict[str, list] = {
        "enterprise_id": population.enterprise_id.tolist(),
        "section": [SECTION_LETTERS[c] for c in population.section.tolist()],
        "province": population.province.tolist(),
        "established": population.established.astype(object).tolist(),
        "approved": population.approved.tolist(),
        "consent": population.consent.tolist(),
    }
    for name, array in population.values.items():
        columns[name] = array.tolist()
    for name, array in population.flags.items():
        columns[name] = array.tolist()
    n = len(columns["enterprise_id"])
    return [{name: values[i] for name, values in columns.items()} for i in range(n)]


def whole_years(start: dt.date, end: dt.date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def ratio(a: float, b: float) -> float:
    return a / b if b > 0 else 0.0


def growth(cur: float, prev: float) -> float:
    g = cur / prev - 1 if prev > 0 else 0.0
    return min(max(g, -1.0), 10.0)


def field_value(firm: dict, name: str) -> float:
    if name == "rd_expense_growth":
        return growth(firm["rd_expense"], firm["rd_expense_prev"])
    if name == "revenue_growth":
        return growth(firm["revenue"], firm["revenue_prev"])
    if name == "rd_intensity":
        return ratio(firm["rd_expense"], firm["revenue"])
    if name == "rd_staff_ratio":
        return ratio(firm["rd_staff"], firm["employees"])
    if name == "roe":
        return ratio(firm["net_profit"], firm["net_assets"])
    if name == "high_tech_share":
        return ratio(firm["high_tech_revenue"], firm["revenue"])
    if name == "qualification":
        if firm["is_little_giant"]:
            return 3.0
        if firm["is_specialised_sme"] or firm["is_high_tech_enterprise"]:
            return 2.0
        return 1.0 if firm["is_tech_sme"] else 0.0
    value = firm[name]
    return float(value)


def stage_of(firm: dict, system: SystemDef, reference_date: dt.date) -> str:
    age = whole_years(firm["established"], reference_date)
    if age < system.startup_age or firm["revenue"] < system.startup_revenue:
        return "startup"
    if age >= system.stable_age and firm["revenue"] >= system.stable_revenue:
        return "stable"
    return "growth"


def cents_of(total: float) -> int:
    nano = Decimal(total).quantize(Decimal("1e-9"), rounding=ROUND_HALF_EVEN)
    return int(nano.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) * 100)


def direct_s(indicator, x: float) -> float:
    if indicator.method == "reference":
        return min(max(x, 0.0) / indicator.reference, 1.0)
    if indicator.method == "flag":
        return 1.0 if x >= 1 else 0.0
    s = 0.0
    for threshold, fraction in zip(indicator.thresholds, indicator.fractions, strict=True):
        if x >= threshold:
            s = fraction
    return s


def reference_score(population: Population, system: SystemDef) -> list[dict]:
    """Score like the methodology reads, firm by firm; one result dict per enterprise, in input order."""
    firms = firms_as_dicts(population)
    reference_date = population.reference_date.astype(object)
    for firm in firms:
        firm["stage"] = stage_of(firm, system, reference_date)

    members: dict[tuple, list[int]] = {}
    for i, firm in enumerate(firms):
        members.setdefault(("section", firm["stage"], firm["section"]), []).append(i)
        members.setdefault(("stage", firm["stage"]), []).append(i)
        members.setdefault(("all",), []).append(i)
    for firm in firms:
        if len(members[("section", firm["stage"], firm["section"])]) >= system.min_group_size:
            firm["peer_level"], firm["peer_key"] = 0, ("section", firm["stage"], firm["section"])
        elif len(members[("stage", firm["stage"])]) >= system.min_group_size:
            firm["peer_level"], firm["peer_key"] = 1, ("stage", firm["stage"])
        else:
            firm["peer_level"], firm["peer_key"] = 2, ("all",)

    for firm in firms:
        firm["s"], firm["points"] = [], []
    for indicator in system.indicators:
        x_all = [field_value(firm, indicator.source) for firm in firms]
        sorted_by_group = {}
        if indicator.method == "percentile":
            sorted_by_group = {key: sorted(x_all[i] for i in idx) for key, idx in members.items()}
        for i, firm in enumerate(firms):
            x = x_all[i]
            if indicator.method == "percentile":
                peers = sorted_by_group[firm["peer_key"]]
                s = bisect.bisect_right(peers, x) / len(peers) if x > 0 else 0.0
            else:
                s = direct_s(indicator, x)
            firm["s"].append(s)
            firm["points"].append(indicator.weights[firm["stage"]] * s)

    for firm in firms:
        base, bonus = 0.0, 0.0
        for indicator, p in zip(system.indicators, firm["points"], strict=True):
            if indicator.bonus:
                bonus += p
            else:
                base += p
        firm["base"], firm["bonus"] = base, min(bonus, system.bonus_cap)
        firm["total"] = firm["base"] + firm["bonus"]
        firm["cents"] = cents_of(firm["total"])
        firm["total_rounded"] = firm["cents"] / 100
        firm["grade"] = system.fallback_grade
        for label, limit in system.grade_bands:
            if firm["total_rounded"] >= limit:
                firm["grade"] = label
                break
        reasons = []
        if not firm["approved"]:
            reasons.append("not_approved")
        if firm["dishonest_debtor"]:
            reasons.append("veto_dishonest")
        if firm["tax_credit_d"]:
            reasons.append("veto_tax_d")
        if firm["major_violation"]:
            reasons.append("veto_violation")
        if not (firm["is_tech_sme"] or firm["is_high_tech_enterprise"]):
            reasons.append("not_tech_firm")
        if not firm["consent"]:
            reasons.append("no_consent")
        if not firm["total_rounded"] >= system.threshold:
            reasons.append("below_threshold")
        firm["reasons"] = ";".join(reasons)
        firm["eligible"] = not reasons

    for rank_name, key_of in (
        ("rank_national", lambda f: None),
        ("rank_province", lambda f: f["province"]),
        ("rank_industry", lambda f: f["section"]),
        ("stage_percentile", lambda f: f["stage"]),
    ):
        cents_by_group: dict = {}
        for firm in firms:
            cents_by_group.setdefault(key_of(firm), []).append(firm["cents"])
        for values in cents_by_group.values():
            values.sort()
        for firm in firms:
            values = cents_by_group[key_of(firm)]
            at_or_below = bisect.bisect_right(values, firm["cents"])
            if rank_name == "stage_percentile":
                firm[rank_name] = at_or_below / len(values)
            else:
                firm[rank_name] = 1 + len(values) - at_or_below

    keep = (
        "enterprise_id",
        "stage",
        "peer_level",
        "s",
        "points",
        "base",
        "bonus",
        "total",
        "total_rounded",
        "grade",
        "rank_national",
        "rank_province",
        "rank_industry",
        "stage_percentile",
        "eligible",
        "reasons",
    )
    return [{key: firm[key] for key in keep} for firm in firms]
