import pytest
from django.core.exceptions import ValidationError

from core.validators import (
    is_valid_uscc,
    uscc_check_char,
    validate_industry_code,
    validate_region_code,
    validate_region_scope,
    validate_uscc,
)

# Real, published credit codes: GB 32100-2015's own example and two well-known companies.
REAL_CODES = ["91350100M000100Y43", "91110000802100433B", "91440300708461136T"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_published_credit_codes_are_valid(code):
    assert is_valid_uscc(code)
    validate_uscc(code)


def test_check_character_follows_the_mod_31_weights():
    # Hand computation for 91350100M000100Y4: sum of index*weight = 1640; 1640 % 31 = 28; 31 - 28 = 3 -> "3".
    assert uscc_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("code", "error_code"),
    [
        ("91350100M000100Y4", "uscc_length"),
        ("91350100M000100Y44", "uscc_check"),
        ("91350100M000100I43", "uscc_alphabet"),  # I is not in the 31-character alphabet
        ("91350100m000100y43", "uscc_alphabet"),
    ],
)
def test_bad_credit_codes_are_rejected_with_a_specific_message(code, error_code):
    with pytest.raises(ValidationError) as info:
        validate_uscc(code)
    assert info.value.code == error_code
    assert not is_valid_uscc(code)


@pytest.mark.django_db
def test_region_codes_need_six_digits_and_a_real_province():
    validate_region_code("440305")
    for bad in ("44030", "4403051", "990100", "ab0101", "440399"):
        with pytest.raises(ValidationError):
            validate_region_code(bad)


@pytest.mark.django_db
def test_region_scopes_are_prefixes():
    for ok in ("", "44", "4403", "440305"):
        validate_region_scope(ok)
    for bad in ("4", "440", "99", "44030", "4499"):
        with pytest.raises(ValidationError):
            validate_region_scope(bad)


def test_industry_codes_start_with_a_section_letter():
    for ok in ("C", "C39", "C391", "I6513", "T97"):
        validate_industry_code(ok)
    for bad in ("U39", "c39", "39", "C3", "C39112", ""):
        with pytest.raises(ValidationError):
            validate_industry_code(bad)
