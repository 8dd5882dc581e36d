"""Financing needs, the product supermarket and applications (issue #15): bad input, consent gating, scoping and
the status flow, through the services and the pages."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from banks.financing import (
    ConsentRequired,
    financing_application_mark_viewed,
    financing_application_transition,
    financing_apply,
    financing_need_post,
    financing_need_withdraw,
)
from banks.financing_selectors import ShelfFilters, supermarket
from banks.models import ApplicationStep, FinancingApplication, FinancingNeed, LoanProduct
from banks.tests.fixtures import officer_of
from core.exceptions import ApplicationError
from core.models import Bank, Branch
from enterprises.models import EnterpriseNotice
from enterprises.notices import notices_for
from enterprises.tests.factories import ConsentFactory, EnterpriseFactory, MembershipFactory

pytestmark = pytest.mark.django_db
TOMORROW = date.today() + timedelta(days=1)


@pytest.fixture
def member():
    return MembershipFactory(enterprise=EnterpriseFactory(region_code="440305"))


@pytest.fixture
def firm(member):
    return member.enterprise


def post(firm, user=None, **overrides):
    fields = {"amount": Decimal(500), "term_months": 12, "purpose": "采购设备", "valid_until": TOMORROW, **overrides}
    return financing_need_post(enterprise=firm, user=user, **fields)


@pytest.fixture
def jiangsu_bank(db):
    """A bank whose only branch is in Jiangsu: outside a Shenzhen firm's region."""
    bank = Bank.objects.get(code="boc")
    Branch.objects.create(bank=bank, name="江苏分行", region_scope="32")
    LoanProduct.objects.create(bank=bank, name="苏科贷", max_amount=800)
    return bank


def test_a_need_above_one_billion_is_refused_naming_the_amount_and_nothing_is_saved(firm):
    with pytest.raises(ValidationError) as error:
        post(firm, amount=Decimal("100000.01"))
    assert "amount" in error.value.message_dict and "10 亿" in error.value.message_dict["amount"][0]
    assert not FinancingNeed.objects.exists()


def test_a_need_with_a_past_validity_is_refused_naming_the_validity_and_nothing_is_saved(firm):
    with pytest.raises(ValidationError) as error:
        post(firm, valid_until=date.today() - timedelta(days=1))
    assert list(error.value.message_dict) == ["valid_until"]
    assert not FinancingNeed.objects.exists()


def test_the_page_names_the_field_of_a_bad_need_and_saves_nothing(client, member):
    client.force_login(member.user)
    response = client.post(
        reverse("financing:needs"),
        {
            "amount": "200000",
            "term_months": "12",
            "purpose": "x",
            "urgency": "normal",
            "valid_until": TOMORROW.isoformat(),
        },
    )
    assert response.status_code == 400
    assert "需求金额(万元):需求金额不能超过 10 亿元" in response.content.decode()
    assert not FinancingNeed.objects.exists()


def test_a_bank_sees_an_open_need_only_with_consent_and_not_once_withdrawn(firm, icbc, cmb, icbc_officer):
    need = post(firm)
    assert not FinancingNeed.objects.visible_to(icbc_officer).exists()  # no consent yet
    ConsentFactory(enterprise=firm, bank=cmb)  # a consent naming another bank does not cover ICBC
    assert not FinancingNeed.objects.visible_to(icbc_officer).exists()
    ConsentFactory(enterprise=firm, bank=icbc)
    assert list(FinancingNeed.objects.visible_to(icbc_officer)) == [need]
    financing_need_withdraw(need=need, user=None)
    assert not FinancingNeed.objects.visible_to(icbc_officer).exists()
    assert FinancingNeed.objects.visible_to(firm.memberships.get().user).get() == need  # the firm keeps it


def test_an_officer_of_another_region_sees_no_need(firm, icbc):
    ConsentFactory(enterprise=firm)
    post(firm)
    jiangsu = officer_of(icbc, "icbc-js", branch=icbc.branches.get(region_scope="32"))
    assert not FinancingNeed.objects.visible_to(jiangsu).exists()


def test_another_firm_sees_none_of_the_needs(firm, icbc):
    ConsentFactory(enterprise=firm)
    financing_apply(need=post(firm), bank=icbc, user=None)  # an application too, so that there is one to leak
    other = MembershipFactory().user
    assert not FinancingNeed.objects.visible_to(other).exists()
    assert not FinancingApplication.objects.visible_to(other).exists()


def test_applying_without_consent_asks_for_it_and_saves_nothing(firm, icbc):
    with pytest.raises(ConsentRequired) as error:
        financing_apply(need=post(firm), bank=icbc, user=None)
    assert error.value.bank == icbc
    assert not FinancingApplication.objects.exists()


def test_applying_to_a_bank_outside_the_region_is_refused_naming_the_bank(firm, jiangsu_bank):
    ConsentFactory(enterprise=firm)
    with pytest.raises(ValidationError) as error:
        financing_apply(need=post(firm), bank=jiangsu_bank, product=jiangsu_bank.products.get(), user=None)
    assert list(error.value.message_dict) == ["bank"]
    assert not FinancingApplication.objects.exists()


