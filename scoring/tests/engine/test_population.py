"""Population construction checks and the group-counting primitives the engine is built on."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from scoring.engine import peers
from scoring.engine.peers import counts_le, counts_le_integers
from scoring.engine.population import section_codes

from .builders import make_population


def test_population_rejects_columns_of_different_lengths():
    population = make_population(3)
    with pytest.raises(ValueError, match="approved: length 2 differs from enterprise_id's 3"):
        dataclasses.replace(population, approved=np.array([True, False]))


def test_population_rejects_wrong_dtypes_and_missing_fields():
    population = make_population(2)
    with pytest.raises(ValueError, match="revenue: expected float64"):
        dataclasses.replace(population, values={**population.values, "revenue": np.array([1.0, 2.0], np.float32)})
    values = dict(population.values)
    del values["rd_staff"]
    with pytest.raises(ValueError, match="values: missing field rd_staff"):
        dataclasses.replace(population, values=values)
    with pytest.raises(ValueError, match="established: expected datetime64"):
        dataclasses.replace(population, established=np.array(["2020-01-01"] * 2, dtype="datetime64[s]"))


def test_population_rejects_nan_and_out_of_range_codes():
    population = make_population(2)
    with pytest.raises(ValueError, match="NaN or infinite"):
        dataclasses.replace(population, values={**population.values, "revenue": np.array([1.0, np.nan])})
    with pytest.raises(ValueError, match="section: codes must be 0..19"):
        dataclasses.replace(population, section=np.array([2, 20], dtype=np.uint8))


def test_section_codes_from_letters_and_industry_codes():
    assert section_codes(np.array(["A01", "C39", "T97", "M"])).tolist() == [0, 2, 19, 12]
    with pytest.raises(ValueError):
        section_codes(np.array(["U99"]))


def test_take_keeps_every_column_aligned():
    population = make_population(4, revenue=[1.0, 2.0, 3.0, 4.0], section=list("ACHM"), is_little_giant=True)
    part = population.take(np.array([3, 1]))
    assert part.enterprise_id.tolist() == [4, 2]
    assert part.values["revenue"].tolist() == [4.0, 2.0]
    assert part.section.tolist() == [12, 2]
    assert part.reference_date == population.reference_date


def brute_counts_le(key, x):
    return [sum(1 for k, v in zip(key, x, strict=True) if k == ki and v <= xi) for ki, xi in zip(key, x, strict=True)]


@pytest.mark.parametrize("seed", range(5))
def test_counts_le_matches_brute_force_with_ties(seed):
    rng = np.random.default_rng(seed)
    key = rng.integers(0, 4, 200).astype(np.uint8)
    x = rng.choice([-1.0, 0.0, 0.5, 2.0, 2.0, 7.25], 200)
    assert counts_le(key, x).tolist() == brute_counts_le(key.tolist(), x.tolist())


def test_counts_le_integers_histogram_and_sort_paths_agree(monkeypatch):
    rng = np.random.default_rng(1)
    key = rng.integers(0, 30, 500).astype(np.int16)
    cents = rng.integers(0, 400, 500)
    by_histogram = counts_le_integers(key, cents, 30)
    monkeypatch.setattr(peers, "HISTOGRAM_CELLS_LIMIT", 0)
    by_sorting = counts_le_integers(key, cents, 30)
    assert by_histogram.tolist() == by_sorting.tolist() == brute_counts_le(key.tolist(), cents.tolist())
