"""Write a validated import plan in bulk: new filings inserted (COPY on PostgreSQL), existing ones updated in place.

Runs inside the caller's transaction, so an exception anywhere leaves the database as it was (all or nothing).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from django.db import connection
from django.utils import timezone

from core.db.copy import bulk_insert, lock_table, next_ids, with_defaults

from ..choices import SubmissionStatus
from ..models import FLAG_FIELDS, MONEY_FIELDS, Submission, SubmissionChange
from .changes import changed_cells
from .validation import ImportPlan

UPDATE_CHUNK_ROWS = 5_000  # rows per UPDATE … FROM (VALUES …) statement / executemany call


def _texts(name: str, values: np.ndarray) -> list:
    """How the audit trail shows values (the same strings the filing services write), for a whole column at once."""
    if name in FLAG_FIELDS:
        return [bool(v) for v in values.tolist()]
    if name in MONEY_FIELDS:
        return [f"{v:.2f}".rstrip("0").rstrip(".") for v in np.round(values.astype(float), 2).tolist()]
    return [str(v) for v in values.astype(np.int64).tolist()]


def _extra_json(rows: list[dict]) -> list[str]:
    """Each filing's whole ``extra_values`` as the JSON text the column stores (keys sorted: stable bytes)."""
    return [json.dumps(row, ensure_ascii=False, sort_keys=True) for row in rows]


def _extra_merged(plan: ImportPlan, extras: list[str], values: pd.DataFrame, stored: list[dict] | None) -> list[dict]:
    """The extra values each row's filing holds afterwards: the stored ones (``None``: a new filing) with the file's
    columns applied — a blank cell removes a value (not filed), a filled one sets it."""
    merged = [dict(row) for row in stored] if stored is not None else [{} for _ in range(len(values))]
    for name in extras:
        code = plan.extra_fields[name].code
        for row, value in zip(merged, values[name].tolist(), strict=True):
            if value is None:
                row.pop(code, None)
            else:
                row[code] = value
    return merged


def write_plan(plan: ImportPlan, *, batch, user, source: str) -> dict[str, int]:
    """Apply ``plan`` (which must have no errors); returns counts of inserted and updated filings."""
    assert not plan.errors and plan.values is not None and plan.existing is not None
    now = pd.Timestamp(timezone.now())
    extras = [name for name in plan.columns if name in plan.extra_fields]  # written as one JSON column
    columns = [name for name in plan.columns if name not in plan.extra_fields]
    ids = plan.enterprise_ids
    all_values = plan.values[plan.columns].reset_index(drop=True)
    values = all_values[columns]
    for name in columns:
        if name not in MONEY_FIELDS and name not in FLAG_FIELDS:
            values[name] = values[name].astype(np.int64)  # counts: whole numbers, never "3.0" in an integer column
    is_new = ~np.isin(ids, plan.existing.index.to_numpy())

    lock_table(Submission)
    new_values = values[is_new].reset_index(drop=True)
    new_extras = all_values[extras][is_new].reset_index(drop=True)
    reserved = next_ids(Submission, int(is_new.sum()))
    new_ids = np.arange(reserved.start, reserved.stop, dtype=np.int64)
    frame = new_values.assign(
        id=new_ids, enterprise_id=ids[is_new], batch_id=batch.pk, status=SubmissionStatus.SUBMITTED,
        data_source=source, submitted_at=now, created_at=now, updated_at=now,
        extra_values=_extra_json(_extra_merged(plan, extras, new_extras, None)),
    )  # fmt: skip
    bulk_insert(Submission, with_defaults(Submission, frame))

    # Only filings with a changed value are rewritten: a row equal to the stored filing leaves it (and its data
    # source) as it is, so re-importing the filings export writes nothing.
    updating = changed_cells(plan)[1].any(axis=1)
    existing = plan.existing.reindex(ids[updating])
    old_values = existing[plan.columns].reset_index(drop=True)
    update_values = all_values[updating].reset_index(drop=True)
    written = update_values[columns]
    if extras:  # the filing's whole extra dict, merged here: one typed column for the UPDATE as for the others
        merged = _extra_merged(plan, extras, update_values, existing["extra_values"].tolist())
        written = written.assign(extra_values=_extra_json(merged))
    _update(existing["id"].to_numpy(), written, source=source, now=now)

    new_all = all_values[is_new].reset_index(drop=True)
    changes = _changes(new_ids, new_all, None, plan.columns, extras) + _changes(
        existing["id"].to_numpy(), update_values, old_values, plan.columns, extras
    )
    if changes:
        frame = pd.DataFrame(changes, columns=["submission_id", "diff"]).assign(
            user_id=getattr(user, "pk", None), action=SubmissionChange.Action.IMPORT,
            comment=f"source={source}", created_at=now,
        )  # fmt: skip
        bulk_insert(SubmissionChange, with_defaults(SubmissionChange, frame))
    return {"inserted": int(is_new.sum()), "updated": int(updating.sum())}


