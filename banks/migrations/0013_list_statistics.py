"""The index of the rows officers worked on (``recommendation_worked_rows``), and planner statistics of the lists
pushed before on the columns the list page now needs (banks.partitions ``ANALYZED_COLUMNS``: ``enterprise_id``,
``officer_id``, ``notes``). A list's statistics are sampled once, at its push,
and its later work never changes enough rows for autovacuum to sample it again: without this, a list pushed before
would plan its masked lines and change markers as a hash over every active consent until its batch's next run."""

from django.db import migrations, models

COLUMNS = "run_id, bank_id, superseded, list_rank, status, region_code, grade, stage, section, enterprise_id, officer_id, notes"


def analyze(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    qn = schema_editor.connection.ops.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' AND c.relname ~ '^banks_recommendation_r[0-9]+_b[0-9]+$'"
        )
        tables = [name for (name,) in cursor.fetchall()]
        cursor.execute("SET LOCAL default_statistics_target = 10")  # banks.partitions.ANALYZE_STATISTICS_TARGET
        for table in tables:
            cursor.execute(f"ANALYZE {qn(table)} ({COLUMNS})")


class Migration(migrations.Migration):
    dependencies = [("banks", "0012_applications_visit")]

    operations = [
        migrations.AddIndex(
            model_name="recommendation",
            index=models.Index(
                condition=models.Q(
                    models.Q(("status", "new"), _negated=True),
                    ("officer__isnull", False),
                    models.Q(("notes", ""), _negated=True),
                    _connector="OR",
                ),
                fields=["bank"],
                name="recommendation_worked_rows",
            ),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
