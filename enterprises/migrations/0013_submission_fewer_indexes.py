"""Three indexes fewer on the filings, which every imported or updated filing writes (issue 18): the keys' own indexes
(the unique key (enterprise, batch) and the (batch, status) index start with them) and the status's pattern index
(no filing is looked up by a status prefix). The plain status index stays under a name of its own.

The database side drops the indexes and creates the status index anew (a rename would keep it, but SQLite has no
ALTER INDEX); Django's own AlterField would also drop and re-create (and so re-validate) both
foreign keys."""

import django.db.models.deletion
from django.db import migrations, models

DROPPED = (
    "enterprises_submission_batch_id_07c48f2f",
    "enterprises_submission_enterprise_id_104bf94e",
    "enterprises_submission_status_4fce6811_like",  # PostgreSQL only
    "enterprises_submission_status_4fce6811",  # re-created as submission_status
)
RESTORED = (
    "CREATE INDEX IF NOT EXISTS enterprises_submission_batch_id_07c48f2f ON enterprises_submission (batch_id)",
    "CREATE INDEX IF NOT EXISTS enterprises_submission_enterprise_id_104bf94e ON enterprises_submission (enterprise_id)",
    "CREATE INDEX IF NOT EXISTS enterprises_submission_status_4fce6811 ON enterprises_submission (status)",
)


def forward(apps, schema_editor):
    for name in DROPPED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("CREATE INDEX IF NOT EXISTS submission_status ON enterprises_submission (status)")


def backward(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS submission_status")
    for sql in RESTORED:
        schema_editor.execute(sql)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS enterprises_submission_status_4fce6811_like"
            " ON enterprises_submission (status varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0012_batch_field_extra_values"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="submission",
                    name="batch",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="submissions",
                        to="enterprises.batch",
                        verbose_name="批次",
                    ),
                ),
                migrations.AlterField(
                    model_name="submission",
                    name="enterprise",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="submissions",
                        to="enterprises.enterprise",
                        verbose_name="企业",
                    ),
                ),
                migrations.AlterField(
                    model_name="submission",
                    name="status",
                    field=models.CharField(
                        choices=[("draft", "草稿"), ("submitted", "已提交"), ("returned", "已退回"), ("approved", "已审核通过")],
                        default="draft",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                migrations.AddIndex(
                    model_name="submission",
                    index=models.Index(fields=["status"], name="submission_status"),
                ),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
    ]
