"""Regions are chosen by name (issue 17 item 2): the full GB/T 2260 list is in ``core.Region``, a code or scope that
names no region is an error on its field wherever one is typed, and the province → city → county picker renders
where people choose one."""

import importlib
import json
import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from core.models import Region
from core.region_data import region_rows
from core.validators import validate_region_code, validate_region_scope
from core.widgets import RegionPickerWidget
from enterprises.models import Enterprise
from tests.factories import BureauStaffFactory

pytestmark = pytest.mark.django_db
migration = importlib.import_module("core.migrations.0007_regions_full")


def _counts() -> dict[str, int]:
    return {level: Region.objects.filter(level=level).count() for level in Region.Level.values}


def test_the_data_holds_nanshan_under_shenzhen_under_guangdong():
    nanshan = Region.objects.select_related("parent__parent").get(code="440305")
    assert (nanshan.name, nanshan.level) == ("南山区", "county")
    assert (nanshan.parent.code, nanshan.parent.name, nanshan.parent.level) == ("440300", "深圳市", "city")
    assert (nanshan.parent.parent.code, nanshan.parent.parent.name) == ("440000", "广东省")
    assert nanshan.parent.prefix == "4403" and nanshan.parent.parent.prefix == "44"


def test_the_data_is_the_whole_list_with_municipal_districts_under_their_province():
    assert _counts() == {"province": 31, "city": 333, "county": 2974}
    assert set(Region.objects.values_list("code", "name", "level")) == {
        (r.code, r.name, r.level) for r in region_rows()
    }
    chaoyang = Region.objects.get(code="110105")  # a district of a municipality: no placeholder 110100 "市辖区"
    assert (chaoyang.name, chaoyang.level, chaoyang.parent_id) == ("朝阳区", "county", "110000")
    assert not Region.objects.filter(code__in=["110100", "500200", "429000"]).exists()
    assert Region.objects.get(code="429004").parent_id == "420000"  # 仙桃市, directly under Hubei
    assert not Region.objects.filter(parent_id="441900").exists()  # 东莞市 has no counties: the city is the place


def test_the_data_migration_is_idempotent_and_its_reverse_keeps_the_provinces():
    before = _counts()
    migration.regions_load(apps, None)
    assert _counts() == before
    Region.objects.filter(code__in=["440305", "440306"]).delete()
    migration.regions_load(apps, None)  # adds what is missing, leaves the rest
    assert _counts() == before and Region.objects.get(code="440305").parent_id == "440300"
    migration.regions_unload(apps, None)
    assert _counts() == {"province": 31, "city": 0, "county": 0}
    migration.regions_load(apps, None)
    assert _counts() == before


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("440399", "region_unknown"),
        ("990000", "region_province"),
        ("440300", "region_level"),
        ("4403", "region_format"),
    ],
)
def test_a_firm_code_must_be_a_county_that_exists(code, error):
    with pytest.raises(ValidationError) as info:
        validate_region_code(code)
    assert info.value.code == error


def test_a_city_without_counties_is_a_firms_place():
    validate_region_code("441900")  # 东莞市
    validate_region_code("429004")  # 仙桃市, a county-level city under the province


def test_a_scope_prefix_is_valid_when_the_region_it_pads_to_exists():
    for ok in ("", "44", "4403", "440305", "4419", "440300"):
        validate_region_scope(ok)
    for bad in ("4499", "99", "440399", "1101"):
        with pytest.raises(ValidationError) as info:
            validate_region_scope(bad)
        assert info.value.code == "region_unknown"
        with translation.override("zh-hans"):  # the message is lazy: it reads in the active language
            assert f"行政区划代码 {bad} 不存在" in info.value.messages[0]


def test_the_validators_read_the_codes_once(django_assert_num_queries):
    validate_region_scope("44")
    with django_assert_num_queries(0):
        for code in ("440305", "320102", "650102"):
            validate_region_code(code)
            validate_region_scope(code[:4])


