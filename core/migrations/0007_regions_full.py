"""The full GB/T 2260 list: the cities and counties under the 31 provinces of 0002 (core/data/regions.csv, its
README says where it comes from). Idempotent: a code already present is left as it is; the reverse removes every
region below the provinces."""

from django.db import migrations

BATCH_SIZE = 1000  # ~3,300 rows: four INSERTs, well under SQLite's variable limit at four columns a row


def regions_load(apps, schema_editor):
    from core.region_data import region_rows
    from core.validators import region_index_reload

    Region = apps.get_model("core", "Region")
    present = set(Region.objects.values_list("code", flat=True))
    # Parents come before their children in region_rows(), so each batch points at rows already written.
    missing = [
        Region(code=row.code, name=row.name, level=row.level, parent_id=row.parent or None)
        for row in region_rows()
        if row.code not in present
    ]
    Region.objects.bulk_create(missing, batch_size=BATCH_SIZE)
    region_index_reload()


def regions_unload(apps, schema_editor):
    from core.validators import region_index_reload

    Region = apps.get_model("core", "Region")
    # Children first: a region's parent is PROTECTed.
    Region.objects.filter(level="county").delete()
    Region.objects.exclude(level="province").delete()
    region_index_reload()


class Migration(migrations.Migration):
    dependencies = [("core", "0006_username_skeleton")]
    operations = [migrations.RunPython(regions_load, regions_unload)]
