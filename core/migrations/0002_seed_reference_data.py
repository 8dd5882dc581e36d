"""Seed the 31 provincial-level regions and the 20 GB/T 4754 sections (idempotent: update_or_create)."""

from django.db import migrations

from core.reference_data import PROVINCES, SECTIONS


def seed(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    IndustrySection = apps.get_model("core", "IndustrySection")
    for code, name in PROVINCES:
        Region.objects.update_or_create(code=code, defaults={"name": name, "level": "province", "parent": None})
    for letter, name in SECTIONS:
        IndustrySection.objects.update_or_create(letter=letter, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
