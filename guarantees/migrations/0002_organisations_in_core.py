"""Guarantors and their staff now live in core (core 0004); state only, the tables stay."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_organisations"),
        ("guarantees", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="guaranteecontract",
                    name="guarantor",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="guarantees",
                        to="core.guaranteeinstitution",
                        verbose_name="担保机构",
                    ),
                ),
                migrations.AlterField(
                    model_name="guaranteecontract",
                    name="reguarantor",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reguarantees",
                        to="core.guaranteeinstitution",
                        verbose_name="省级再担保机构",
                    ),
                ),
                migrations.RemoveField(
                    model_name="guarantorstaff",
                    name="institution",
                ),
                migrations.RemoveField(
                    model_name="guarantorstaff",
                    name="user",
                ),
                migrations.DeleteModel(
                    name="GuaranteeInstitution",
                ),
                migrations.DeleteModel(
                    name="GuarantorStaff",
                ),
            ],
        ),
    ]
