"""Service rules of the bank journey: products, the officer workflow, loan contracts, the special guarantee plan."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from banks.models import LoanProduct, Recommendation
from banks.services import (
    loan_product_create,
    loan_product_update,
    recommendation_claim,
    recommendation_transition,
)
from banks.tests.fixtures import approved_recommendation, officer_of
from core.exceptions import ApplicationError
from core.models import GuaranteeInstitution, GuarantorStaff
from enterprises.models import Enterprise, Submission
from guarantees.models import CompensationEvent, GuaranteeContract
from guarantees.services import (
    compensation_event_create,
    guarantee_contract_create,
    guarantor_portfolio,
    national_fund_cap,
)
from loans.models import LoanContract
from loans.services import loan_contract_create, loan_repayment_update, rate_ceiling, suggested_line
from scoring.models import Score
from tests.factories import UserFactory

TODAY = date.today()
D = Decimal


# --- Products ------------------------------------------------------------------------------------------------------

VALID = {
    "name": "新产品",
    "min_grade": "C",
    "stages": ["growth"],
    "sections": ["C", "I"],
    "max_amount": D(800),
    "term_months": 24,
    "rate_spread_bp": 90,
    "line_by_grade": {"A": 800, "B": 600, "C": 300, "D": 0, "E": 0},
}


def test_a_product_admin_creates_a_product_for_their_bank(icbc, icbc_officer):
    product = loan_product_create(officer=icbc_officer.bank_officer, **VALID)
    assert product.bank == icbc and product.line_by_grade["A"] == 800.0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"max_amount": D(0)}, "max_amount"),
        ({"max_amount": D(-5)}, "max_amount"),
        ({"min_grade": "F"}, "min_grade"),
        ({"stages": ["infant"]}, "stages"),
        ({"sections": ["Z"]}, "sections"),
        ({"rate_spread_bp": 900}, "rate_spread_bp"),
        ({"rate_spread_bp": -10}, "rate_spread_bp"),
        ({"term_months": 0}, "term_months"),
        ({"line_by_grade": {"A": 800, "B": 600}}, "line_by_grade"),
        ({"line_by_grade": {"A": 900, "B": 600, "C": 300, "D": 0, "E": 0}}, "line_by_grade"),  # above the maximum
        ({"line_by_grade": {"A": 100, "B": 600, "C": 300, "D": 0, "E": 0}}, "line_by_grade"),  # A below B
        ({"line_by_grade": {"A": 800, "B": 600, "C": 300, "D": 0, "E": -1}}, "line_by_grade"),
    ],
)
def test_a_product_breaking_a_rule_is_refused_naming_the_field(icbc, icbc_officer, change, field):
    with pytest.raises(ValidationError) as error:
        loan_product_create(officer=icbc_officer.bank_officer, **{**VALID, **change})
    assert field in error.value.message_dict
    assert not LoanProduct.objects.filter(name="新产品").exists()


def test_only_the_product_admin_of_the_bank_manages_products(icbc, icbc_gd_officer, cmb_officer):
    with pytest.raises(ApplicationError, match="产品管理员"):
        loan_product_create(officer=icbc_gd_officer.bank_officer, **VALID)
    with pytest.raises(ApplicationError):
        loan_product_update(officer=cmb_officer.bank_officer, product=icbc.products.first(), max_amount=D(5))


def test_a_product_cannot_serve_another_banks_branch(icbc, cmb, icbc_officer):
    with pytest.raises(ValidationError) as error:
        loan_product_create(officer=icbc_officer.bank_officer, branches=list(cmb.branches.all()), **VALID)
    assert "branches" in error.value.message_dict


def test_updating_a_product_validates_the_whole_product(icbc, icbc_officer):
    product = icbc.products.get(name="积分贷")
    with pytest.raises(ValidationError):
        loan_product_update(officer=icbc_officer.bank_officer, product=product, max_amount=D(100))  # lines above it
    product.refresh_from_db()
    assert product.max_amount == 1000


# --- Workflow ------------------------------------------------------------------------------------------------------


def first(bank, **filters):
    return Recommendation.objects.filter(bank=bank, superseded=False, **filters).order_by("list_rank").first()


def test_the_status_moves_along_the_workflow_and_claims_the_firm(pushed, icbc, icbc_officer):
    rec = first(icbc)
    for status in ("viewed", "contacted", "approved"):
        rec = recommendation_transition(recommendation=rec, user=icbc_officer, status=status)
    assert rec.status == "approved" and rec.officer == icbc_officer and rec.status_changed_at


@pytest.mark.parametrize(
    ("path", "target"), [((), "approved"), (("contacted", "approved"), "new"), (("contacted",), "viewed")]
)
def test_a_status_cannot_skip_or_go_back(pushed, icbc, icbc_officer, path, target):
    rec = first(icbc)
    for status in path:
        rec = recommendation_transition(recommendation=rec, user=icbc_officer, status=status)
    with pytest.raises(ApplicationError, match="状态不能从"):
        recommendation_transition(recommendation=rec, user=icbc_officer, status=target)


def test_declining_needs_a_category_from_the_fixed_list(pushed, icbc, icbc_officer):
    rec = first(icbc)
    for category in ("", "whim"):
        with pytest.raises(ValidationError) as error:
            recommendation_transition(
                recommendation=rec, user=icbc_officer, status="declined", category=category, reason="负债率过高"
            )
        assert "decline_category" in error.value.message_dict
    rec.refresh_from_db()
    assert rec.status == "new"
    rec = recommendation_transition(
        recommendation=rec, user=icbc_officer, status="declined", category="risk", reason="负债率过高"
    )
    assert (rec.status, rec.decline_category, rec.decline_reason) == ("declined", "risk", "负债率过高")
    other = first(icbc, status="new")
    rec = recommendation_transition(recommendation=other, user=icbc_officer, status="declined", category="documents")
    assert (rec.status, rec.decline_category, rec.decline_reason) == ("declined", "documents", "")


def test_contract_signed_is_reached_only_by_recording_the_loan(pushed, icbc, icbc_officer):
    rec = approved_recommendation(icbc_officer, icbc)
    with pytest.raises(ApplicationError, match="贷款合同"):
        recommendation_transition(recommendation=rec, user=icbc_officer, status="contracted")


def test_a_claim_is_exclusive(pushed, icbc, icbc_officer):
    colleague = officer_of(icbc, "icbc-colleague")
    rec = first(icbc)
    recommendation_claim(recommendation=rec, user=icbc_officer)
    with pytest.raises(ApplicationError, match="其他客户经理"):
        recommendation_claim(recommendation=rec, user=colleague)
    with pytest.raises(ApplicationError, match="其他客户经理"):
        recommendation_transition(recommendation=rec, user=colleague, status="contacted")


def test_an_officer_cannot_touch_another_banks_or_another_regions_row(pushed, icbc, cmb_officer, icbc_gd_officer):
    with pytest.raises(ApplicationError, match="不存在"):
        recommendation_transition(recommendation=first(icbc), user=cmb_officer, status="contacted")
    jiangsu = first(icbc, region_code__startswith="32")
    with pytest.raises(ApplicationError, match="不存在"):
        recommendation_claim(recommendation=jiangsu, user=icbc_gd_officer)


# --- Loan contracts ------------------------------------------------------------------------------------------------


def loan_args(rec, **change):
    product = LoanProduct.objects.get(pk=rec.product_ids[0])
    line = suggested_line(recommendation=rec, product=product)
    args = {
        "product": product,
        "amount": max(min(line, product.max_amount), D(1)),
        "rate": D("3.5"),
        "term_months": 12,
        "signed_on": TODAY,
        "disbursed_on": TODAY,
    }
    return {**args, **change}


def test_a_loan_is_recorded_from_an_approved_recommendation(pushed, icbc, icbc_officer):
    rec = approved_recommendation(icbc_officer, icbc)
    loan = loan_contract_create(recommendation=rec, user=icbc_officer, **loan_args(rec))
    rec.refresh_from_db()
    assert rec.status == "contracted" and loan.recommendation == rec and loan.bank == icbc
    assert loan.contract_no.startswith("ICBC-")


def test_the_relending_flag_follows_the_run_and_the_stage(pushed, icbc, icbc_officer):
    rec = approved_recommendation(icbc_officer, icbc)
    loan = loan_contract_create(recommendation=rec, user=icbc_officer, **loan_args(rec))
    score = Score.objects.get(run=rec.run, enterprise=rec.enterprise)
    assert loan.relending_eligible == (score.eligible and score.total >= 70 and score.stage in ("startup", "growth"))
    Score.objects.filter(run=rec.run, enterprise=rec.enterprise).update(stage="stable")
    from loans.services import relending_eligible

    assert relending_eligible(recommendation=rec) is False


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"amount": D(1000.01)}, "amount", "最高额度"),
        ({"amount": D(0)}, "amount", "正数"),
        ({"rate": D("3.81")}, "rate", "利率上限"),  # LPR 3.00 + 80 bp
        ({"term_months": 13}, "term_months", "最长期限"),
        ({"disbursed_on": TODAY - timedelta(days=1)}, "disbursed_on", "放款日期"),
        ({"signed_on": TODAY + timedelta(days=1), "disbursed_on": None}, "signed_on", "签约日期"),
    ],
)
def test_a_loan_breaking_a_rule_is_refused_and_nothing_is_saved(pushed, icbc, icbc_officer, change, field, rule):
    rec = approved_recommendation(icbc_officer, icbc)
    with pytest.raises(ValidationError) as error:
        loan_contract_create(recommendation=rec, user=icbc_officer, **loan_args(rec, **change))
    assert rule in " ".join(error.value.message_dict[field])
    assert not LoanContract.objects.exists()
    rec.refresh_from_db()
    assert rec.status == "approved"


def test_the_rate_ceiling_is_lpr_plus_the_products_spread(icbc):
    product = icbc.products.get(name="积分贷")
    assert rate_ceiling(product=product, term_months=12) == D("3.80")
    assert rate_ceiling(product=product, term_months=72) == D("4.30")


def test_an_amount_above_the_suggested_line_needs_a_written_reason(pushed, icbc, icbc_officer):
    rec = approved_recommendation(icbc_officer, icbc, grade="C")
    product = LoanProduct.objects.get(pk=rec.product_ids[0])
    line = suggested_line(recommendation=rec, product=product)
    assert line < product.max_amount, "the test needs a firm whose line is below the product maximum"
    above = line + D("0.01")
    with pytest.raises(ValidationError) as error:
        loan_contract_create(recommendation=rec, user=icbc_officer, **loan_args(rec, amount=above))
    assert "over_line_reason" in error.value.message_dict
    loan = loan_contract_create(
        recommendation=rec, user=icbc_officer, over_line_reason="订单增长,抵押补充", **loan_args(rec, amount=above)
    )
    assert loan.amount == above


def test_only_an_approved_recommendation_can_be_contracted(pushed, icbc, icbc_officer):
    rec = first(icbc)
    with pytest.raises(ApplicationError, match="已审批"):
        loan_contract_create(recommendation=rec, user=icbc_officer, **loan_args(rec))


def test_another_bank_cannot_record_a_loan_on_the_list(pushed, icbc, icbc_officer, cmb_officer):
    rec = approved_recommendation(icbc_officer, icbc)
    with pytest.raises(ApplicationError, match="不存在"):
        loan_contract_create(recommendation=rec, user=cmb_officer, **loan_args(rec))


def test_a_settled_loan_stays_settled(pushed, icbc, icbc_officer):
    rec = approved_recommendation(icbc_officer, icbc)
    loan = loan_contract_create(recommendation=rec, user=icbc_officer, **loan_args(rec))
    loan_repayment_update(loan=loan, user=icbc_officer, status="overdue")
    loan_repayment_update(loan=loan, user=icbc_officer, status="settled")
    with pytest.raises(ApplicationError, match="已结清"):
        loan_repayment_update(loan=loan, user=icbc_officer, status="normal")


# --- Special guarantee plan ----------------------------------------------------------------------------------------


@pytest.fixture
def institutions(db):
    fund = GuaranteeInstitution.objects.get(kind="national_fund")
    provincial = GuaranteeInstitution.objects.create(
        name="广东省融资再担保有限公司", kind="provincial", region_scope="44"
    )
    local = GuaranteeInstitution.objects.create(name="深圳市高新投", kind="local", region_scope="4403")
    return fund, provincial, local


@pytest.fixture
def plan_loan(pushed, icbc, icbc_officer):
    rec = approved_recommendation(icbc_officer, icbc)
    # An innovation-points-screened firm that is neither a little giant nor specialised: the fund's cap is 35 %.
    Enterprise.objects.filter(pk=rec.enterprise_id).update(is_little_giant=False, is_specialised_sme=False)
    return loan_contract_create(
        recommendation=rec,
        user=icbc_officer,
        **loan_args(rec, guarantee_mode="special_plan", amount=D(400), over_line_reason="有订单"),
    )


def plan(loan, institutions, **change):
    fund, provincial, local = institutions
    args = {
        "guarantor": local,
        "reguarantor": provincial,
        "amount": loan.amount,
        "bank_share": D(20),
        "national_fund_share": D(30),
        "provincial_share": D(25),
        "local_share": D(25),
        "guarantee_fee_rate": D("1.0"),
        "reguarantee_fee_rate": D("0.3"),
        "signed_on": loan.signed_on,
    }
    return {**args, **change}


def test_a_guarantee_within_the_plan_is_recorded(plan_loan, institutions, icbc_officer):
    guarantee = guarantee_contract_create(loan=plan_loan, user=icbc_officer, **plan(plan_loan, institutions))
    assert (
        guarantee.bank_share + guarantee.national_fund_share + guarantee.provincial_share + guarantee.local_share == 100
    )


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"local_share": D(20)}, "bank_share", "合计须为 100"),
        ({"bank_share": D(15), "local_share": D(30)}, "bank_share", "不得低于 20"),
        ({"bank_share": D(10), "local_share": D(35)}, "national_fund_share", "不得超过 80"),
        ({"national_fund_share": D(36), "local_share": D(19)}, "national_fund_share", "35"),  # screened firm: 35 %
        ({"provincial_share": D(15), "local_share": D(35)}, "provincial_share", "不得低于 20"),
        ({"reguarantee_fee_rate": D("0.31")}, "reguarantee_fee_rate", "0.3"),
    ],
)
def test_a_guarantee_breaking_a_plan_rule_is_refused_naming_it(
    plan_loan, institutions, icbc_officer, change, field, rule
):
    with pytest.raises(ValidationError) as error:
        guarantee_contract_create(loan=plan_loan, user=icbc_officer, **plan(plan_loan, institutions, **change))
    assert rule in " ".join(error.value.message_dict[field])
    assert not GuaranteeContract.objects.exists()


def test_the_national_fund_cap_depends_on_the_firm_type(plan_loan):
    firm = plan_loan.enterprise
    firm.is_little_giant, firm.is_specialised_sme, firm.is_high_tech_enterprise = True, False, False
    assert national_fund_cap(loan=plan_loan)[0] == 40
    firm.is_little_giant = False
    assert national_fund_cap(loan=plan_loan)[0] == 35  # screened by innovation points (from a recommendation)
    plan_loan.recommendation_id = None
    assert national_fund_cap(loan=plan_loan)[0] == 30
    firm.is_high_tech_enterprise = True
    assert national_fund_cap(loan=plan_loan)[0] == 35


def test_the_reguarantee_fee_may_reach_half_a_percent_above_five_million(plan_loan, institutions, icbc_officer):
    LoanContract.objects.filter(pk=plan_loan.pk).update(amount=D(600))
    plan_loan.refresh_from_db()
    guarantee = guarantee_contract_create(
        loan=plan_loan, user=icbc_officer, **plan(plan_loan, institutions, reguarantee_fee_rate=D("0.5"))
    )
    assert guarantee.reguarantee_fee_rate == D("0.5")


def test_a_firms_outstanding_guarantees_stay_within_thirty_million(plan_loan, institutions, icbc_officer):
    fund, provincial, local = institutions
    other = LoanContract.objects.create(
        contract_no="X-1",
        enterprise=plan_loan.enterprise,
        bank=plan_loan.bank,
        amount=D(2900),
        rate=D(3),
        term_months=12,
        signed_on=TODAY,
        guarantee_mode="special_plan",
    )
    GuaranteeContract.objects.create(
        loan=other,
        guarantor=local,
        reguarantor=provincial,
        amount=D(2900),
        bank_share=20,
        national_fund_share=30,
        provincial_share=25,
        local_share=25,
        guarantee_fee_rate=1,
        reguarantee_fee_rate=D("0.5"),
        signed_on=TODAY,
    )
    with pytest.raises(ValidationError) as error:
        guarantee_contract_create(loan=plan_loan, user=icbc_officer, **plan(plan_loan, institutions, amount=D(101)))
    assert "3000" in " ".join(error.value.message_dict["amount"])
    GuaranteeContract.objects.filter(loan=other).update(released_on=TODAY)  # released: no longer outstanding
    guarantee_contract_create(loan=plan_loan, user=icbc_officer, **plan(plan_loan, institutions, amount=D(101)))


def test_a_guarantee_needs_a_special_plan_loan(pushed, icbc, icbc_officer, institutions):
    rec = approved_recommendation(icbc_officer, icbc)
    loan = loan_contract_create(recommendation=rec, user=icbc_officer, **loan_args(rec))
    with pytest.raises(ApplicationError, match="专项担保计划"):
        guarantee_contract_create(loan=loan, user=icbc_officer, **plan(loan, institutions))


def test_another_bank_cannot_guarantee_the_loan(plan_loan, institutions, cmb_officer):
    with pytest.raises(ApplicationError, match="不存在"):
        guarantee_contract_create(loan=plan_loan, user=cmb_officer, **plan(plan_loan, institutions))


def test_compensations_give_the_portfolio_rate_flagged_above_five_percent(plan_loan, institutions, icbc_officer):
    fund, provincial, local = institutions
    guarantee = guarantee_contract_create(loan=plan_loan, user=icbc_officer, **plan(plan_loan, institutions))
    staff = UserFactory(username="local-guarantor")
    GuarantorStaff.objects.create(user=staff, institution=local)
    with pytest.raises(ValidationError, match="逾期或违约"):
        compensation_event_create(guarantee=guarantee, user=staff, amount=D(1), occurred_on=TODAY)
    loan_repayment_update(loan=plan_loan, user=icbc_officer, status="overdue")
    five_percent = (guarantee.amount * D("0.05")).quantize(D("0.01"))
    compensation_event_create(guarantee=guarantee, user=staff, amount=five_percent, occurred_on=TODAY)
    figures = guarantor_portfolio(institution=local)
    assert figures.compensated == five_percent and figures.compensation_rate <= D("0.05") and not figures.flagged
    compensation_event_create(guarantee=guarantee, user=staff, amount=D("1"), occurred_on=TODAY)
    assert guarantor_portfolio(institution=local).flagged
    assert guarantor_portfolio(institution=fund).contracts == 1
    plan_loan.refresh_from_db()
    assert plan_loan.repayment_status == "default"
    with pytest.raises(ValidationError, match="担保金额"):
        compensation_event_create(guarantee=guarantee, user=staff, amount=guarantee.amount, occurred_on=TODAY)
    assert CompensationEvent.objects.count() == 2


def test_filings_keep_the_financing_need_on_the_list(pushed, icbc):
    rec = first(icbc, financing_amount__isnull=False)
    assert (
        rec.financing_amount == Submission.objects.get(batch=pushed.batch, enterprise=rec.enterprise).financing_amount
    )


def test_only_the_guarantor_compensates_and_only_it_or_the_lending_bank_releases(plan_loan, institutions, icbc_officer):
    from guarantees.services import guarantee_release

    fund, provincial, local = institutions
    guarantee = guarantee_contract_create(loan=plan_loan, user=icbc_officer, **plan(plan_loan, institutions))
    loan_repayment_update(loan=plan_loan, user=icbc_officer, status="overdue")
    staff = {}
    for name, institution in (("fund", fund), ("provincial", provincial), ("local", local)):
        staff[name] = UserFactory(username=f"{name}-staff")
        GuarantorStaff.objects.create(user=staff[name], institution=institution)
    for name in ("fund", "provincial"):  # they see the contract (their shares) but do not act on it
        with pytest.raises(ApplicationError, match="承保的担保机构"):
            compensation_event_create(guarantee=guarantee, user=staff[name], amount=D(1), occurred_on=TODAY)
        with pytest.raises(ApplicationError, match="解除担保"):
            guarantee_release(guarantee=guarantee, user=staff[name], released_on=TODAY)
    with pytest.raises(ApplicationError):
        compensation_event_create(guarantee=guarantee, user=icbc_officer, amount=D(1), occurred_on=TODAY)
    assert not guarantee.compensations.exists()
    compensation_event_create(guarantee=guarantee, user=staff["local"], amount=D(1), occurred_on=TODAY)
    assert guarantee_release(guarantee=guarantee, user=icbc_officer, released_on=TODAY).released_on == TODAY


def test_a_guarantor_reads_the_loans_it_guarantees_but_never_changes_them(plan_loan, institutions, icbc_officer):
    from loans.models import LoanContract
    from loans.services import loan_disbursement_record

    fund, provincial, local = institutions
    guarantee_contract_create(loan=plan_loan, user=icbc_officer, **plan(plan_loan, institutions))
    staff = UserFactory(username="local-reader")
    GuarantorStaff.objects.create(user=staff, institution=local)
    assert LoanContract.objects.visible_to(staff).filter(pk=plan_loan.pk).exists()
    with pytest.raises(ApplicationError):
        loan_repayment_update(loan=plan_loan, user=staff, status="default")
    with pytest.raises(ApplicationError):
        loan_disbursement_record(loan=plan_loan, user=staff, disbursed_on=TODAY)
    plan_loan.refresh_from_db()
    assert plan_loan.repayment_status != "default"
