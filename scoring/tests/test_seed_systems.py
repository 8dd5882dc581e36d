import pytest

from scoring.definitions import system_to_definition
from scoring.engine.defaults import NATIONAL_V1, NATIONAL_V2
from scoring.models import IndicatorSystem


@pytest.mark.django_db
@pytest.mark.parametrize("expected", [NATIONAL_V1, NATIONAL_V2], ids=["national-v1", "national-v2"])
def test_seeded_systems_read_back_as_the_published_definitions(expected):
    stored = IndicatorSystem.objects.get(code=expected.code, version=expected.version)
    definition = system_to_definition(stored, list(stored.indicators.all()))
    assert definition == expected
    assert stored.content_hash == expected.content_hash()
    assert stored.frozen
    assert definition.validate() == []


@pytest.mark.django_db
def test_v1_has_18_indicators_whose_weights_sum_to_100_for_each_stage():
    system = IndicatorSystem.objects.get(code="national", version=1)
    indicators = list(system.indicators.all())
    assert len(indicators) == 18
    for attr in ("weight_startup", "weight_growth", "weight_stable"):
        assert sum(getattr(i, attr) for i in indicators) == 100
    t1 = next(i for i in indicators if i.code == "T1")
    assert (t1.source_field, t1.method, t1.weight_startup, t1.weight_growth, t1.weight_stable) == (
        "rd_expense", "percentile", 10, 9, 9,
    )  # fmt: skip
