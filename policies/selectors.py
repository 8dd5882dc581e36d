"""Reads for policy matching: a published run's firms as arrays (the scoring run's own loader plus one binary COPY
of the run's scores), the policies to match, and the bureau's and the firm's views of the stored matches."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Case, IntegerField, QuerySet, Value, When

from core.db.copy import CENTS, queryset_to_arrays
from core.regions import REGION_DIGITS, overlapping_region
from enterprises.models import Batch
from scoring.engine.system import STAGES
from scoring.models import Score, ScoringRun
from scoring.selectors import population_load

from .matching import GRADES, MatchPopulation, match_population
from .models import Policy, PolicyMatch

SCORE_COLUMNS = {
    "enterprise_id": "int64", "total": CENTS, "grade_code": "int32", "stage_code": "int32", "region": "int32",
    "rank_national": "int32", "rank_province": "int32", "rank_industry": "int32", "stage_percentile": "float64",
    "eligible": "bool",
}  # fmt: skip


def _position_of(field: str, labels: tuple[str, ...]) -> Case:
    """A text column as its position in ``labels`` (binary COPY reads fixed-width integers)."""
    whens = [When(**{field: label}, then=Value(i)) for i, label in enumerate(labels)]
    return Case(*whens, default=Value(-1), output_field=IntegerField())


def run_match_population(*, run: ScoringRun, enterprise_id: int | None = None) -> MatchPopulation:
    """The firms of ``run`` (its scores) with their filing of the run's batch: read with the loader the scoring run
    uses (``scoring.selectors.population_load``, binary COPY) and one COPY of the scores. ``enterprise_id`` reads
    one firm (its policy page)."""
    scores = Score.objects.filter(run_id=run.pk)
    if enterprise_id is not None:
        scores = scores.filter(enterprise_id=enterprise_id)
    arrays = queryset_to_arrays(
        scores.annotate(grade_code=_position_of("grade", GRADES), stage_code=_position_of("stage", STAGES)),
        SCORE_COLUMNS,
    )
    arrays["grade"], arrays["stage"] = arrays.pop("grade_code"), arrays.pop("stage_code")
    population = population_load(batch=run.batch, enterprise_id=enterprise_id)
    return match_population(population, arrays)


def policies_to_match(*, batch: Batch, policy_ids=None) -> list[Policy]:
    """The active policies whose region overlaps the batch's (a national batch meets every policy)."""
    policies = overlapping_region(Policy.objects.filter(active=True), batch.region_scope)
    if policy_ids is not None:
        policies = policies.filter(pk__in=policy_ids)
    return list(policies.order_by("pk"))


def published_runs(*, policy: Policy | None = None) -> list[ScoringRun]:
    """Every batch's published run (overlapping ``policy``'s region): what an on-demand matching covers."""
    batches = Batch.objects.filter(scoring__published_run__isnull=False)
    if policy is not None:
        batches = overlapping_region(batches, policy.region_scope)
    ids = batches.values_list("scoring__published_run_id", flat=True)
    return list(ScoringRun.objects.filter(pk__in=ids).select_related("batch").order_by("pk"))


# --- Bureau side ------------------------------------------------------------------------------------------------


@dataclass
class Reach:
    """A policy's reach inside a bureau's region: matching firms and near-misses, by region and by section."""

    matched: int
    near: int
    by_region: list[tuple[str, int, int]]  # (region prefix one level below the bureau's, matched, near)
    by_section: list[tuple[str, int, int]]


def policy_matches(*, policy: Policy, who, near: bool | None = None) -> QuerySet[PolicyMatch]:
    rows = PolicyMatch.objects.visible_to(who).filter(policy=policy)
    return rows if near is None else rows.filter(near=near)


def policy_reach(*, policy: Policy, who, region: str) -> Reach:
    """Counts by region (one level below ``region``: provinces for a national bureau) and by section."""
    digits = min(len(region) + 2, REGION_DIGITS)
    scale = 10 ** (REGION_DIGITS - digits)
    rows = policy_matches(policy=policy, who=who).values_list("region", "section", "near")
    by_region: Counter = Counter()
    by_section: Counter = Counter()
    matched = near = 0
    for code, section, is_near in rows.iterator(chunk_size=5000):
        prefix = f"{code // scale:0{digits}d}"
        by_region[(prefix, is_near)] += 1
        by_section[(section, is_near)] += 1
        near += is_near
        matched += not is_near
    return Reach(matched=matched, near=near, by_region=_pairs(by_region), by_section=_pairs(by_section))


def _pairs(counter: Counter) -> list[tuple[str, int, int]]:
    keys = sorted({key for key, _near in counter})
    rows = [(key, counter[(key, False)], counter[(key, True)]) for key in keys]
    return sorted(rows, key=lambda row: (-row[1], -row[2], row[0]))


# --- Firm side -----------------------------------------------------------------------------------------------------


def firm_matches(*, enterprise_id: int) -> list[PolicyMatch]:
    """The firm's own rows (matches first, then near-misses), of active policies, with the policy."""
    rows = PolicyMatch.objects.filter(enterprise_id=enterprise_id, policy__active=True).select_related("policy")
    seen, kept = set(), []
    for row in rows.order_by("near", "policy__deadline", "policy_id", "-run_id"):
        if row.policy_id not in seen:  # one row per policy: the newest batch's
            seen.add(row.policy_id)
            kept.append(row)
    return kept


def version_conditions(*, policy: Policy, version: int) -> list[dict]:
    """The conditions of ``policy`` as they were at ``version`` (a match row refers to the version it was made
    with; the current row when it is the current version)."""
    if version == policy.version:
        return policy.conditions
    stored = policy.versions.filter(version=version).values_list("content", flat=True).first()
    return (stored or {}).get("conditions", policy.conditions)


def firm_values(*, run: ScoringRun, enterprise_id: int) -> MatchPopulation | None:
    firm = run_match_population(run=run, enterprise_id=enterprise_id)
    return firm if firm.n else None
