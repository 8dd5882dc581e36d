"""The recommendation table's partitions on PostgreSQL: one table per bank's list of one run.

``banks_recommendation`` is ``PARTITION BY LIST (run_id)`` (migration 0006); a run's partition
``banks_recommendation_r<run>`` is ``PARTITION BY LIST (bank_id)``; each bank's list is one plain table
``banks_recommendation_r<run>_b<bank>``. A push creates its list's table in its own transaction, fills it with binary
``COPY … FREEZE`` (no index maintained row by row), builds the indexes in one sort each, and attaches it last, so
readers see the whole list at commit or none of it, and concurrent pushes of other banks only wait for each other
from their last steps (superseding, ATTACH) to their commit. Measured per 70,000-row list here: ~2.2 s to COPY into
the indexed 1.5-million-row table, ~0.45 s into a fresh one plus ~0.4 s of index builds.

SQLite (the demo's embedded default) keeps one plain table: callers ask ``partitioned()`` first.
"""

from __future__ import annotations

from django.db import connection

from core.db.copy import table_of
from core.db.partitions import indexes_like_parent, table_exists

from .models import Recommendation

ANALYZE_STATISTICS_TARGET = 10
"""Planner statistics of a new list, sampled small: ~50 ms instead of ~1.1 s at the default target of 100, and enough
for the list pages (without any, the planner takes a 70,000-row list for 175 rows and sorts it for every page)."""
ANALYZED_COLUMNS = (
    "run_id",
    "bank_id",
    "superseded",
    "list_rank",
    "status",
    "region_code",
    "grade",
    "stage",
    "section",
    "enterprise_id",
    "officer_id",
    "notes",
)
"""The columns the list pages filter, sort and join on: the others' statistics would cost the push without helping a
plan. ``enterprise_id``: a page's change markers look its 50 firms up on the previous list (without it the planner
takes them for a quarter of the list and hashes every active consent to check them). ``officer_id`` and ``notes``:
the worked rows (``WORKED``) of the masked lines and the status counts, otherwise guessed at nearly the whole list
(``notes <> ''`` without statistics is 99.5 %), the same hash over every consent to find none."""
RUN_PARTITION_LOCK = 0x62616E6B  # "bank": the advisory-lock class of "create run N's partition"


def partitioned() -> bool:
    return connection.vendor == "postgresql"


def parent_table() -> str:
    return table_of(Recommendation)


def run_table(run_id: int) -> str:
    return f"{parent_table()}_r{int(run_id)}"


def list_table(run_id: int, bank_id: int) -> str:
    return f"{run_table(run_id)}_b{int(bank_id)}"


def run_partition_ensure(run_id: int) -> None:
    """Create and attach run ``run_id``'s partition (partitioned by bank) unless it exists.

    The fan-out task calls this in its own short transaction before the bank tasks start, so they find it. A caller
    that finds it missing takes a transaction-scoped advisory lock first, so two pushes cannot both create it.
    """
    qn = connection.ops.quote_name
    table = run_table(run_id)
    with connection.cursor() as cursor:
        if table_exists(cursor, table):
            return
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [RUN_PARTITION_LOCK, int(run_id)])
        if table_exists(cursor, table):
            return
        # CREATE then ATTACH: ATTACH takes SHARE UPDATE EXCLUSIVE on the parent, so readers are never blocked;
        # CREATE TABLE … PARTITION OF would take ACCESS EXCLUSIVE.
        cursor.execute(
            f"CREATE TABLE {qn(table)} (LIKE {qn(parent_table())} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
            " PARTITION BY LIST (bank_id)"
        )
        cursor.execute(f"ALTER TABLE {qn(parent_table())} ATTACH PARTITION {qn(table)} FOR VALUES IN ({int(run_id)})")


