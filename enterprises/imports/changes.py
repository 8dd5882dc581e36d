"""What an import changes in the filings it updates: a cell-by-cell comparison of the validated values with the
stored ones, a column at a time (numpy masks, no loop over rows).

The dry run lists the changed cells old → new in words (``enterprises.labels.value_label``: 是/否, a level by its
name, amounts with separators); the writer rewrites only the filings with a change, so re-importing an export
unchanged writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..batch_fields import extra_value_label
from ..labels import field_label, value_label
from ..models import COUNT_FIELDS, FLAG_FIELDS, MONEY_FIELDS, Enterprise
from .validation import KEY, ImportPlan


@dataclass
class CellChange:
    """One value an update changes, as the dry run shows it."""

    row: int  # the spreadsheet's row (the header is row 1)
    credit_code: str
    name: str
    field: str  # the field's label
    old: str
    new: str


@dataclass
class PlanChanges:
    cells: int  # changed values in all
    filings: int  # existing filings with at least one change
    unchanged: int  # existing filings the file leaves as they are
    shown: list[CellChange]  # the first changes, in file order


def _comparable(name: str, values: np.ndarray) -> np.ndarray:
    """Values as integers that are equal exactly when the filing would hold the same value (money in cents)."""
    if name in FLAG_FIELDS:
        return np.asarray(values, dtype=float).astype(bool).astype(np.int64)
    numbers = np.nan_to_num(np.asarray(values, dtype=float))
    return np.rint(numbers * 100).astype(np.int64) if name in MONEY_FIELDS else np.rint(numbers).astype(np.int64)


def _texts(values) -> np.ndarray:
    """An extra field's stored texts, "" for not filed (None, or NaN where a new filing has no stored row)."""
    return np.array(["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in values],
                    dtype=object)  # fmt: skip


def changed_cells(plan: ImportPlan) -> tuple[np.ndarray, np.ndarray]:
    """``(updates, changed)``: which rows update an existing filing, and a rows × ``plan.columns`` matrix of the
    cells whose value differs from the stored one (all False on rows that create a filing)."""
    ids = plan.enterprise_ids
    updates = np.isin(ids, plan.existing.index.to_numpy())
    stored = plan.existing.reindex(ids)
    changed = np.zeros((len(ids), len(plan.columns)), dtype=bool)
    for j, name in enumerate(plan.columns):
        if name in plan.extra_fields:  # canonical texts: equal exactly when the filing would hold the same value
            after, before = _texts(plan.values[name]), _texts(stored[name])
        else:
            after = _comparable(name, plan.values[name].to_numpy())
            before = _comparable(name, stored[name].to_numpy())
        changed[:, j] = updates & (after != before)
    return updates, changed


def plan_changes(plan: ImportPlan, *, limit: int) -> PlanChanges:
    """The changes of a valid plan: counts, and the first ``limit`` changed cells in words (one query for names)."""
    updates, changed = changed_cells(plan)
    rows, columns = np.nonzero(changed)  # row-major: file order, then column order
    rows, columns = rows[:limit], columns[:limit]
    ids = plan.enterprise_ids
    names = dict(Enterprise.objects.filter(pk__in=set(ids[rows].tolist())).values_list("pk", "name"))
    stored = plan.existing.reindex(ids[rows])
    shown = []
    for k, (i, j) in enumerate(zip(rows.tolist(), columns.tolist(), strict=True)):
        name = plan.columns[j]
        code = plan.values[KEY].iat[i]
        if name in plan.extra_fields:
            extra = plan.extra_fields[name]
            old, new = (
                extra_value_label(extra, _texts([v])[0] or None)
                for v in (stored[name].iat[k], plan.values[name].iat[i])
            )
            shown.append(CellChange(i + 2, code, names.get(int(ids[i]), ""), extra.label, old, new))
            continue
        old, new = _label(name, stored[name].iat[k]), _label(name, plan.values[name].iat[i])
        shown.append(CellChange(i + 2, code, names.get(int(ids[i]), ""), field_label(name), old, new))
    touched = changed.any(axis=1)
    return PlanChanges(
        cells=int(changed.sum()), filings=int(touched.sum()), unchanged=int((updates & ~touched).sum()), shown=shown
    )


def _label(name: str, value) -> str:
    """A stored or imported value in words: numpy and database scalars become the Python value the field holds."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return value_label(name, None)
    if name in FLAG_FIELDS:
        return value_label(name, bool(value))
    if name in COUNT_FIELDS:
        return value_label(name, int(value))
    return value_label(name, round(float(value), 2))