def test_the_supermarket_lists_the_products_of_the_region_with_the_filters(firm, icbc, cmb, jiangsu_bank):
    names = {line.product.name for line in supermarket(enterprise=firm)}
    assert {"积分贷", "招行积分贷", "科创成长贷"} <= names and "苏科贷" not in names
    by_bank = supermarket(enterprise=firm, filters=ShelfFilters(bank=cmb.pk))
    assert [line.product.name for line in by_bank] == ["招行积分贷"]
    long = supermarket(enterprise=firm, filters=ShelfFilters(term_months=24))
    assert [line.product.name for line in long] == ["科创成长贷"]
    big = supermarket(enterprise=firm, filters=ShelfFilters(amount=Decimal(2000), stage="startup"))
    assert big == []  # the only product lending 2,000 万元 is for growth and stable firms


def test_the_status_flow_tells_the_firm_each_step_and_a_decline_only_its_category(firm, icbc, icbc_officer):
    ConsentFactory(enterprise=firm)
    application = financing_apply(need=post(firm), bank=icbc, user=None)
    assert financing_application_mark_viewed(application=application, user=icbc_officer)
    assert not financing_application_mark_viewed(application=application, user=icbc_officer)  # once
    financing_application_transition(application=application, user=icbc_officer, status="contacted")
    with pytest.raises(ValidationError) as error:
        financing_application_transition(application=application, user=icbc_officer, status="declined")
    assert list(error.value.message_dict) == ["decline_category"]
    financing_application_transition(
        application=application, user=icbc_officer, status="declined", category="risk", reason="内部:现金流紧张"
    )
    assert [s.status for s in ApplicationStep.objects.filter(application=application)] == [
        "received",
        "viewed",
        "contacted",
        "declined",
    ]
    texts = [n.text for n in notices_for(enterprise=firm)]
    assert "已拒绝:风险偏高" in texts[0] and all("现金流" not in text for text in texts)
    assert EnterpriseNotice.objects.filter(enterprise=firm).count() == 4
    with pytest.raises(ApplicationError):
        financing_application_transition(application=application, user=icbc_officer, status="approved")


def test_a_bank_sees_only_the_applications_addressed_to_it_with_consent(firm, icbc, cmb, cmb_officer, icbc_officer):
    consent = ConsentFactory(enterprise=firm)
    application = financing_apply(need=post(firm), bank=icbc, user=None)
    assert not FinancingApplication.objects.visible_to(cmb_officer).exists()
    with pytest.raises(ApplicationError):
        financing_application_transition(application=application, user=cmb_officer, status="contacted")
    assert FinancingApplication.objects.visible_to(icbc_officer).get() == application
    consent.revoked_at = consent.granted_at + timedelta(seconds=1)
    consent.save()
    assert not FinancingApplication.objects.visible_to(icbc_officer).exists()


def test_the_firm_applies_from_the_supermarket_page_and_is_sent_to_consent_first(client, member, icbc):
    firm = member.enterprise
    need = post(firm)
    product = icbc.products.get(name="积分贷")
    client.force_login(member.user)
    page = client.get(reverse("financing:products"))
    assert page.status_code == 200 and "积分贷" in page.content.decode()
    response = client.post(reverse("financing:apply"), {"need": need.pk, "product": product.pk})
    assert response.status_code == 302 and f"bank={icbc.pk}" in response["Location"]
    assert not FinancingApplication.objects.exists()
    ConsentFactory(enterprise=firm, bank=icbc)
    response = client.post(reverse("financing:apply"), {"need": need.pk, "product": product.pk})
    assert response["Location"] == reverse("financing:needs")
    assert FinancingApplication.objects.get().product == product
    assert "已收到" in client.get(reverse("financing:needs")).content.decode()


def test_a_list_entry_the_bank_works_tells_the_firm_each_status_and_a_decline_by_category(pushed, icbc_officer):
    from banks.models import Recommendation
    from banks.services import recommendation_mark_viewed, recommendation_transition

    rec = Recommendation.objects.filter(bank__code="icbc", superseded=False).order_by("list_rank")[0]
    recommendation_mark_viewed(recommendation=rec, user=icbc_officer)
    recommendation_mark_viewed(recommendation=rec, user=icbc_officer)  # once only: it is viewed already
    rec.refresh_from_db()
    recommendation_transition(recommendation=rec, user=icbc_officer, status="declined", category="line",
                              reason="内部:行内额度已满")  # fmt: skip
    texts = [n.text for n in notices_for(enterprise=rec.enterprise)]
    assert len(texts) == 2 and "已拒绝:额度不足" in texts[0] and "已查看" in texts[1]
    assert all("额度已满" not in text for text in texts)


def test_the_banks_list_and_profile_show_a_consenting_firms_open_needs_until_withdrawn(client, pushed, icbc_officer):
    from banks.models import Recommendation

    rec = Recommendation.objects.filter(bank__code="icbc", superseded=False).order_by("list_rank")[0]
    need = post(rec.enterprise, purpose="扩建产线 NEED-MARK")
    client.force_login(icbc_officer)
    listing = client.get(reverse("banks:list")).content.decode()
    assert "1 项在线需求" in listing
    assert "NEED-MARK" in client.get(reverse("banks:detail", args=[rec.pk])).content.decode()
    financing_need_withdraw(need=need, user=None)
    assert "项在线需求" not in client.get(reverse("banks:list")).content.decode()
    assert "NEED-MARK" not in client.get(reverse("banks:detail", args=[rec.pk])).content.decode()
