"""The batch (the collection round) moves here, beside its filings; references to banks point at core.

State only: the table keeps its name ``scoring_batch``. Its scoring columns (system, published run) move to
``scoring_batchscoring`` in scoring 0005, which also drops ``scoring.Batch`` from the state.
"""

import core.validators
import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from core.db.migrations import rename_content_types


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0004_organisations"),
        ("enterprises", "0004_access_log_append_only"),
        ("scoring", "0004_score_region"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="consent",
                    name="bank",
                    field=models.ForeignKey(
                        blank=True,
                        help_text="留空表示授权平台全部合作银行。",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="consents",
                        to="core.bank",
                        verbose_name="银行",
                    ),
                ),
                migrations.AlterField(
                    model_name="profileaccesslog",
                    name="bank",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.bank",
                        verbose_name="银行",
                    ),
                ),
                migrations.AlterField(
                    model_name="submission",
                    name="preferred_banks",
                    field=models.ManyToManyField(
                        blank=True, related_name="preferred_by", to="core.bank", verbose_name="意向银行(最多3家)"
                    ),
                ),
                migrations.CreateModel(
                    name="Batch",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                db_index=True,
                                default=django.utils.timezone.now,
                                editable=False,
                                verbose_name="创建时间",
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                        ("name", models.CharField(max_length=100, verbose_name="批次名称")),
                        (
                            "year",
                            models.PositiveSmallIntegerField(
                                validators=[
                                    django.core.validators.MinValueValidator(2000),
                                    django.core.validators.MaxValueValidator(2100),
                                ],
                                verbose_name="年度",
                            ),
                        ),
                        (
                            "reference_date",
                            models.DateField(
                                help_text="计算企业年限的基准日,通常为填报年度的12月31日。", verbose_name="基准日"
                            ),
                        ),
                        (
                            "region_scope",
                            models.CharField(
                                blank=True,
                                help_text="留空为全国。",
                                max_length=6,
                                validators=[core.validators.validate_region_scope],
                                verbose_name="区域范围",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("draft", "未开放"), ("open", "填报中"), ("closed", "已截止")],
                                default="draft",
                                max_length=8,
                                verbose_name="状态",
                            ),
                        ),
                        ("opens_on", models.DateField(verbose_name="开始填报")),
                        ("closes_on", models.DateField(verbose_name="截止填报")),
                    ],
                    options={
                        "verbose_name": "评价批次",
                        "verbose_name_plural": "评价批次",
                        "db_table": "scoring_batch",
                        "ordering": ["-year", "name"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("closes_on__gte", models.F("opens_on"))),
                                name="batch_closes_after_opens",
                            )
                        ],
                    },
                ),
                migrations.AlterField(
                    model_name="submission",
                    name="batch",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="submissions",
                        to="enterprises.batch",
                        verbose_name="批次",
                    ),
                ),
            ],
        ),
        rename_content_types({("scoring", "batch"): "enterprises"}),
    ]
