"""The supermarket for a firm that cannot borrow yet (issue #15): every product on sale in its region is shown, each
it cannot apply for with why (the shared product rule's unmet conditions, in words); "申请" only on those that fit,
and the service refuses the others, naming the product."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from banks.financing import financing_apply, financing_need_post
from banks.financing_selectors import ShelfFilters, supermarket
from banks.models import FinancingApplication, LoanProduct
from core.models import Bank, Branch
from enterprises.tests.factories import ConsentFactory, MembershipFactory
from scoring.models import Score

pytestmark = pytest.mark.django_db


def _member_of_grade(run, grade: str, *, besides_section: str = "", stage: str = ""):
    """A member of a Guangdong firm whose published grade is ``grade`` (in any section but ``besides_section``, at
    ``stage`` when given)."""
    score = Score.objects.filter(run=run, grade=grade, enterprise__region_code__startswith="44")
    if stage:
        score = score.filter(stage=stage)
    if besides_section:
        score = score.exclude(enterprise__industry_code__startswith=besides_section)
    score = score.select_related("enterprise").order_by("enterprise_id").first()
    assert score is not None, f"no published firm of grade {grade} in Guangdong"
    return MembershipFactory(enterprise=score.enterprise), score


def _need(firm):
    return financing_need_post(enterprise=firm, user=None, amount=Decimal(300), term_months=12, purpose="周转",
                               valid_until=date.today() + timedelta(days=30))  # fmt: skip


@pytest.fixture
def jiangsu_only(db):
    bank = Bank.objects.get(code="boc")
    Branch.objects.create(bank=bank, name="江苏分行", region_scope="32")
    return LoanProduct.objects.create(bank=bank, name="苏科贷", min_grade="E", max_amount=800)


@pytest.fixture
def for_services(cmb):
    """A CMB product for the services section (L) only, any grade."""
    return LoanProduct.objects.create(bank=cmb, name="商务贷", min_grade="E", sections=["L"], max_amount=200)


def test_a_grade_e_firm_sees_every_product_of_its_region_each_with_why_it_is_not_available(
    run, icbc, cmb, jiangsu_only
):
    member, _score = _member_of_grade(run, "E", stage="startup")
    shelf = supermarket(enterprise=member.enterprise)
    names = {line.product.name for line in shelf}
    assert names == {"积分贷", "科创成长贷", "招行积分贷"}  # all of Guangdong's; never the Jiangsu-only product
    assert all(not line.available and line.line is None for line in shelf)
    by_name = {line.product.name: line for line in shelf}
    assert by_name["积分贷"].misses == ("grade",)
    assert by_name["积分贷"].reasons == ("等级 E 低于本产品的最低等级 D",)
    narrow = by_name["科创成长贷"]  # grade B and better, growth and stable firms
    assert narrow.misses == ("grade", "stage") and "最低等级 B" in narrow.reasons[0]
    assert narrow.reasons[1] == "本产品只面向成长期、稳定期企业,贵企业处于初创期"


def test_the_reasons_are_in_the_readers_language(run, icbc):
    member, _score = _member_of_grade(run, "E")
    with translation.override("en"):
        line = next(x for x in supermarket(enterprise=member.enterprise) if x.product.name == "积分贷")
    assert line.reasons == ("Grade E is below this product's minimum grade D",)


def test_a_section_the_product_does_not_serve_is_a_reason(run, icbc, for_services):
    member, _score = _member_of_grade(run, "E", besides_section="L")
    line = next(x for x in supermarket(enterprise=member.enterprise) if x.product == for_services)
    assert line.misses == ("section",) and "L 租赁和商务服务业" in line.reasons[0]
    assert member.enterprise.section_id in line.reasons[0]


def test_the_filters_still_narrow_the_shelf_of_products_not_available_yet(run, icbc, cmb):
    member, _score = _member_of_grade(run, "E")
    by_bank = supermarket(enterprise=member.enterprise, filters=ShelfFilters(bank=cmb.pk))
    assert [line.product.name for line in by_bank] == ["招行积分贷"]
    long = supermarket(enterprise=member.enterprise, filters=ShelfFilters(term_months=24))
    assert [line.product.name for line in long] == ["科创成长贷"]


def test_the_page_offers_apply_only_on_products_that_fit(client, run, icbc, cmb):
    member, score = _member_of_grade(run, "C")  # 积分贷 (D) and 招行积分贷 (C) fit; 科创成长贷 (B) does not
    _need(member.enterprise)
    client.force_login(member.user)
    html = client.get(reverse("financing:products")).content.decode()
    fits = {p.pk for p in LoanProduct.objects.filter(name__in=["积分贷", "招行积分贷"])}
    open_part, later_part = html.split('id="shelf-later"', 1)  # the folded list of products not open yet
    for product in LoanProduct.objects.filter(bank__in=[icbc, cmb]):
        part = open_part if product.pk in fits else later_part
        assert f'id="product-{product.pk}"' in part, product.name
        entry = part.split(f'id="product-{product.pk}"', 1)[1].split('id="product-', 1)[0]
        assert ('name="product"' in entry) is (product.pk in fits), product.name  # Apply only where it fits
    assert "等级 C 低于本产品的最低等级 B" in later_part.split("</details>", 1)[0]  # 科创成长贷: why, in words
    assert "其中 1 款暂不可申请" in html and "暂不可申请的 1 款产品及原因" in later_part


def test_applying_to_a_product_the_firm_does_not_fit_is_refused_naming_the_product(run, icbc):
    member, _score = _member_of_grade(run, "E")
    ConsentFactory(enterprise=member.enterprise)
    with pytest.raises(ValidationError) as error:
        financing_apply(need=_need(member.enterprise), bank=icbc, product=icbc.products.get(name="积分贷"), user=None)
    assert list(error.value.message_dict) == ["product"]
    assert "最低等级 D" in error.value.message_dict["product"][0]
    assert not FinancingApplication.objects.exists()


def test_a_firm_without_a_published_result_is_judged_on_region_and_section_only(icbc):
    member = MembershipFactory(enterprise__region_code="440305")
    assert not Score.objects.filter(enterprise=member.enterprise).exists()
    shelf = supermarket(enterprise=member.enterprise)
    assert {line.product.name for line in shelf} == {"积分贷", "科创成长贷"}
    assert all(line.available and line.line is None for line in shelf)
