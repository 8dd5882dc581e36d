import pytest

from core.exceptions import ApplicationError
from scoring.indicator_systems import indicator_system_clone, indicator_system_definition, indicator_system_freeze
from scoring.models import IndicatorSystem
from tests.factories import BureauStaffFactory


@pytest.fixture
def national_v1(db):
    return IndicatorSystem.objects.get(code="national", version=1)


def test_cloning_with_the_same_code_makes_the_next_version(national_v1):
    staff = BureauStaffFactory()
    clone = indicator_system_clone(source=national_v1, code="national", name="全国 v3", user=staff.user)
    assert (clone.version, clone.frozen, clone.parent) == (3, False, national_v1)
    original = indicator_system_definition(national_v1)
    copied = indicator_system_definition(clone)
    assert copied.indicators == original.indicators
    assert copied.content_hash() != original.content_hash()  # the code/version/name are part of the definition


def test_a_local_clone_starts_at_version_1_in_the_officers_region(national_v1):
    staff = BureauStaffFactory(region_scope="44")
    clone = indicator_system_clone(source=national_v1, code="guangdong", name="广东", user=staff.user,
                                   region_scope="44")  # fmt: skip
    assert (clone.key, clone.region_scope) == ("guangdong-v1", "44")


def test_freezing_refuses_a_system_whose_weights_do_not_sum_to_100(national_v1):
    clone = indicator_system_clone(source=national_v1, code="x", name="x", user=BureauStaffFactory().user)
    clone.indicators.filter(code="T1").update(weight_growth=19)
    with pytest.raises(ApplicationError) as info:
        indicator_system_freeze(system=clone)
    assert "growth" in info.value.message
    clone.refresh_from_db()
    assert not clone.frozen


def test_freezing_stores_the_content_hash(national_v1):
    clone = indicator_system_clone(source=national_v1, code="x", name="x", user=BureauStaffFactory().user)
    frozen = indicator_system_freeze(system=clone)
    assert frozen.frozen
    assert frozen.content_hash == indicator_system_definition(frozen).content_hash()