def _changes(submission_ids, new: pd.DataFrame, old: pd.DataFrame | None, columns, extras=()) -> list[tuple[int, str]]:
    """(submission id, JSON diff) for every filing whose values change. Built a column at a time: each changed cell
    becomes a ``"name": [old, new]`` fragment (values are digits, signs, points or true/false, so they need no
    escaping) and the fragments are joined row-wise by numpy on object arrays — no dict or ``json.dumps`` per row."""
    n = len(new)
    if not n:
        return []
    pieces = np.full(n, "", dtype=object)
    for name in columns:
        if name in extras:  # texts or None (not filed), as ``batch_fields.extra_values_merge`` records them
            after = np.array([None if v is None else str(v) for v in new[name].tolist()], dtype=object)
            before = (np.array([None if v is None or v != v else str(v) for v in old[name].tolist()], dtype=object)
                      if old is not None else np.full(n, None, dtype=object))  # fmt: skip
            positions = np.flatnonzero(after != before)
            fragments = np.array([f", {json.dumps(name)}: [{json.dumps(before[p])}, {json.dumps(after[p])}]"
                                  for p in positions.tolist()], dtype=object)  # fmt: skip
            if positions.size:
                pieces[positions] = pieces[positions] + fragments
            continue
        after = new[name].to_numpy()
        before = old[name].fillna(0).to_numpy() if old is not None else np.zeros(n)
        positions = np.flatnonzero(after.astype(float) != before.astype(float))
        if not positions.size:
            continue
        olds, news = (json.dumps(v) for v in (_texts(name, before[positions]), _texts(name, after[positions])))
        # one json.dumps per column, split back into cells: '["1", "2"]' → ['"1"', '"2"']
        olds, news = _json_items(olds), _json_items(news)
        fragments = np.array([f', "{name}": [{o}, {w}]' for o, w in zip(olds, news, strict=True)], dtype=object)
        pieces[positions] = pieces[positions] + fragments
    changed = np.flatnonzero(pieces != "")
    texts = ["{" + text[2:] + "}" for text in pieces[changed].tolist()]
    return list(zip(np.asarray(submission_ids)[changed].astype(int).tolist(), texts, strict=True))


def _json_items(array_text: str) -> list[str]:
    """The items of a JSON array of scalars as JSON texts (no item holds a comma: numbers as strings, booleans)."""
    inner = array_text[1:-1]
    return inner.split(", ") if inner else []


def _update(submission_ids: np.ndarray, values: pd.DataFrame, *, source: str, now) -> None:
    if not len(submission_ids):
        return
    table = connection.ops.quote_name(Submission._meta.db_table)
    qn = connection.ops.quote_name
    names = list(values.columns)
    records = values.astype(object).assign(id=submission_ids.astype(object))
    rows = list(records[[*names, "id"]].itertuples(index=False, name=None))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            types = {f.name: f.db_type(connection) for f in Submission._meta.concrete_fields}
            assignments = ", ".join(f"{qn(n)} = v.{qn(n)}::{types[n]}" for n in names)
            value_columns = ", ".join(qn(n) for n in [*names, "id"])
            # Bandit B608 (both UPDATEs): identifiers from model metadata, quoted; values bound as parameters
            sql = (
                f"UPDATE {table} AS t SET {assignments}, data_source = %s, updated_at = %s "  # nosec B608
                f"FROM (VALUES %s) AS v({value_columns}) WHERE t.id = v.id::bigint"
            )
            for start in range(0, len(rows), UPDATE_CHUNK_ROWS):
                chunk = rows[start : start + UPDATE_CHUNK_ROWS]
                # execute_values fills the single %s with the rows; the two parameters before it are bound around.
                statement = cursor.cursor.mogrify(sql.replace("(VALUES %s)", "(VALUES {rows})"), [source, now])
                execute_values(cursor.cursor, statement.decode().replace("{rows}", "%s"), chunk,
                               page_size=UPDATE_CHUNK_ROWS)  # fmt: skip
        else:
            assignments = ", ".join(f"{qn(n)} = %s" for n in names)
            sql = f"UPDATE {table} SET {assignments}, data_source = %s, updated_at = %s WHERE id = %s"  # nosec B608
            stamp = now.tz_convert("UTC").strftime("%Y-%m-%d %H:%M:%S.%f")
            params = [(*row[:-1], source, stamp, row[-1]) for row in rows]
            for start in range(0, len(params), UPDATE_CHUNK_ROWS):
                cursor.executemany(sql, params[start : start + UPDATE_CHUNK_ROWS])