def test_a_sign_up_with_a_code_that_does_not_exist_is_refused_on_that_field(client):
    from enterprises.tests.test_accounts import REGISTER, SIGN_UP, _licence

    response = client.post(REGISTER, {**SIGN_UP, "region_code": "440399", "licence": _licence()})
    assert response.status_code == 400
    assert response.context["form"].errors["region_code"] == ["行政区划代码 440399 不存在。"]
    assert "行政区划代码 440399 不存在。" in response.content.decode()
    response = client.post(REGISTER, {**SIGN_UP, "region_code": "440300", "licence": _licence()})
    assert "请选择到区县一级" in response.context["form"].errors["region_code"][0]
    assert not Enterprise.objects.exists()


def test_the_sign_up_page_renders_the_picker_down_to_the_county(client):
    html = client.get(reverse("enterprises:register")).content.decode()
    picker = re.search(r'<span class="region-picker"[^>]*>.*?</span>', html, re.S).group(0)
    assert 'data-mode="leaf"' in picker and picker.count("<select") == 3 and 'name="region_code"' in picker
    assert '<script src="/static/js/region-picker.js" defer></script>' in html


def test_the_widget_renders_three_selects_the_plain_input_and_the_script():
    html = RegionPickerWidget(root="44").render("region", "4403")
    assert html.count('<select class="region-picker-level"') == 3 and html.count(" hidden>") == 3  # until JS runs
    assert re.search(r'<input type="text" name="region" value="4403"[^>]*>', html)
    assert 'data-mode="scope"' in html and 'data-root="44"' in html
    assert 'data-source="/regions.json?lang=' in html and "/static/js/region-picker.js" in html
    assert "style=" not in html and "<script>" not in html  # the Content-Security-Policy: no inline style or script


def test_the_region_list_is_public_cached_and_in_the_pages_language(client):
    response = client.get(reverse("region-tree"), {"lang": "zh-hans"})
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    regions = json.loads(response.content)["regions"]
    assert len(regions) == Region.objects.count()
    assert ["440305", "南山区", "440300"] in regions and ["440000", "广东省", ""] in regions
    english = json.loads(client.get(reverse("region-tree"), {"lang": "en"}).content)["regions"]
    assert ["440000", "Guangdong", ""] in english and ["440305", "Nanshan District", "440300"] in english


def test_a_bank_list_filter_naming_no_region_is_an_error_and_lists_nothing(client, pushed, icbc_officer):
    client.force_login(icbc_officer)
    response = client.get(reverse("banks:list"), {"region": "4499"})
    assert response.status_code == 200
    assert response.context["form"].errors["region"] == ["行政区划代码 4499 不存在。"]
    assert list(response.context["page"]) == []  # not the whole list passed off as the region's
    html = response.content.decode()
    assert "行政区划代码 4499 不存在。" in html and 'class="region-picker"' in html
    assert list(client.get(reverse("banks:list"), {"region": "44"}).context["page"])


def test_the_bank_api_refuses_a_region_that_does_not_exist_naming_the_field(callers):
    response = callers["bank-a"].get(reverse("api:recommendation-list"), {"region": "4499"})
    assert response.status_code == 400 and list(response.json()["fields"]) == ["region"]


def test_the_funnel_picks_inside_the_officers_region_and_refuses_an_unknown_one(client):
    staff = BureauStaffFactory(region_scope="44")
    client.force_login(staff.user)
    response = client.get(reverse("dashboard:funnel"), {"region": "4499"})
    assert "行政区划代码 4499 不存在。" in [str(m) for m in response.context["messages"]]
    assert response.context["region"] == "44"
    html = response.content.decode()
    assert 'data-root="44"' in html and 'name="region"' in html and "region-picker.js" in html


def test_an_api_client_region_is_picked_inside_the_issuers_and_must_exist(client):
    staff = BureauStaffFactory(region_scope="44")
    client.force_login(staff.user)
    html = client.get(reverse("api-clients:create")).content.decode()
    assert 'data-root="44"' in html and 'name="region_scope"' in html
    response = client.post(
        reverse("api-clients:create"), {"name": "x", "scopes": ["scores:read"], "region_scope": "4499"}
    )
    assert response.context["form"].errors["region_scope"] == ["行政区划代码 4499 不存在。"]
