"""Where matching's results live: per (policy, batch, county) one ``PolicyMatchGroup`` row whose ``firms`` packs a
record per firm (``MATCHED_RECORD``, ``FIRM_RECORD``), built from the matching's arrays without a loop over firms,
and read back as arrays (``group_records``).

Writing a whole round on PostgreSQL (``groups_replace``): the batch's rows go into a fresh table with binary
``COPY … FREEZE``, the parent's indexes are built in one sort each, and the table takes the place of the batch's
partition (DETACH, DROP, RENAME, ATTACH) at the end of the caller's transaction: readers see the previous round
until the commit, then the whole new one; a rollback leaves the previous partition as it was. Re-matching a few
policies (a policy saved) deletes and inserts just their groups in the partition, a few hundred rows. SQLite (the
embedded default): delete and insert, in the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from django.db import connection
from django.db.models import Aggregate, BinaryField, F, Func, Value
from django.utils import timezone

from core.db.copy import VARBYTEA, ArrayColumn, arrays_insert, table_of
from core.db.partitions import analyze_on_commit, fresh_table_fill, indexes_like_parent, table_exists
from scoring.models import ScoringRun

from .matching import MatchPopulation, PolicyResult
from .models import Policy, PolicyMatchGroup

MATCHED_RECORD = np.dtype([("enterprise", "<u4"), ("section", "u1")])
"""A matching firm in a group: its id and section (index into ``SECTIONS``)."""
FIRM_RECORD = np.dtype([("enterprise", "<u4"), ("section", "u1"), ("condition", "u1"), ("have", "<f4"), ("gap", "<f4")])
"""A near-miss in a group, and any firm as ``group_records`` reads it: its id, section, the unmet condition's index
(``MATCHED`` for a firm that meets every condition), its value of that condition's field and the gap (float32,
NaN when none)."""
MATCHED = 255
ANALYZED_COLUMNS = ("policy_id", "batch_id", "region", "run_id")
"""What the reads filter on: ANALYZE need not sample the records (0.38 s against 0.54 s for a national round)."""
INLINE = "toast_tuple_target = 8160"
"""Rows up to a page stay in the table: at the default 2 kB a fifth of a national round's groups (the larger
counties') went to TOAST, each 2 kB chunk a row of its own with an index entry, and the table took 229 MB for
~140 MB of records."""
ROUND_LOCK = 0x706F6C69  # "poli": the advisory-lock class of "write batch N's matches"


def partition_name(batch_id: int) -> str:
    return f"{table_of(PolicyMatchGroup)}_b{int(batch_id)}"


def population_by_county(population: MatchPopulation) -> MatchPopulation:
    """The firms in (county, id) order: each policy's matches and near-misses (positions in ascending order) then
    come out grouped by county already, and ``match_groups`` merges instead of sorting."""
    return population.take(np.lexsort((population.enterprise_id, population.region)))


def match_groups(population: MatchPopulation, policies: Sequence[Policy], results: Sequence[PolicyResult],
                 run: ScoringRun) -> list[ArrayColumn]:  # fmt: skip
    """The groups of every policy's matches and near-misses, as columns for one bulk insert (one row per policy and
    county that has any). ``population`` must be in (county, id) order (``population_by_county``): a county's
    matching firms and near-misses are then runs of the policy's result, already in order, and a group's bytes are
    two slices (no sort: one four-key ``lexsort`` of the round's 4.4 million entries took ~4 s here)."""
    ids, region = population.enterprise_id, population.region
    if ids.size and (ids.min() < 0 or ids.max() >= 2**32):
        raise ValueError("enterprise ids beyond the 32 bits a match record holds")
    if np.any((region[1:] < region[:-1]) | ((region[1:] == region[:-1]) & (ids[1:] <= ids[:-1]))):
        raise ValueError("the population is not in (county, id) order")
    counties, county = np.unique(region, return_inverse=True)
    pieces: list[np.ndarray] = []
    rows: dict[str, list[np.ndarray]] = {"policy": [], "county": [], "matched": [], "near": []}
    for policy, result in zip(policies, results, strict=True):
        per_matched = np.bincount(county[result.matched], minlength=counties.size)
        per_near = np.bincount(county[result.near], minlength=counties.size)
        present = np.flatnonzero(per_matched + per_near)
        matched = _records(MATCHED_RECORD, ids[result.matched], population.section[result.matched])
        near = _records(FIRM_RECORD, ids[result.near], population.section[result.near], condition=result.near_condition,
                        have=result.have, gap=result.gap)  # fmt: skip
        splits = zip(np.split(matched, np.cumsum(per_matched[present])[:-1]),
                     np.split(near, np.cumsum(per_near[present])[:-1]), strict=True)  # fmt: skip
        pieces.extend(part for pair in splits for part in pair)
        rows["policy"].append(np.full(present.size, policy.pk, dtype=np.int64))
        rows["county"].append(present)
        rows["matched"].append(per_matched[present])
        rows["near"].append(per_near[present])
    policy, group, matched, near = (np.concatenate(rows[k]).astype(np.int64) for k in rows)
    payload = np.concatenate([piece.view(np.uint8) for piece in pieces]) if pieces else np.zeros(0, np.uint8)
    sizes = matched * MATCHED_RECORD.itemsize + near * FIRM_RECORD.itemsize
    versions = np.array([p.version for p in policies], dtype=np.int32)
    version = versions[np.searchsorted(np.array([p.pk for p in policies]), policy)]
    n = policy.size
    now = np.datetime64(timezone.now().replace(tzinfo=None), "us")
    return [
        ArrayColumn("policy_id", "int8", policy),
        ArrayColumn("batch_id", "int8", np.full(n, run.batch_id, dtype=np.int64)),
        ArrayColumn("run_id", "int8", np.full(n, run.pk, dtype=np.int64)),
        ArrayColumn("region", "int4", counties[group].astype(np.int32)),
        ArrayColumn("policy_version", "int4", version),
        ArrayColumn("matched", "int4", matched.astype(np.int32)),
        ArrayColumn("near", "int4", near.astype(np.int32)),
        ArrayColumn("matched_at", "timestamptz", np.full(n, now)),
        ArrayColumn("firms", VARBYTEA, payload, bounds=np.r_[0, np.cumsum(sizes)]),
    ]


def _records(dtype: np.dtype, enterprise, section, **near) -> np.ndarray:
    records = np.empty(len(enterprise), dtype=dtype)
    records["enterprise"], records["section"] = enterprise, section
    for name, values in near.items():
        records[name] = values
    return records


def group_records(firms: bytes | memoryview, matched: int) -> np.ndarray:
    """A group's ``firms`` (its ``matched`` matching firms, then its near-misses) as one ``FIRM_RECORD`` per firm,
    the matching firms' condition ``MATCHED`` and values NaN."""
    head = np.frombuffer(firms, dtype=MATCHED_RECORD, count=matched)
    records = np.empty(matched + (len(firms) - head.nbytes) // FIRM_RECORD.itemsize, dtype=FIRM_RECORD)
    records[matched:] = np.frombuffer(firms, dtype=FIRM_RECORD, offset=head.nbytes)
    records[:matched] = _records(FIRM_RECORD, head["enterprise"], head["section"], condition=MATCHED, have=np.nan,
                                 gap=np.nan)  # fmt: skip
    return records


class BytesJoined(Aggregate):
    """PostgreSQL's ``string_agg`` of bytea values, in no particular order."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ''::bytea)"
    output_field = BinaryField()


def matched_before(*, batch_id: int, policy_ids: Sequence[int]) -> dict[int, np.ndarray]:
    """Per policy of ``policy_ids``, the ids of the firms it matched in the batch (not its near-misses) as stored:
    the leading part of each group's records only, joined per policy in the database on PostgreSQL (one row per
    policy instead of one per county: ~3 s less Python for a national round)."""
    size = MATCHED_RECORD.itemsize
    head = Func(F("firms"), Value(1), F("matched") * size, function="SUBSTR", output_field=BinaryField())
    groups = PolicyMatchGroup.objects.filter(batch_id=batch_id, policy_id__in=list(policy_ids)).order_by()
    if connection.vendor == "postgresql":
        rows = groups.values("policy_id").annotate(head=BytesJoined(head)).values_list("policy_id", "head")
    else:
        rows = groups.annotate(head=head).values_list("policy_id", "head")
    found: dict[int, list[np.ndarray]] = {}
    for policy_id, records in rows.iterator(chunk_size=2000):
        found.setdefault(policy_id, []).append(np.frombuffer(records, MATCHED_RECORD)["enterprise"].astype(np.int64))
    return {policy_id: np.concatenate(parts) for policy_id, parts in found.items()}


def groups_replace(*, batch_id: int, policy_ids: Sequence[int], columns: list[ArrayColumn], whole_round: bool) -> int:
    """Replace the groups of ``policy_ids`` in the batch with ``columns``; returns the rows written. ``whole_round``
    (every active policy): the batch's groups become ``columns`` (on PostgreSQL a fresh partition), so an inactive
    policy's groups of an earlier run go (saving it active again matches it); else the groups of ``policy_ids`` in
    place. Must run inside the caller's transaction: everything appears at its commit."""
    if not connection.in_atomic_block:
        raise RuntimeError("groups_replace must run inside transaction.atomic()")
    ids = [int(i) for i in policy_ids]
    if connection.vendor != "postgresql":
        replaced = PolicyMatchGroup.objects.filter(batch_id=batch_id)
        (replaced if whole_round else replaced.filter(policy_id__in=ids)).delete()
        return arrays_insert(PolicyMatchGroup, columns)
    parent, table = table_of(PolicyMatchGroup), partition_name(batch_id)
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ROUND_LOCK, int(batch_id)])  # one writer per batch
        exists = table_exists(cursor, table)
        if exists and not whole_round:
            cursor.execute(f"DELETE FROM {qn(table)} WHERE policy_id = ANY(%s)", [ids])  # nosec B608 # ids in a name
            return arrays_insert(PolicyMatchGroup, columns, table=table)
        fresh = f"{table}_new"
        written = fresh_table_fill(PolicyMatchGroup, fresh, f"batch_id = {int(batch_id)}", columns, options=INLINE)
        indexes_like_parent(fresh, parent)
        # From here to the commit readers of the table wait (DETACH locks the parent): milliseconds.
        if exists:
            cursor.execute(f"ALTER TABLE {qn(parent)} DETACH PARTITION {qn(table)}")
            cursor.execute(f"DROP TABLE {qn(table)}")
        cursor.execute(f"ALTER TABLE {qn(fresh)} RENAME TO {qn(table)}")
        cursor.execute(f"ALTER TABLE {qn(parent)} ATTACH PARTITION {qn(table)} FOR VALUES IN ({int(batch_id)})")
    analyze_on_commit(table, ANALYZED_COLUMNS)
    return written
