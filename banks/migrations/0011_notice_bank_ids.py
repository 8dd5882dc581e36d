"""Notices of applications and list entries sent before the bank was stored by id named it by its Chinese name only:
give each the id of the bank that name belongs to, so it too is read in the reader's language (a name two banks
share, or one no bank has any more, stays as sent)."""

from django.db import migrations

KIND_PREFIXES = ("financing_", "listentry_")


def notice_bank_ids_add(apps, schema_editor):
    Bank = apps.get_model("core", "Bank")
    EnterpriseNotice = apps.get_model("enterprises", "EnterpriseNotice")
    by_name: dict[str, set[int]] = {}
    for pk, name, short_name in Bank.objects.values_list("pk", "name", "short_name"):
        for label in {short_name or name, name}:
            by_name.setdefault(label, set()).add(pk)
    changed = []
    for prefix in KIND_PREFIXES:
        for notice in EnterpriseNotice.objects.filter(kind__startswith=prefix).only("pk", "params").iterator():
            params = notice.params if isinstance(notice.params, dict) else {}
            banks = by_name.get(params.get("bank"), set())
            if "bank_id" not in params and len(banks) == 1:
                notice.params = {**params, "bank_id": next(iter(banks))}
                changed.append(notice)
    EnterpriseNotice.objects.bulk_update(changed, ["params"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("banks", "0010_financing_needs_and_applications"),
        ("core", "0007_regions_full"),
        ("enterprises", "0011_batch_push_during_notice_correction"),
    ]

    operations = [migrations.RunPython(notice_bank_ids_add, migrations.RunPython.noop)]
