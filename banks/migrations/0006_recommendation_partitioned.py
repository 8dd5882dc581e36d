"""On PostgreSQL, banks_recommendation becomes list-partitioned by run, each run's partition by bank (banks.partitions).

A push then writes each bank's list into a table of its own with COPY FREEZE and attaches it (30 s for the national
push instead of 67–85 s). A partitioned table's unique constraints must contain its partition keys, so the primary key
becomes (id, run_id, bank_id): ids still come from one sequence and stay unique, Django still addresses rows by id;
the loan contract's reference to a recommendation lost its database constraint for the same reason (loans 0002).
Existing rows are kept (one partition per run and bank); indexes and constraints keep their names. SQLite: nothing.

The list index becomes partial (current rows only): superseding a list then rewrites no row (banks.partitions).
"""

from django.db import migrations, models

TABLE = "banks_recommendation"
PLAIN = "banks_recommendation_plain"
SEQUENCE = "banks_recommendation_id_seq"


def _columns(cursor, table):
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped"
        " ORDER BY attnum",
        [table],
    )
    return ", ".join(f'"{name}"' for (name,) in cursor.fetchall())


def _definitions(cursor, table):
    """The table's unique and foreign-key constraints and its other indexes, as SQL to recreate them by name."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE i.indrelid = %s::regclass AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
        " ORDER BY 1",
        [table],
    )
    return constraints, cursor.fetchall()


def _move_aside(cursor, constraints, indexes):
    """Rename the table and free the names of its constraints, indexes and id sequence; returns the last id."""
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {TABLE}")
    last_id = cursor.fetchone()[0]
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {PLAIN}")
    for name, _definition in constraints:
        cursor.execute(f'ALTER TABLE {PLAIN} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    cursor.execute(f"ALTER TABLE {PLAIN} DROP CONSTRAINT {TABLE}_pkey")
    cursor.execute(
        "SELECT pg_get_serial_sequence(%s, 'id') IS NOT NULL AND"
        " (SELECT attidentity <> '' FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'id')",
        [PLAIN, PLAIN],
    )
    if cursor.fetchone()[0]:
        cursor.execute(f"ALTER TABLE {PLAIN} ALTER COLUMN id DROP IDENTITY")
    else:
        cursor.execute(f"ALTER TABLE {PLAIN} ALTER COLUMN id DROP DEFAULT")
        cursor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")
    return last_id


def _recreate(cursor, constraints, indexes):
    for name, definition in constraints:
        cursor.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
    for _name, definition in indexes:
        cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))  # a partitioned index, partitions included


def partition(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        constraints, indexes = _definitions(cursor, TABLE)
        last_id = _move_aside(cursor, constraints, indexes)
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {PLAIN} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY LIST (run_id)"
        )
        cursor.execute(f"CREATE SEQUENCE {SEQUENCE} OWNED BY {TABLE}.id")
        cursor.execute("SELECT setval(%s, %s, %s)", [SEQUENCE, max(last_id, 1), last_id > 0])
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{SEQUENCE}'::regclass)")
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, run_id, bank_id)")
        _recreate(cursor, constraints, indexes)
        # The rows already pushed: one partition per run, one table per bank's list (names as banks.partitions).
        cursor.execute(f"SELECT DISTINCT run_id, bank_id FROM {PLAIN} ORDER BY 1, 2")
        runs = {}
        for run_id, bank_id in cursor.fetchall():
            runs.setdefault(run_id, []).append(bank_id)
        for run_id, bank_ids in runs.items():
            cursor.execute(
                f"CREATE TABLE {TABLE}_r{run_id} PARTITION OF {TABLE} FOR VALUES IN ({run_id})"
                " PARTITION BY LIST (bank_id)"
            )
            for bank_id in bank_ids:
                cursor.execute(
                    f"CREATE TABLE {TABLE}_r{run_id}_b{bank_id} PARTITION OF {TABLE}_r{run_id}"
                    f" FOR VALUES IN ({bank_id})"
                )
        columns = _columns(cursor, PLAIN)
        cursor.execute(f"INSERT INTO {TABLE} ({columns}) SELECT {columns} FROM {PLAIN}")
        cursor.execute(f"DROP TABLE {PLAIN}")


def unpartition(apps, schema_editor):
    """Back to one plain table with an identity primary key (the rows are kept)."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        constraints, indexes = _definitions(cursor, TABLE)
        last_id = _move_aside(cursor, constraints, indexes)
        cursor.execute(f"CREATE TABLE {TABLE} (LIKE {PLAIN} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id)")
        columns = _columns(cursor, PLAIN)
        cursor.execute(f"INSERT INTO {TABLE} ({columns}) SELECT {columns} FROM {PLAIN}")
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s)", [TABLE, max(last_id, 1), last_id > 0])
        _recreate(cursor, constraints, indexes)
        cursor.execute(f"DROP TABLE {PLAIN} CASCADE")  # its partitions with it


class Migration(migrations.Migration):
    dependencies = [
        ("banks", "0005_bank_journey"),
        ("loans", "0002_recommendation_without_db_constraint"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="recommendation", name="recommendation_bank_list"),
        migrations.AddIndex(
            model_name="recommendation",
            index=models.Index(
                condition=models.Q(("superseded", False)),
                fields=["bank", "list_rank", "id"],
                name="recommendation_current_list",
            ),
        ),
        migrations.RunPython(partition, unpartition),
    ]
