"""Seed the 21 national banks of the relending scheme and the National Financing Guarantee Fund (idempotent)."""

from django.db import migrations

from banks.reference_data import NATIONAL_BANKS, NATIONAL_GUARANTEE_FUND


def seed(apps, schema_editor):
    Bank = apps.get_model("banks", "Bank")
    GuaranteeInstitution = apps.get_model("guarantees", "GuaranteeInstitution")
    for code, name, short_name, kind in NATIONAL_BANKS:
        Bank.objects.update_or_create(
            code=code,
            defaults={"name": name, "short_name": short_name, "kind": kind, "is_national": True,
                      "region_scope": "", "relending_participant": True},
        )  # fmt: skip
    GuaranteeInstitution.objects.update_or_create(
        name=NATIONAL_GUARANTEE_FUND, defaults={"kind": "national_fund", "region_scope": ""}
    )


class Migration(migrations.Migration):
    dependencies = [("banks", "0003_initial"), ("guarantees", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
