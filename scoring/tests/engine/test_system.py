"""Indicator systems: validation rules, JSON round trip, content hash, and the §9 default systems."""

from __future__ import annotations

import dataclasses
import json

import pytest

from scoring.engine.defaults import NATIONAL_V1, NATIONAL_V2
from scoring.engine.system import (
    BOOL_FIELDS,
    DERIVED_FIELDS,
    NUMERIC_FIELDS,
    RAW_FIELDS,
    REASON_CODES,
    STAGES,
    IndicatorDef,
    SystemDef,
)

from .builders import indicator, make_system


def replace_indicator(system: SystemDef, position: int, **changes) -> SystemDef:
    indicators = list(system.indicators)
    indicators[position] = dataclasses.replace(indicators[position], **changes)
    return dataclasses.replace(system, indicators=tuple(indicators))


def test_default_systems_are_valid():
    assert NATIONAL_V1.validate() == []
    assert NATIONAL_V2.validate() == []


def test_national_v1_has_18_base_indicators_in_three_categories_with_stage_weights_of_section_9():
    assert len(NATIONAL_V1.indicators) == 18
    assert not any(ind.bonus for ind in NATIONAL_V1.indicators)
    assert NATIONAL_V1.categories == ("技术创新", "成长经营", "辅助")
    by_code = {ind.code: ind for ind in NATIONAL_V1.indicators}
    assert by_code["T1"].weights == {"startup": 10.0, "growth": 9.0, "stable": 9.0}
    assert by_code["A2"].weights == {"startup": 8.0, "growth": 5.0, "stable": 2.0}
    assert (by_code["G3"].thresholds, by_code["G3"].fractions) == ((0.02, 0.05, 0.10, 0.20), (0.25, 0.5, 0.75, 1.0))
    assert by_code["G5"].reference == 0.6
    assert by_code["T1"].name == "研发费用金额"


def test_national_v2_has_9_base_and_3_bonus_indicators_capped_at_30():
    base = [ind for ind in NATIONAL_V2.indicators if not ind.bonus]
    bonus = [ind for ind in NATIONAL_V2.indicators if ind.bonus]
    assert (len(base), len(bonus)) == (9, 3)
    assert NATIONAL_V2.bonus_cap == 30.0
    assert {ind.category for ind in bonus} == {"创新影响"}
    assert sum(ind.weights["growth"] for ind in base) == 100.0


def test_field_lists_follow_methodology_order():
    assert RAW_FIELDS[:3] == ("revenue", "revenue_prev", "rd_expense")
    assert RAW_FIELDS == NUMERIC_FIELDS + BOOL_FIELDS
    assert BOOL_FIELDS[-3:] == ("dishonest_debtor", "tax_credit_d", "major_violation")
    assert len(NUMERIC_FIELDS) == 19 and len(BOOL_FIELDS) == 7 and len(DERIVED_FIELDS) == 7
    assert STAGES == ("startup", "growth", "stable")
    assert REASON_CODES[0] == "not_approved" and REASON_CODES[-1] == "below_threshold"


@pytest.mark.parametrize("system", [NATIONAL_V1, NATIONAL_V2])
def test_dict_round_trip_is_exact_and_json_able(system):
    data = json.loads(json.dumps(system.to_dict()))
    again = SystemDef.from_dict(data)
    assert again == system
    assert again.content_hash() == system.content_hash()


def test_content_hash_is_stable_and_ignores_int_versus_float():
    as_floats = make_system(indicator("X", "standards", "reference", 100.0, reference=3.0))
    as_ints = make_system(indicator("X", "standards", "reference", 100, reference=3))
    assert as_ints.content_hash() == as_floats.content_hash()
    assert len(as_floats.content_hash()) == 64
    assert NATIONAL_V1.content_hash() == SystemDef.from_dict(NATIONAL_V1.to_dict()).content_hash()


def test_content_hash_changes_when_one_weight_changes():
    changed = replace_indicator(NATIONAL_V1, 0, weights={"startup": 10.0, "growth": 9.0, "stable": 9.5})
    assert changed.content_hash() != NATIONAL_V1.content_hash()