def list_table_create(run_id: int, bank_id: int) -> str:
    """A fresh, empty, unindexed table for bank ``bank_id``'s list of run ``run_id``; returns its name.

    Must be called in the (sub)transaction that then fills it, which is what allows ``COPY … FREEZE``. An empty table
    left over for the same list (a test database flushed between tests) is dropped; one with rows is an error: the
    caller checked that the list was never pushed.
    """
    qn = connection.ops.quote_name
    table = list_table(run_id, bank_id)
    with connection.cursor() as cursor:
        if table_exists(cursor, table):
            cursor.execute(f"SELECT EXISTS (SELECT FROM {qn(table)})")  # nosec B608 # a table name built from ids
            if cursor.fetchone()[0]:
                raise RuntimeError(f"{table} already holds a list")
            cursor.execute(f"DROP TABLE {qn(table)}")
        # The CHECK proves the partition bounds, so ATTACH does not scan the rows to verify them.
        cursor.execute(
            f"CREATE TABLE {qn(table)} (LIKE {qn(parent_table())} INCLUDING DEFAULTS INCLUDING CONSTRAINTS,"
            f" CONSTRAINT {qn(table + '_bounds')} CHECK (run_id = {int(run_id)} AND bank_id = {int(bank_id)}))"
        )
    return table


def list_table_index(table: str) -> None:
    """Build on ``table`` every index and unique constraint the partitioned parent has (``core.db.partitions``), and
    sample planner statistics."""
    qn = connection.ops.quote_name
    indexes_like_parent(table, parent_table())
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL default_statistics_target = {ANALYZE_STATISTICS_TARGET}")
        cursor.execute(f"ANALYZE {qn(table)} ({', '.join(ANALYZED_COLUMNS)})")


def list_table_attach(run_id: int, bank_id: int) -> None:
    """Make the list part of ``banks_recommendation`` (visible to others at commit). The last step of a push: from
    here to the commit, other banks' pushes of the same run wait."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {qn(run_table(run_id))} ATTACH PARTITION {qn(list_table(run_id, bank_id))}"
            f" FOR VALUES IN ({int(bank_id)})"
        )


def run_partition_lock(run_id: int) -> bool:
    """Block writes and row locks on run ``run_id``'s lists until the end of the transaction (plain readers go on);
    returns whether the partition exists.

    Taken before a push reads the officers' work on the lists it supersedes: work committed later could not be
    carried over. EXCLUSIVE, not SHARE ROW EXCLUSIVE: an officer's transition locks its row (``SELECT … FOR
    UPDATE``) before it writes, and a push that let the row lock in would then wait for it at DETACH while the
    officer waited for the push to write: a deadlock. The mode is self-exclusive, so pushes superseding the same
    run take turns from here to their commit (tens of milliseconds each); every push locks in run order.
    """
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if not table_exists(cursor, run_table(run_id)):
            return False
        cursor.execute(f"LOCK TABLE {qn(run_table(run_id))} IN EXCLUSIVE MODE")
    return True


def list_table_supersede(run_id: int, bank_id: int) -> None:
    """Mark every row of bank ``bank_id``'s list of run ``run_id`` superseded without rewriting a row.

    The list's table is detached, its ``superseded`` column dropped and added back ``NOT NULL DEFAULT true`` (a
    catalog change: existing rows read the new column's default), and attached again; ATTACH rebuilds only the
    partial list index of current rows, which is now empty. An UPDATE of the same 70,000 rows took ~2.5 s (each row
    rewritten with its index entries): ~70 s for a national supersession. The ACCESS EXCLUSIVE lock that DETACH takes
    on the run's partition holds readers of that run's lists back until the push commits, tens of milliseconds.
    Call after ``run_partition_lock(run_id)``.
    """
    qn = connection.ops.quote_name
    partition, table = qn(run_table(run_id)), qn(list_table(run_id, bank_id))
    with connection.cursor() as cursor:
        # ALTER TABLE refuses a table with deferred foreign-key checks pending (an officer's claim made earlier in
        # this transaction: tests, a caller's atomic block): run them now, then defer again, Django's default.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {partition} DETACH PARTITION {table}")
        cursor.execute(f"ALTER TABLE {table} DROP COLUMN superseded")
        cursor.execute(f"ALTER TABLE {table} ADD COLUMN superseded boolean NOT NULL DEFAULT true")
        cursor.execute(f"ALTER TABLE {table} ALTER COLUMN superseded DROP DEFAULT")  # the stored rows keep true
        cursor.execute(f"ALTER TABLE {partition} ATTACH PARTITION {table} FOR VALUES IN ({int(bank_id)})")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
