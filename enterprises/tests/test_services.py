from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import translation

from enterprises.models import Enterprise, Submission
from enterprises.services import enterprise_create

VALID = {
    "credit_code": "91440300708461136T",
    "name": "深圳示例科技有限公司",
    "region_code": "440305",
    "industry_code": "I65",
    "established": date(2015, 3, 1),
}


@pytest.mark.django_db
def test_a_valid_enterprise_is_saved_with_its_section_derived():
    enterprise = enterprise_create(**VALID)
    assert enterprise.section_id == "I"
    assert enterprise.province_code == "44"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("credit_code", "91440300708461136X"), ("region_code", "990305"), ("industry_code", "Z65")],
)
def test_invalid_codes_name_the_field_and_save_nothing(field, value):
    with pytest.raises(ValidationError) as info:
        enterprise_create(**{**VALID, field: value})
    assert field in info.value.message_dict
    assert not Enterprise.objects.exists()


@pytest.mark.django_db
def test_a_duplicate_credit_code_is_reported_in_chinese_and_english():
    enterprise_create(**VALID)
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as zh:
            enterprise_create(**{**VALID, "name": "另一家公司"})
        assert "统一社会信用代码" in zh.value.message_dict["credit_code"][0]
    with translation.override("en"):
        with pytest.raises(ValidationError) as en:
            enterprise_create(**{**VALID, "name": "Another company"})
        assert "already exists" in en.value.message_dict["credit_code"][0]
    assert Enterprise.objects.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_negative_amounts_the_methodology_forbids(batch):
    enterprise = enterprise_create(**VALID)
    Submission.objects.create(enterprise=enterprise, batch=batch, net_profit=-5, net_assets=-1)  # allowed
    other = enterprise_create(**{**VALID, "credit_code": "91350100M000100Y43"})
    with pytest.raises(IntegrityError):
        Submission.objects.create(enterprise=other, batch=batch, rd_expense=-1)


@pytest.mark.django_db
def test_model_validation_names_a_negative_amount(batch):
    enterprise = enterprise_create(**VALID)
    submission = Submission(enterprise=enterprise, batch=batch, revenue=-10)
    with pytest.raises(ValidationError) as info:
        submission.full_clean()
    assert set(info.value.message_dict) == {"revenue"}
