"""The bank-side rules (banks.rules): the §11 credit line and product matching, scalar and vectorised alike."""

from decimal import Decimal

import numpy as np
import pytest

from banks.rules import (
    ProductRule,
    credit_line,
    credit_lines_half_cents,
    half_cents_to_cents,
    product_fit_mask,
    product_fits,
    product_misses,
)
from scoring.choices import GRADE_ORDER, Stage

LINES = {"A": 1000, "B": 600, "C": 300, "D": 150, "E": 0}
STAGES = tuple(Stage.values)


def line(grade="A", revenue="800", revenue_prev="400", eligible=True, max_amount="500"):
    return credit_line(line_by_grade=LINES, max_amount=Decimal(max_amount), grade=grade, revenue=Decimal(revenue),
                       revenue_prev=Decimal(revenue_prev), eligible=eligible)  # fmt: skip


def test_the_credit_line_is_the_least_of_grade_line_product_maximum_and_revenue_basis():
    assert line() == Decimal("500.00")  # the product's maximum
    assert line(grade="C") == Decimal("300.00")  # the grade's line
    assert line(grade="B", revenue="200", revenue_prev="0") == Decimal("200.00")  # revenue alone when no prior year
    assert line(grade="A", revenue="300", revenue_prev="100", max_amount="9999") == Decimal("200.00")  # the average


def test_an_ineligible_firm_and_a_missing_filing_get_no_line():
    assert line(eligible=False) == Decimal("0.00")
    assert credit_line(line_by_grade=LINES, max_amount=500, grade="A", revenue=None, revenue_prev=None,
                       eligible=True) == Decimal("0.00")  # fmt: skip


def test_a_half_cent_is_rounded_to_even_exactly():
    assert line(revenue="100.01", revenue_prev="100.02", max_amount="9999") == Decimal("100.02")  # 100.015 → .02
    assert line(revenue="100.02", revenue_prev="100.03", max_amount="9999") == Decimal("100.02")  # 100.025 → .02


def test_the_vectorised_line_equals_the_scalar_line_firm_by_firm():
    rng = np.random.default_rng(7)
    n = 2000
    grade = rng.integers(0, len(GRADE_ORDER), n)
    revenue = rng.integers(0, 200_000, n)  # cents
    previous = np.where(rng.random(n) < 0.3, 0, rng.integers(0, 200_000, n))
    basis_x2 = np.where(previous > 0, revenue + previous, 2 * revenue)
    vector = half_cents_to_cents(
        credit_lines_half_cents(line_by_grade=LINES, max_amount="1234.56", grade=grade, basis_x2=basis_x2)
    )
    for i in range(n):
        scalar = credit_line(line_by_grade=LINES, max_amount=Decimal("1234.56"), grade=GRADE_ORDER[grade[i]],
                             revenue=Decimal(int(revenue[i])) / 100, revenue_prev=Decimal(int(previous[i])) / 100,
                             eligible=True)  # fmt: skip
        assert Decimal(int(vector[i])) / 100 == scalar, i


RULE = ProductRule(min_grade="C", stages=["growth"], sections=["C", "I"], scopes=["3301", "44"])


@pytest.mark.parametrize(
    ("grade", "stage", "section", "region", "fits"),
    [
        ("B", "growth", "C", "330106", True),
        ("C", "growth", "I", "440305", True),
        ("D", "growth", "C", "330106", False),  # grade below the minimum
        ("A", "startup", "C", "330106", False),  # stage not served
        ("A", "growth", "M", "330106", False),  # section not served
        ("A", "growth", "C", "330206", False),  # no branch serves Ningbo
    ],
)
def test_a_product_fits_by_grade_stage_section_and_branch_region(grade, stage, section, region, fits):
    assert product_fits(RULE, grade=grade, stage=stage, section=section, region_code=region) is fits


@pytest.mark.parametrize(
    ("grade", "stage", "section", "region", "misses"),
    [
        ("B", "growth", "C", "330106", ()),
        ("E", "startup", "M", "330206", ("region", "section", "grade", "stage")),  # every one, in reading order
        ("D", "startup", "C", "440305", ("grade", "stage")),
        (None, None, "C", "440305", ()),  # no published result yet: grade and stage are not judged
        (None, None, "M", "330206", ("region", "section")),
    ],
)
def test_product_misses_names_each_unmet_condition_and_is_empty_exactly_when_the_product_fits(
    grade, stage, section, region, misses
):
    assert product_misses(RULE, grade=grade, stage=stage, section=section, region_code=region) == misses
    if grade is not None:
        assert product_fits(RULE, grade=grade, stage=stage, section=section, region_code=region) is (not misses)


def test_an_unknown_grade_fits_nothing():
    assert not product_fits(RULE, grade="Z", stage="growth", section="C", region_code="330106")


def test_the_fit_mask_equals_product_fits_firm_by_firm():
    rng = np.random.default_rng(11)
    regions = ["330106", "330206", "440305", "110101", "330182"]
    sections = ["C", "I", "M"]
    n = 600
    grade, stage = rng.integers(0, 5, n), rng.integers(0, 3, n)
    section = np.array([sections[i].encode() for i in rng.integers(0, 3, n)], dtype="S1")
    region_codes = [regions[i] for i in rng.integers(0, len(regions), n)]
    for rule in (RULE, ProductRule("E", [], [], [""]), ProductRule("A", ["stable"], ["M"], ["33"])):
        mask = product_fit_mask(rule, grade=grade, stage=stage, section=section,
                                region=np.array([int(r) for r in region_codes]), stages=STAGES)  # fmt: skip
        expected = [
            product_fits(
                rule,
                grade=GRADE_ORDER[grade[i]],
                stage=STAGES[stage[i]],
                section=section[i].decode(),
                region_code=region_codes[i],
            )  # fmt: skip
            for i in range(n)
        ]
        assert mask.tolist() == expected
