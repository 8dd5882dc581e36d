import pytest

from core.models import Bank, GuaranteeInstitution, IndustrySection, Region


@pytest.mark.django_db
def test_the_31_provinces_and_20_sections_are_seeded():
    assert Region.objects.filter(level="province").count() == 31
    assert Region.objects.get(code="440000").name == "广东省"
    assert "".join(IndustrySection.objects.values_list("letter", flat=True)) == "ABCDEFGHIJKLMNOPQRST"


@pytest.mark.django_db
def test_the_21_national_banks_and_the_national_fund_are_seeded():
    banks = Bank.objects.filter(is_national=True, relending_participant=True)
    assert banks.count() == 21
    assert {"国家开发银行", "中国工商银行", "渤海银行", "中国邮政储蓄银行"} <= set(banks.values_list("name", flat=True))
    assert GuaranteeInstitution.objects.get(kind="national_fund").name == "国家融资担保基金"


@pytest.mark.django_db
def test_seeding_is_idempotent():
    from importlib import import_module

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    regions = Region.objects.count()  # the 31 provinces of 0002 and the cities and counties of core 0007
    for app, name in (("core", "0002_seed_reference_data"), ("banks", "0004_seed_national_banks")):
        historical = loader.project_state((app, name), at_end=True).apps  # the models as the seed knew them
        import_module(f"{app}.migrations.{name}").seed(historical, None)
    assert Region.objects.count() == regions and Region.objects.filter(level="province").count() == 31
    assert Bank.objects.count() == 21
