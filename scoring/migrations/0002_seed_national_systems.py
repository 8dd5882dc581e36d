"""Seed the national-v1 and national-v2 indicator systems of methodology §9 (idempotent; frozen: published data)."""

from django.db import migrations

from scoring.definitions import definition_to_rows
from scoring.engine.defaults import NATIONAL_V1, NATIONAL_V2

DESCRIPTIONS = {
    ("national", 1): "全国试行版(2024):3类18项指标,按初创期、成长期、稳定期分别设权重。",
    ("national", 2): "2.0版(2025):创新投入、产出、发展三类9项基础指标计100分,创新影响3项加分最高30分。",
}


def seed(apps, schema_editor):
    IndicatorSystem = apps.get_model("scoring", "IndicatorSystem")
    Indicator = apps.get_model("scoring", "Indicator")
    for defn in (NATIONAL_V1, NATIONAL_V2):
        existing = IndicatorSystem.objects.filter(code=defn.code, version=defn.version, frozen=True).first()
        if existing is None:  # never rewrite a frozen system that runs may already reference
            definition_to_rows(defn, IndicatorSystem, Indicator, frozen=True, description=DESCRIPTIONS[(defn.code, defn.version)])


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
