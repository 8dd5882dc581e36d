"""Score.region: the firm's region code when scored, as an integer, indexed with the total; no index on enterprise
alone (the primary key (run, enterprise) serves within a partition).

On PostgreSQL the column and the index are added to the partitioned table, so every partition has them (a new run's
partition gets the index when it is attached). Existing rows take their firm's current region code: the closest
record of where it was when scored. The backfill rewrites every stored run: 34 s for one run of 520,000 scores on the
shared 2-core machine; drop unneeded old runs first on a database that keeps many.
"""

import django.db.models.deletion
from django.db import migrations, models


def backfill_region(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE scoring_score AS s SET region = e.region_code::integer"
                " FROM enterprises_enterprise AS e WHERE e.id = s.enterprise_id"
            )
            # Statistics on the new column, or region filters plan badly until autovacuum gets to every partition.
            cursor.execute("ANALYZE scoring_score")
        else:
            cursor.execute(
                "UPDATE scoring_score SET region = (SELECT CAST(e.region_code AS INTEGER)"
                " FROM enterprises_enterprise AS e WHERE e.id = scoring_score.enterprise_id)"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0003_score_partitioned_by_run"),
    ]

    operations = [
        migrations.AddField(
            model_name="score",
            name="region",
            field=models.PositiveIntegerField(
                default=0, help_text="评分时企业的6位行政区划代码。", verbose_name="行政区划代码"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(backfill_region, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="score",
            index=models.Index(fields=["region", "-total", "enterprise"], name="score_region_total"),
        ),
        # Redundant with the primary key (run, enterprise) inside each partition; one index fewer to build per run.
        migrations.AlterField(
            model_name="score",
            name="enterprise",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="scores",
                to="enterprises.enterprise",
                verbose_name="企业",
            ),
        ),
    ]