def test_content_hash_changes_with_a_run_parameter():
    assert dataclasses.replace(NATIONAL_V1, threshold=75.0).content_hash() != NATIONAL_V1.content_hash()


def errors_of(system: SystemDef) -> str:
    return " | ".join(system.validate())


def test_validate_reports_base_weights_not_summing_to_100_per_stage():
    system = replace_indicator(NATIONAL_V1, 0, weights={"startup": 10.0, "growth": 9.0, "stable": 8.0})
    assert errors_of(system) == "base weights for stable sum to 99, not 100"


def test_validate_accepts_float_noise_within_tolerance():
    system = make_system(indicator("A", "standards", "flag", 0.1), indicator("B", "sci_awards", "flag", 99.9))
    assert system.validate() == []


def test_validate_ignores_bonus_weights_in_the_base_sum():
    extra = indicator("B9", "sci_awards", "flag", 5.0, bonus=True)
    assert dataclasses.replace(NATIONAL_V1, indicators=NATIONAL_V1.indicators + (extra,)).validate() == []


def test_validate_reports_negative_weight():
    system = make_system(indicator("A", "standards", "flag", 110.0), indicator("B", "sci_awards", "flag", -10.0))
    assert "B: weight for startup must be a number >= 0" in system.validate()


def test_validate_reports_missing_and_unknown_stage_weights():
    bad = IndicatorDef("A", "c", "standards", "flag", {"startup": 100, "growth": 100, "mature": 100})
    errors = make_system(bad).validate()
    assert "A: unknown stage(s) in weights: mature" in errors
    assert "A: missing weight for stage(s): stable" in errors


@pytest.mark.parametrize(
    ("thresholds", "fractions", "message"),
    [
        ((0.1, 0.1), (0.5, 1.0), "A: tier thresholds must be strictly ascending"),
        ((0.2, 0.1), (0.5, 1.0), "A: tier thresholds must be strictly ascending"),
        ((0.1, 0.2), (1.0, 0.5), "A: tier fractions must not decrease"),
        ((0.1, 0.2), (0.5, 1.5), "A: tier fractions must be between 0 and 1"),
        ((0.1, 0.2), (-0.1, 1.0), "A: tier fractions must be between 0 and 1"),
        ((0.1, 0.2), (1.0,), "A: tiers need as many fractions as thresholds"),
        ((), (), "A: tiers need at least one threshold"),
    ],
)
def test_validate_reports_each_tier_rule(thresholds, fractions, message):
    system = make_system(indicator("A", "rd_intensity", "tiers", 100.0, thresholds=thresholds, fractions=fractions))
    assert message in system.validate()


@pytest.mark.parametrize("reference", [None, 0.0, -1.0])
def test_validate_requires_positive_reference_for_reference_method(reference):
    system = make_system(indicator("A", "standards", "reference", 100.0, reference=reference))
    assert system.validate() == ["A: reference value must be > 0"]


def test_validate_reports_unknown_source_and_method():
    system = make_system(indicator("A", "profit_margin", "zscore", 100.0))
    assert system.validate() == ["A: unknown source field 'profit_margin'", "A: unknown method 'zscore'"]


def test_validate_accepts_flags_and_derived_fields_as_sources():
    system = make_system(indicator("A", "is_little_giant", "flag", 50.0), indicator("B", "roe", "flag", 50.0))
    assert system.validate() == []


def test_validate_reports_negative_bonus_cap():
    assert "bonus cap must be >= 0" in dataclasses.replace(NATIONAL_V2, bonus_cap=-1).validate()


def test_validate_reports_duplicate_codes():
    system = make_system(indicator("A", "standards", "flag", 50.0), indicator("A", "sci_awards", "flag", 50.0))
    assert system.validate() == ["duplicate indicator code(s): A"]


def test_validate_reports_unordered_grade_bands():
    system = dataclasses.replace(NATIONAL_V1, grade_bands=(("A", 80.0), ("B", 85.0)))
    assert system.validate() == ["grade bands must be listed best first with strictly decreasing limits"]


def test_grade_labels_end_with_the_fallback():
    assert NATIONAL_V1.grade_labels == ("A", "B", "C", "D", "E")
