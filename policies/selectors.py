"""Reads for policy matching: a published run's firms as arrays (the scoring run's own loader plus one binary COPY
of the run's scores), the policies to match, and the bureau's and the firm's views of the stored matches."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db.models import Case, IntegerField, QuerySet, Sum, Value, When

from core.db.copy import CENTS, queryset_to_arrays
from core.regions import REGION_DIGITS, overlapping_region
from enterprises.models import Batch, Enterprise
from scoring.engine.population import SECTIONS
from scoring.engine.system import STAGES
from scoring.models import Score, ScoringRun
from scoring.selectors import population_load

from .match_store import FIRM_RECORD, MATCHED, MATCHED_RECORD, group_records
from .matching import GRADES, MatchPopulation, match_population
from .models import Policy, PolicyMatchGroup

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


LISTED_FIELDS = ("id", "credit_code", "name")
"""What the bureau's lists and exports show of a firm: a national export reads ~500,000 of them."""

# --- Stored matches as firms ----------------------------------------------------------------------------------


@dataclass
class PolicyMatch:
    """One firm's match (``near`` false) or near-miss of a policy, read out of its ``PolicyMatchGroup``:
    ``condition`` is the unmet condition's index in the policy's version ``policy_version``, ``have`` the firm's
    value and ``gap`` the filed amount that closes it; ``region`` and ``section`` are the firm's when scored."""

    policy_id: int
    batch_id: int
    run_id: int
    policy_version: int
    enterprise_id: int
    region: int
    section: str
    near: bool
    condition: int | None = None
    have: float | None = None
    gap: float | None = None
    policy: Policy | None = None
    enterprise: Enterprise | None = None


def _number(value) -> float | None:
    return None if np.isnan(value) else float(value)


@dataclass(frozen=True, eq=False)
class PolicyMatches:
    """A policy's stored matches and near-misses that a reader may see, one entry per (batch, firm), as arrays:
    ``records`` (``policies.match_store.FIRM_RECORD``), the group's ``region``, ``batch_id``, ``run_id`` and
    ``policy_version`` alongside, and ``near``."""

    policy: Policy
    records: np.ndarray
    near: np.ndarray
    region: np.ndarray
    batch_id: np.ndarray
    run_id: np.ndarray
    policy_version: np.ndarray

    def __len__(self) -> int:
        return int(self.records.size)

    def take(self, index) -> PolicyMatches:
        return PolicyMatches(self.policy, self.records[index], self.near[index], self.region[index],
                             self.batch_id[index], self.run_id[index], self.policy_version[index])  # fmt: skip

    def ordered(self, *keys: str) -> PolicyMatches:
        """Sorted by ``keys`` (``region``, ``enterprise_id``, ``condition``, ``gap``), the first most significant;
        a missing gap sorts last, as NULL does in PostgreSQL."""
        columns = {"region": self.region, "enterprise_id": self.records["enterprise"],
                   "condition": self.records["condition"], "gap": self.records["gap"]}  # fmt: skip
        return self.take(np.lexsort([columns[key] for key in reversed(keys)]))

    def rows(self, stop: int | None = None, *, chunk: int = 2000) -> Iterator[PolicyMatch]:
        """The first ``stop`` entries (all by default) as ``PolicyMatch``, each with its enterprise, read ``chunk``
        firms per query."""
        letters = np.frombuffer(SECTIONS.encode(), dtype="S1")
        count = len(self) if stop is None else min(stop, len(self))
        for start in range(0, count, chunk):
            part = self.take(slice(start, min(count, start + chunk)))
            ids = part.records["enterprise"].astype(np.int64)
            firms = Enterprise.objects.only(*LISTED_FIELDS).in_bulk(ids.tolist())
            sections = letters[part.records["section"]]
            for i in range(len(part)):
                near = bool(part.near[i])
                record = part.records[i]
                yield PolicyMatch(
                    policy_id=self.policy.pk, batch_id=int(part.batch_id[i]), run_id=int(part.run_id[i]),
                    policy_version=int(part.policy_version[i]), enterprise_id=int(ids[i]), region=int(part.region[i]),
                    section=sections[i].decode(), near=near, condition=int(record["condition"]) if near else None,
                    have=_number(record["have"]) if near else None, gap=_number(record["gap"]) if near else None,
                    policy=self.policy, enterprise=firms.get(int(ids[i])),
                )  # fmt: skip


def _policy_groups(groups: QuerySet[PolicyMatchGroup], policy: Policy, near: bool | None) -> PolicyMatches:
    """The groups' records joined: the matching firms' (unless ``near``), then the near-misses' (unless ``near`` is
    False), each group's values repeated per firm. Vectorised over the groups: a national policy has ~1,600."""
    rows = list(groups.filter(policy=policy).order_by().values_list(
        "batch_id", "run_id", "region", "policy_version", "matched", "near", "firms"
    ).iterator(chunk_size=2000))  # fmt: skip
    keys = np.array([row[:6] for row in rows], dtype=np.int64).reshape(-1, 6)
    counts = {False: keys[:, 4], True: keys[:, 5]}
    kinds = [is_near for is_near in (False, True) if near is None or near == is_near]
    records = np.concatenate([_group_parts(rows, is_near) for is_near in kinds] or [np.zeros(0, FIRM_RECORD)])
    per_group = np.concatenate([counts[is_near] for is_near in kinds])
    flags = np.concatenate([np.full(int(counts[is_near].sum()), is_near) for is_near in kinds])
    column = lambda i: np.repeat(np.tile(keys[:, i], len(kinds)), per_group)  # noqa: E731
    return PolicyMatches(policy, records, flags, column(2), column(0), column(1), column(3))


