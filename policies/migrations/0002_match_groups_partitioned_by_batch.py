"""Matches are stored per (policy, batch, county) as packed firm records (``PolicyMatchGroup``) instead of one row
per (policy, firm), and on PostgreSQL the table is list-partitioned by batch: a round writes its batch's partition
afresh and swaps it in (``policies.match_store``). Earlier matches are not carried over: run ``manage.py
match_policies --no-notify`` once after migrating (otherwise the next round tells every firm of all its matches)."""

import django.db.models.deletion
from django.db import migrations, models

from core.db.migrations import partition_by_list


def records_uncompressed(apps, schema_editor):
    """The packed records are written once and read whole: no compression attempt on a large county's (PostgreSQL
    would try pglz on every value above 2 kB, for little gain on ids and floats)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE policies_policymatchgroup ALTER COLUMN firms SET STORAGE EXTERNAL")


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0011_batch_push_during_notice_correction'),
        ('policies', '0001_policy_library_and_matches'),
        ('scoring', '0010_run_notice_and_objections'),
    ]

    operations = [
        migrations.CreateModel(
            name='PolicyMatchGroup',
            fields=[
                ('pk', models.CompositePrimaryKey('policy', 'batch', 'region', blank=True, editable=False, primary_key=True, serialize=False)),
                ('region', models.PositiveIntegerField(verbose_name='行政区划代码')),
                ('policy_version', models.PositiveIntegerField(verbose_name='政策版本')),
                ('matched', models.PositiveIntegerField(verbose_name='符合条件的企业数')),
                ('near', models.PositiveIntegerField(verbose_name='差一项条件的企业数')),
                ('firms', models.BinaryField(verbose_name='企业记录')),
                ('matched_at', models.DateTimeField(verbose_name='匹配时间')),
                ('batch', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='enterprises.batch', verbose_name='批次')),
                ('policy', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='match_groups', to='policies.policy', verbose_name='政策')),
                ('run', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='scoring.scoringrun', verbose_name='评分任务')),
            ],
            options={
                'verbose_name': '政策匹配结果',
                'verbose_name_plural': '政策匹配结果',
            },
        ),
        migrations.DeleteModel(
            name='PolicyMatch',
        ),
        migrations.AddIndex(
            model_name='policymatchgroup',
            index=models.Index(fields=['region'], name='policy_match_group_region'),
        ),
        migrations.RunPython(records_uncompressed, migrations.RunPython.noop),
        partition_by_list("policies_policymatchgroup", "batch_id"),
    ]
