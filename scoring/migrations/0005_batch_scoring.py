"""The batch moved to enterprises (enterprises 0005); what scoring knows of it moves to ``scoring_batchscoring``.

``BatchScoring`` is created, filled from the batch's ``system_id`` and ``published_run_id`` columns, and those
columns are dropped; then ``scoring.Batch`` leaves the state (its table is ``enterprises.Batch``'s now).
"""

import django.db.models.deletion
from django.db import migrations, models


def batch_scoring_fill(apps, schema_editor):
    BatchScoring = apps.get_model("scoring", "BatchScoring")
    Batch = apps.get_model("scoring", "Batch")
    BatchScoring.objects.bulk_create(
        BatchScoring(batch_id=row["id"], system_id=row["system_id"], published_run_id=row["published_run_id"])
        for row in Batch.objects.values("id", "system_id", "published_run_id")
    )


def batch_scoring_empty(apps, schema_editor):
    BatchScoring = apps.get_model("scoring", "BatchScoring")
    Batch = apps.get_model("scoring", "Batch")
    for row in BatchScoring.objects.values("batch_id", "system_id", "published_run_id"):
        Batch.objects.filter(pk=row["batch_id"]).update(
            system_id=row["system_id"], published_run_id=row["published_run_id"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0005_batch"),
        ("scoring", "0004_score_region"),
    ]

    operations = [
        migrations.CreateModel(
            name="BatchScoring",
            fields=[
                (
                    "batch",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="scoring",
                        serialize=False,
                        to="enterprises.batch",
                        verbose_name="批次",
                    ),
                ),
                (
                    "published_run",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="scoring.scoringrun",
                        verbose_name="已发布的评分",
                    ),
                ),
                (
                    "system",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="batches",
                        to="scoring.indicatorsystem",
                        verbose_name="指标体系",
                    ),
                ),
            ],
            options={"verbose_name": "批次评分设置", "verbose_name_plural": "批次评分设置"},
        ),
        # Nullable first, so that the way back can re-add the column empty, refill it, then make it NOT NULL again.
        migrations.AlterField(
            model_name="batch",
            name="system",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="batches",
                to="scoring.indicatorsystem", verbose_name="指标体系",
            ),
        ),
        migrations.RunPython(batch_scoring_fill, batch_scoring_empty),
        # The old columns; the related names change first so they do not clash with BatchScoring's in the state.
        migrations.RemoveField(model_name="batch", name="published_run"),
        migrations.RemoveField(model_name="batch", name="system"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="scoringrun",
                    name="batch",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="runs",
                        to="enterprises.batch",
                        verbose_name="批次",
                    ),
                ),
                migrations.DeleteModel(name="Batch"),
            ],
        ),
    ]
