"""Banks now live in core (core 0004); state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_organisations"),
        ("loans", "0002_recommendation_without_db_constraint"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="loancontract",
                    name="bank",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="loans",
                        to="core.bank",
                        verbose_name="银行",
                    ),
                ),
            ],
        ),
    ]
