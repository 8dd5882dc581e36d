"""Risk pools of the special guarantee plan: a guarantor's book and each provincial pool against the warning line and
the fuse (settings, 5 % / 8 %); at the fuse the one guarantee-creation service refuses — page and API alike — with a
message naming the rule; the forecast from loans now overdue; rates with two decimals."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from banks.tests.api_fixtures import approved_recommendation, loan_on, token_client
from core.models import GuaranteeInstitution, GuarantorStaff
from guarantees.models import GuaranteeContract
from guarantees.services import compensation_event_create, guarantee_contract_create, risk_pool
from loans.services import loan_repayment_update
from tests.factories import UserFactory

TODAY = date.today()


@pytest.fixture
def parties(db):
    provincial = GuaranteeInstitution.objects.create(name="广东省再担保", kind="provincial", region_scope="44")
    local = GuaranteeInstitution.objects.create(name="深圳某担保", kind="local", region_scope="4403")
    other = GuaranteeInstitution.objects.create(name="广州某担保", kind="local", region_scope="4401")
    staff = UserFactory(username="local-staff")
    GuarantorStaff.objects.create(user=staff, institution=local)
    return provincial, local, other, staff


def special_loan(icbc, officer):
    return loan_on(approved_recommendation(officer, icbc, status="new"), officer, mode="special_plan")


def guarantee(loan, officer, guarantor, provincial):
    return guarantee_contract_create(
        loan=loan, user=officer, guarantor=guarantor, reguarantor=provincial, amount=loan.amount, bank_share=D(20),
        national_fund_share=D(30), provincial_share=D(25), local_share=D(25), guarantee_fee_rate=D(1),
        reguarantee_fee_rate=D("0.3"), signed_on=loan.signed_on,
    )  # fmt: skip


@pytest.fixture
def compensated(pushed, icbc, icbc_officer, parties):
    """The local guarantor's one guarantee (100万), the loan overdue and compensated for ``amount`` 万."""
    provincial, local, other, staff = parties

    def make(amount):
        loan = special_loan(icbc, icbc_officer)
        contract = guarantee(loan, icbc_officer, local, provincial)
        loan_repayment_update(loan=loan, user=icbc_officer, status="overdue")
        compensation_event_create(guarantee=contract, user=staff, amount=D(amount), occurred_on=TODAY)
        return contract

    return make


def test_rates_have_two_decimals_and_the_level_follows_the_lines(compensated, parties):
    provincial, local, _other, staff = parties
    contract = compensated("4.99")
    book = risk_pool(institution=local)
    assert (str(book.rate), book.level) == ("4.99", "normal")
    compensation_event_create(guarantee=contract, user=staff, amount=D("0.01"), occurred_on=TODAY)
    book = risk_pool(institution=local)
    assert (str(book.rate), book.level) == ("5.00", "warning")  # at the warning line
    assert risk_pool(institution=provincial, as_pool=True).rate == D("5.00")
    assert risk_pool(institution=provincial).contracts == 0  # guarantees nothing itself: its book is empty


def test_at_the_fuse_the_guarantor_and_the_pool_refuse_new_guarantees(compensated, parties, icbc, icbc_officer):
    provincial, local, other, _staff = parties
    compensated("8")
    before = GuaranteeContract.objects.count()
    loan = special_loan(icbc, icbc_officer)
    with pytest.raises(ValidationError) as refused:
        guarantee(loan, icbc_officer, local, provincial)
    errors = refused.value.message_dict
    assert "深圳某担保 的代偿率 8.00% 已达熔断线 8%" in errors["guarantor"][0]
    assert "广东省再担保 风险池的代偿率 8.00%" in errors["reguarantor"][0]
    with pytest.raises(ValidationError) as pool_only:  # another guarantor, the same provincial pool
        guarantee(loan, icbc_officer, other, provincial)
    assert set(pool_only.value.message_dict) == {"reguarantor"}
    assert GuaranteeContract.objects.count() == before


def test_the_fuse_is_a_setting(compensated, parties, icbc, icbc_officer, settings):
    provincial, local, _other, _staff = parties
    compensated("8")
    settings.RISK_POOL_FUSE_RATE = D("9")
    assert guarantee(special_loan(icbc, icbc_officer), icbc_officer, local, provincial).pk


def test_the_forecast_counts_the_overdue_loans_that_would_cross_each_line(compensated, parties, icbc, icbc_officer):
    provincial, local, _other, _staff = parties
    compensated("1")  # 1 of 100: 1.00 %
    for _ in range(2):
        loan = special_loan(icbc, icbc_officer)
        guarantee(loan, icbc_officer, local, provincial)
        loan_repayment_update(loan=loan, user=icbc_officer, status="overdue")
    book = risk_pool(institution=local)  # 1 of 300 compensated; two loans overdue, 80 each for the guarantee system
    assert (book.rate, book.overdue_exposures) == (D("0.33"), (D("80.00"), D("80.00")))
    assert book.projected_rate == D("53.67")
    assert (book.to_warning, book.to_fuse) == (1, 1)


def test_the_page_and_the_api_refuse_at_the_fuse_with_the_rule(client, compensated, parties, icbc, icbc_officer):
    provincial, local, _other, _staff = parties
    compensated("8")
    loan = special_loan(icbc, icbc_officer)
    client.force_login(icbc_officer)
    form = {"guarantor": local.pk, "reguarantor": provincial.pk, "amount": "100", "bank_share": "20",
            "national_fund_share": "30", "provincial_share": "25", "local_share": "25", "guarantee_fee_rate": "1",
            "reguarantee_fee_rate": "0.3", "signed_on": loan.signed_on.isoformat()}  # fmt: skip
    page = client.post(reverse("guarantees:create", args=[loan.pk]), form)
    assert "已达熔断线" in page.content.decode()
    api = token_client(scopes=["guarantees:write"], bank=icbc)
    response = api.post(reverse("api:loan-guarantee", args=[loan.pk]), form, format="json")
    assert response.status_code == 400 and "熔断线" in response.json()["fields"]["guarantor"][0]
    assert not GuaranteeContract.objects.filter(loan=loan).exists()


def test_the_guarantor_page_shows_the_book_the_pools_and_the_preconditions(client, compensated, parties):
    _provincial, _local, _other, staff = parties
    contract = compensated("6")
    client.force_login(staff)
    page = client.get(reverse("guarantees:list")).content.decode()
    assert "6.00%" in page and "超过警戒线" in page and "代偿只能在银行将贷款标记为逾期或违约之后登记" in page
    detail = client.get(reverse("guarantees:detail", args=[contract.pk])).content.decode()
    assert "前提" in detail
    client.force_login(contract.loan.officer)  # the bank's loan page shows the compensation
    loan_page = client.get(reverse("loans:detail", args=[contract.loan_id])).content.decode()
    assert 'id="compensations"' in loan_page and "6.00" in loan_page
