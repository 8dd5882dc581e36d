"""Score keyed (run, enterprise) and, on PostgreSQL, list-partitioned by run; runs record input digest and publisher.

Django cannot migrate a table to a composite primary key in place, so the (still empty) Score table is recreated.
On PostgreSQL the recreated table becomes a partitioned table with the same columns, constraints and indexes
(same names, read back from the table Django created): each run's rows arrive as one partition (scoring.persistence).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.fields
from core.db.migrations import partition_by_list


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0002_initial"),
        ("scoring", "0002_seed_national_systems"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="scoringrun",
            name="input_digest",
            field=models.CharField(blank=True, editable=False, help_text="评分时读取的填报数据的 SHA-256 摘要;导出时据此确认数据未被改动。", max_length=64, verbose_name="输入数据摘要"),
        ),
        migrations.AddField(
            model_name="scoringrun",
            name="published_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="发布人"),
        ),
        migrations.DeleteModel(name="Score"),
        migrations.CreateModel(
            name="Score",
            fields=[
                ("pk", models.CompositePrimaryKey("run", "enterprise", blank=True, editable=False, primary_key=True, serialize=False)),
                ("run", models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="scores", to="scoring.scoringrun", verbose_name="评分任务")),
                ("enterprise", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name="scores", to="enterprises.enterprise", verbose_name="企业")),
                ("stage", models.CharField(choices=[("startup", "初创期"), ("growth", "成长期"), ("stable", "稳定期")], max_length=8, verbose_name="发展阶段")),
                ("peer_level", models.PositiveSmallIntegerField(default=0, help_text="0 阶段×门类,1 阶段,2 全体", verbose_name="同行组层级")),
                ("points", core.fields.FloatArrayField(verbose_name="各指标得分")),
                ("normalised", core.fields.FloatArrayField(verbose_name="各指标标准化值")),
                ("subtotals", core.fields.FloatArrayField(verbose_name="类别小计")),
                ("base", models.FloatField(verbose_name="基础分")),
                ("bonus", models.FloatField(verbose_name="加分")),
                ("total", models.DecimalField(db_index=True, decimal_places=2, max_digits=6, verbose_name="总分")),
                ("grade", models.CharField(choices=[("A", "A"), ("B", "B"), ("C", "C"), ("D", "D"), ("E", "E")], max_length=1, verbose_name="等级")),
                ("rank_national", models.PositiveIntegerField(verbose_name="全国排名")),
                ("rank_province", models.PositiveIntegerField(verbose_name="省内排名")),
                ("rank_industry", models.PositiveIntegerField(verbose_name="行业门类排名")),
                ("stage_percentile", models.FloatField(verbose_name="阶段内百分位")),
                ("eligible", models.BooleanField(verbose_name="可推荐")),
                ("reasons", models.CharField(blank=True, max_length=200, verbose_name="不可推荐原因")),
            ],
            options={
                "verbose_name": "评分结果",
                "verbose_name_plural": "评分结果",
            },
        ),
        # Reversing drops the partitioned table (DeleteModel uses DROP … CASCADE), partitions included.
        partition_by_list("scoring_score", "run_id"),
    ]