def _group_parts(rows, near: bool) -> np.ndarray:
    """Every group's matching firms (or near-misses) as ``FIRM_RECORD``, group after group."""
    if not near:
        heads = [np.frombuffer(row[6], dtype=MATCHED_RECORD, count=row[4]) for row in rows]
        head = np.concatenate(heads) if heads else np.zeros(0, dtype=MATCHED_RECORD)
        records = np.empty(head.size, dtype=FIRM_RECORD)
        records["enterprise"], records["section"], records["condition"] = head["enterprise"], head["section"], MATCHED
        records["have"] = records["gap"] = np.nan
        return records
    tails = [np.frombuffer(row[6], dtype=FIRM_RECORD, offset=row[4] * MATCHED_RECORD.itemsize) for row in rows]
    return np.concatenate(tails) if tails else np.zeros(0, dtype=FIRM_RECORD)


def match_rows(*, policy: Policy, near: bool | None = None) -> PolicyMatches:
    """Every stored match (or near-miss) of ``policy``, whoever the reader: for services, commands and tests."""
    return _policy_groups(PolicyMatchGroup.objects.all(), policy, near)


# --- Bureau side ------------------------------------------------------------------------------------------------


@dataclass
class Reach:
    """A policy's reach inside a bureau's region: matching firms and near-misses, by region and by section."""

    matched: int
    near: int
    by_region: list[tuple[str, int, int]]  # (region prefix one level below the bureau's, matched, near)
    by_section: list[tuple[str, int, int]]


def policy_matches(*, policy: Policy, who, near: bool | None = None) -> PolicyMatches:
    """The matches (or near-misses) of ``policy`` among the firms of the reader's region."""
    return _policy_groups(PolicyMatchGroup.objects.visible_to(who), policy, near)


def policy_reach(*, policy: Policy, who, region: str, rows: PolicyMatches | None = None) -> Reach:
    """Counts by region (one level below ``region``: provinces for a national bureau) and by section; ``rows``
    (``policy_matches`` of the same reader) saves reading them again."""
    digits = min(len(region) + 2, REGION_DIGITS)
    scale = 10 ** (REGION_DIGITS - digits)
    rows = policy_matches(policy=policy, who=who) if rows is None else rows
    by_region = _counts(rows.region // scale, rows.near, lambda code: f"{code:0{digits}d}")
    by_section = _counts(rows.records["section"], rows.near, lambda code: SECTIONS[code])
    near = int(rows.near.sum())
    return Reach(matched=len(rows) - near, near=near, by_region=by_region, by_section=by_section)


def _counts(keys: np.ndarray, near: np.ndarray, label) -> list[tuple[str, int, int]]:
    """(label, matched, near) per distinct key (small non-negative integers: region prefixes, sections), the most
    matches first. Counted with ``bincount``: sorting 520,000 keys for ``unique`` took ~0.2 s."""
    keys = keys.astype(np.int64)
    size = int(keys.max()) + 1 if keys.size else 0
    matched = np.bincount(keys[~near], minlength=size)
    nears = np.bincount(keys[near], minlength=size)
    rows = [(label(int(v)), int(matched[v]), int(nears[v])) for v in np.flatnonzero(matched + nears)]
    return sorted(rows, key=lambda row: (-row[1], -row[2], row[0]))


def policy_counts(*, who) -> dict[int, tuple[int, int]]:
    """Per policy, its matching firms and near-misses in the reader's region (the policy list), summed over the
    groups' counts: no firm records are read."""
    rows = (PolicyMatchGroup.objects.visible_to(who).order_by().values("policy_id")
            .annotate(matched=Sum("matched"), near=Sum("near")))  # fmt: skip
    return {row["policy_id"]: (row["matched"], row["near"]) for row in rows}


# --- Firm side -----------------------------------------------------------------------------------------------------


def firm_matches(*, enterprise_id: int) -> list[PolicyMatch]:
    """The firm's own entries (matches first, then near-misses), of active policies, with the policy: read out of
    the groups of the counties it was scored in (about one row per policy), one per policy, the newest batch's."""
    # Only the published runs' scores: by (run, firm) the primary key finds each at once, where a firm's scores in
    # every run meant scanning each run's whole index (~30 ms a run at 520,000 firms).
    published = Batch.objects.filter(scoring__published_run__isnull=False).values("scoring__published_run_id")
    scores = Score.objects.filter(run_id__in=published, enterprise_id=enterprise_id)
    regions = scores.order_by().values("region").distinct()
    groups = PolicyMatchGroup.objects.filter(region__in=regions, policy__active=True).select_related("policy")
    found = []
    for group in groups.order_by("-run_id"):
        records = group_records(group.firms, group.matched)
        for near, first, last in ((False, 0, group.matched), (True, group.matched, records.size)):
            index = first + int(np.searchsorted(records["enterprise"][first:last], enterprise_id))
            if index == last or records["enterprise"][index] != enterprise_id:
                continue
            record = records[index]
            found.append(PolicyMatch(
                policy_id=group.policy_id, batch_id=group.batch_id, run_id=group.run_id,
                policy_version=group.policy_version, enterprise_id=enterprise_id, region=group.region,
                section=SECTIONS[record["section"]], near=near, condition=int(record["condition"]) if near else None,
                have=_number(record["have"]) if near else None, gap=_number(record["gap"]) if near else None,
                policy=group.policy,
            ))  # fmt: skip
    found.sort(key=lambda m: (m.near, m.policy.deadline is None, m.policy.deadline or date.min, m.policy_id))
    seen, kept = set(), []
    for row in found:  # stable: within a policy the newest run first
        if row.policy_id not in seen:
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
