"""Helpers the migrations of several apps share."""

from django.db import migrations


def rename_content_types(moves):
    """Keep permissions and audit entries attached: the moved models' content types change app, not id."""

    def forwards(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        for (old_app, model), new_app in moves.items():
            if not ContentType.objects.filter(app_label=new_app, model=model).exists():
                ContentType.objects.filter(app_label=old_app, model=model).update(app_label=new_app)

    def backwards(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        for (old_app, model), new_app in moves.items():
            if not ContentType.objects.filter(app_label=old_app, model=model).exists():
                ContentType.objects.filter(app_label=new_app, model=model).update(app_label=old_app)

    return migrations.RunPython(forwards, backwards)


def partition_by_list(table: str, column: str):
    """Make the (still empty) ``table`` ``PARTITION BY LIST (column)`` on PostgreSQL, with the same columns, storage,
    constraints and indexes (same names, read back from the table Django created); nothing on other databases.
    Reversing is a no-op: Django's DeleteModel drops a partitioned table with its partitions."""

    def forwards(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        qn = connection.ops.quote_name
        plain = f"{table}_plain"
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
            cursor.execute(f"ALTER TABLE {qn(table)} RENAME TO {qn(plain)}")
            cursor.execute(
                f"CREATE TABLE {qn(table)} (LIKE {qn(plain)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS"
                f" INCLUDING STORAGE) PARTITION BY LIST ({qn(column)})"
            )
            cursor.execute(f"DROP TABLE {qn(plain)}")
            for name, info in constraints.items():
                columns = ", ".join(qn(c) for c in info["columns"])
                if info["primary_key"]:
                    cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} PRIMARY KEY ({columns})")
                elif info["unique"]:
                    cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} UNIQUE ({columns})")
                elif info["index"]:
                    cursor.execute(f"CREATE INDEX {qn(name)} ON {qn(table)} ({columns})")

    return migrations.RunPython(forwards, migrations.RunPython.noop)
