"""Banks, branches and officers now live in core (core 0004); state only, the tables stay."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("banks", "0007_recommendationlist_by_region"),
        ("core", "0004_organisations"),
        ("enterprises", "0005_batch"),
        ("loans", "0003_bank_in_core"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="recommendationlist",
                    name="bank",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recommendation_lists",
                        to="core.bank",
                        verbose_name="银行",
                    ),
                ),
                migrations.AlterField(
                    model_name="loanproduct",
                    name="bank",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="products",
                        to="core.bank",
                        verbose_name="银行",
                    ),
                ),
                migrations.RemoveField(
                    model_name="bankofficer",
                    name="bank",
                ),
                migrations.RemoveField(
                    model_name="branch",
                    name="bank",
                ),
                migrations.AlterField(
                    model_name="recommendation",
                    name="bank",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recommendations",
                        to="core.bank",
                        verbose_name="银行",
                    ),
                ),
                migrations.RemoveField(
                    model_name="bankofficer",
                    name="branch",
                ),
                migrations.RemoveField(
                    model_name="bankofficer",
                    name="user",
                ),
                migrations.AlterField(
                    model_name="loanproduct",
                    name="branches",
                    field=models.ManyToManyField(
                        blank=True,
                        help_text="留空为本行全部网点。",
                        related_name="products",
                        to="core.branch",
                        verbose_name="服务网点",
                    ),
                ),
                migrations.DeleteModel(
                    name="Bank",
                ),
                migrations.DeleteModel(
                    name="Branch",
                ),
                migrations.DeleteModel(
                    name="BankOfficer",
                ),
            ],
        ),
    ]
