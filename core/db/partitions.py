"""PostgreSQL partition plumbing that several apps' bulk writers share (``banks.partitions``,
``policies.match_store``): a fresh table filled before it is attached gets its parent's indexes built in one sort
each, instead of having ATTACH build them (or COPY maintain them row by row)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models, transaction

from .copy import ArrayColumn, arrays_insert, table_of

INDEX_BUILD_MEMORY = "256MB"
"""``maintenance_work_mem`` while a fresh partition's indexes are built: its keys sort in memory, not on disk."""


def table_exists(cursor, table: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
    return cursor.fetchone()[0]


def indexes_like_parent(table: str, parent: str) -> None:
    """Build on ``table`` every index and unique constraint the partitioned ``parent`` has, so that ATTACH adopts
    them instead of building them itself while it holds the parent's lock. Read from the catalog, so a new index in
    the model's ``Meta`` needs nothing here."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
        cursor.execute(
            "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c"
            " WHERE c.conrelid = %s::regclass AND c.contype IN ('p', 'u') ORDER BY c.conname",
            [parent],
        )
        for (definition,) in cursor.fetchall():
            cursor.execute(f"ALTER TABLE {qn(table)} ADD {definition}")
        cursor.execute(
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid = %s::regclass"
            " AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
            [parent],
        )
        for (definition,) in cursor.fetchall():
            # "CREATE [UNIQUE] INDEX name ON ONLY public.<parent> USING btree (...) [WHERE ...]"
            head, using = definition.split(" USING ", 1)
            unique = "UNIQUE " if head.startswith("CREATE UNIQUE") else ""
            cursor.execute(f"CREATE {unique}INDEX ON {qn(table)} USING {using}")


def fresh_table_fill(
    model: type[models.Model], table: str, bounds: str, columns: Sequence[ArrayColumn], *, options: str = ""
) -> int:
    """Create ``table`` like ``model``'s partitioned table, with a CHECK of ``bounds`` (SQL over the partition keys,
    e.g. ``run_id = 7``: ATTACH then skips scanning the rows to prove they belong) and storage parameters
    ``options`` (``toast_tuple_target = 8160``), and fill it with ``columns`` by binary ``COPY … FREEZE``; returns
    the rows written. A table of that name left over is dropped first. CREATE and
    COPY share a subtransaction of their own: the condition for FREEZE."""
    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {qn(table)}")
        cursor.execute(
            f"CREATE TABLE {qn(table)} (LIKE {qn(table_of(model))}"
            f" INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE,"
            f" CONSTRAINT {qn(table + '_bounds')} CHECK ({bounds}))" + (f" WITH ({options})" if options else "")
        )
        return arrays_insert(model, columns, table=table, freeze=True)


def analyze_on_commit(table: str, columns: Sequence[str] = ()) -> None:
    """Planner statistics for a new partition once it is visible (after the commit, so not in a timed phase), of
    ``columns`` only if given (a bulky column's statistics cost the sampling of every value and help no plan)."""
    qn = connection.ops.quote_name
    only = f" ({', '.join(qn(c) for c in columns)})" if columns else ""

    def analyze() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {qn(table)}{only}")

    transaction.on_commit(analyze, robust=True)
