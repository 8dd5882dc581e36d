"""The world both authorization matrices run in (tests/test_authorization_matrix.py for pages,
tests/test_api_authorization_matrix.py for the API): two of every kind of organisation, built once per module."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from banks.models import LoanProduct, Notice, Recommendation
from banks.services import recommendation_list_push
from banks.tests.fixtures import approved_recommendation, officer_of, publish_new_run
from core.models import ApiClient, Bank, Branch, GuaranteeInstitution, GuarantorStaff
from demo.services import demo_firms_create
from enterprises.models import BatchField, Consent, Enterprise, EnterpriseMembership, Submission, SubmissionEvidence
from guarantees.services import guarantee_contract_create
from loans.services import loan_contract_create
from scoring.models import IndicatorSystem
from scoring.services import batch_create
from tests.factories import BureauStaffFactory, UserFactory

# --- The world -----------------------------------------------------------------------------------------------------


@dataclass
class World:
    callers: dict[str, object]  # role → user (None for anonymous)
    objects: dict[str, tuple[int, object]]  # key → (pk of the foreign object, its owner)
    markers: dict[str, str]  # key → text that must not appear on the callers' list pages
    counterparts: dict[str, object]  # role → the same role in the foreign organisation
    firm_y: object = None
    batch: object = None  # the national batch every organisation works on
    batch_foreign: object = None  # the Zhejiang bureau's own batch, published
    tokens: dict[str, str] = field(default_factory=dict)  # API client role → token


PDF = b"%PDF-1.4\n%test\n"


def _evidence(submission, user) -> SubmissionEvidence:
    return SubmissionEvidence.objects.create(
        submission=submission, file=SimpleUploadedFile("proof.pdf", PDF), original_name="proof.pdf",
        content_type="application/pdf", size=len(PDF), uploaded_by=user,
    )  # fmt: skip


def _loan(rec, officer):
    product = LoanProduct.objects.get(pk=rec.product_ids[0])
    return loan_contract_create(
        recommendation=rec, user=officer, product=product, amount=Decimal(100), rate=Decimal(3), term_months=6,
        signed_on=date.today(), guarantee_mode="special_plan",
    )  # fmt: skip


def _guarantee(loan, officer, guarantor, reguarantor):
    return guarantee_contract_create(
        loan=loan, user=officer, guarantor=guarantor, reguarantor=reguarantor, amount=Decimal(100),
        bank_share=Decimal(20), national_fund_share=Decimal(30), provincial_share=Decimal(25),
        local_share=Decimal(25), guarantee_fee_rate=Decimal(1), reguarantee_fee_rate=Decimal("0.3"),
        signed_on=date.today(),
    )  # fmt: skip


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction rolled back at its end; each test runs in a savepoint inside
    it (the ``db`` fixture), so what a test writes is undone too."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _world()
        transaction.set_rollback(True)


def _world() -> World:
    """Firms of the demo population scored and published, pushed to ICBC (bank A) and CMB (bank B; its Zhejiang branch
    lists firms ICBC never sees), one loan and one guarantee per bank, and the foreign bureau's batch and system."""
    national = IndicatorSystem.objects.get(code="national", version=1)
    batch = batch_create(
        name="2024年度", year=2024, reference_date=date(2024, 12, 31), system=national,
        opens_on=date(2025, 1, 1), closes_on=date(2025, 3, 31), status="open",
    )  # fmt: skip
    demo_firms_create(firms=400, seed=11, batch=batch)
    icbc, cmb = Bank.objects.get(code="icbc"), Bank.objects.get(code="cmb")
    Branch.objects.create(bank=icbc, name="广东分行", region_scope="44")
    Branch.objects.create(bank=cmb, name="广东分行", region_scope="44")
    LoanProduct.objects.create(bank=icbc, name="积分贷", min_grade="D", max_amount=1000, term_months=12,
                               rate_spread_bp=80)  # fmt: skip
    LoanProduct.objects.create(bank=cmb, name="招行积分贷", min_grade="C", max_amount=500, term_months=12,
                               rate_spread_bp=60)  # fmt: skip
    Branch.objects.create(bank=cmb, name="浙江分行", region_scope="33")
    run = publish_new_run(batch)
    recommendation_list_push(run=run, bank=icbc)
    recommendation_list_push(run=run, bank=cmb)

    officer_a, officer_b = officer_of(icbc, "officer-a", is_admin=True), officer_of(cmb, "officer-b", is_admin=True)
    # Callers' own firm X: on ICBC's list in Guangdong. Foreign firm Y: on CMB's Zhejiang list only.
    rec_a = Recommendation.objects.filter(bank=icbc, region_code__startswith="44").order_by("list_rank")[0]
    rec_b = Recommendation.objects.filter(bank=cmb, region_code__startswith="33").order_by("list_rank")[0]
    firm_x, firm_y = rec_a.enterprise, rec_b.enterprise
    firm_user, firm_y_user = UserFactory(username="firm-x"), UserFactory(username="firm-y-admin")
    EnterpriseMembership.objects.create(user=firm_user, enterprise=firm_x, role="admin")
    EnterpriseMembership.objects.create(user=firm_y_user, enterprise=firm_y, role="admin")
    pending = EnterpriseMembership.objects.create(
        user=UserFactory(username="firm-y-applicant"), enterprise=firm_y, approved=False
    )
    # A sign-up claiming a Zhejiang firm that has no administrator: the Zhejiang bureau verifies it.
    from django.core.files.base import ContentFile

    unclaimed = Enterprise.objects.filter(region_code__startswith="33", memberships__isnull=True)[0]
    claim = EnterpriseMembership(user=UserFactory(username="claimant-zj"), enterprise=unclaimed, role="admin",
                                 approved=False, licence_type="application/pdf")  # fmt: skip
    claim.licence.save("licence", ContentFile(b"%PDF-1.4 licence"), save=True)
    # Firm Y shares with bank B only (no blanket consent): bank A has no way to see it.
    Consent.objects.filter(enterprise=firm_y).delete()
    consent_y = Consent.objects.create(enterprise=firm_y, bank=cmb)

    bureau = BureauStaffFactory(region_scope="32").user  # Jiangsu
    zhejiang = BureauStaffFactory(region_scope="33").user
    from scoring.indicator_systems import indicator_system_clone

    system_bj = indicator_system_clone(source=national, code="zhejiang", name="浙江省指标体系", user=zhejiang,
                                       region_scope="33")  # fmt: skip
    batch_bj = batch_create(
        name="浙江省2024年度专项批次", year=2024, reference_date=date(2024, 12, 31), system=national,
        region_scope="33", opens_on=date(2025, 1, 1), closes_on=date(2025, 3, 31), status="open",
    )  # fmt: skip
    demo_firms_create(firms=60, seed=5, batch=batch_bj)
    run_bj = publish_new_run(batch_bj)
    field_zj = BatchField.objects.create(batch=batch_bj, code="zj_platforms", label_zh="省级平台", label_en="Platforms")
    from core.services import api_client_create

    client_zj, _token = api_client_create(
        staff=zhejiang.bureau_staff, name="浙江省平台 CLIENT-ZJ", scopes=["scores:read"], region_scope="33"
    )
    from core.services import bank_api_client_create

    client_cmb, _token = bank_api_client_create(
        officer=officer_b.bank_officer, name="招行信贷系统 CLIENT-CMB", scopes=["recommendations:read"]
    )

    from policies.services import policies_match, policy_create

    policy_zj = policy_create(user=zhejiang, region_scope="33", name="浙江省专项政策 POLICY-ZJ", issuer="浙江省科技厅",
                              policy_class="rd_subsidy", benefit="补助", conditions=[])  # fmt: skip
    policies_match(run=run, notify=False)  # firm Y (Zhejiang) matches it, firm X (Guangdong) does not

    submission_y = Submission.objects.get(enterprise=firm_y, batch=batch)
    Submission.objects.filter(pk=submission_y.pk).update(status="submitted")  # waiting in the Zhejiang queue
    evidence_y = _evidence(submission_y, firm_y_user)
    from scoring.models import Objection

    # Firm Y's objection to its national result (written directly: that run was published without a notice).
    objection_y = Objection.objects.create(run=run, enterprise=firm_y, subject="total", reason="异议 OBJECTION-Y",
                                           lodged_by=firm_y_user)  # fmt: skip

    loan_a = _loan(approved_recommendation(officer_a, icbc, region_code__startswith="44"), officer_a)
    loan_b = _loan(approved_recommendation(officer_b, cmb, region_code__startswith="33"), officer_b)
    provincial = GuaranteeInstitution.objects.create(name="省级再担保", kind="provincial", region_scope="")
    g1 = GuaranteeInstitution.objects.create(name="担保甲", kind="local", region_scope="44")
    g2 = GuaranteeInstitution.objects.create(name="担保乙", kind="local", region_scope="33")
    _guarantee(loan_a, officer_a, g1, provincial)
    guarantee_b = _guarantee(loan_b, officer_b, g2, provincial)
    from loans.models import LoanWarning

    for loan in (loan_a, loan_b):  # a post-loan warning on each bank's loan
        LoanWarning.objects.create(loan=loan, enterprise_id=loan.enterprise_id, kind="veto", batch=batch,
                                   reasons="veto_dishonest")  # fmt: skip
    warning_b = LoanWarning.objects.get(loan=loan_b)
    guarantor, guarantor_b = UserFactory(username="g1-staff"), UserFactory(username="g2-staff")
    GuarantorStaff.objects.create(user=guarantor, institution=g1)
    GuarantorStaff.objects.create(user=guarantor_b, institution=g2)

    # A profile read by bank B's officer: firm X must never see who reads firm Y.
    from enterprises.services import profile_access_record

    profile_access_record(enterprise=firm_y, bank=cmb, user=officer_b, scope="profile", ip="10.0.0.2")
    Notice.objects.create(user=officer_b, message="招商银行专属通知 NOTICE-B")

    # Firm Y's financing need, applied to CMB (firm Y consents to CMB only): no other firm or bank sees either.
    from banks.financing import financing_apply, financing_need_post

    need_y = financing_need_post(
        enterprise=firm_y,
        user=firm_y_user,
        amount=500,
        term_months=12,
        purpose="NEED-Y 浙江企业融资需求",
        valid_until=date.today() + timedelta(days=30),
    )
    application_y = financing_apply(need=need_y, bank=cmb, user=firm_y_user)

    tokens = {}
    for role, record in {
        "client-bank": ApiClient(name="bank A system", bank=icbc,
                                 scopes=["scores:read", "recommendations:read", "loans:write"]),
        "client-guarantor": ApiClient(name="guarantor G1 system", guarantor=g1, scopes=["guarantees:write"]),
        "client-platform": ApiClient(name="Jiangsu platform", region_scope="32",
                                     scopes=["scores:read", "statistics:read", "submissions:read"]),
    }.items():  # fmt: skip
        tokens[role] = record.issue_token()
        record.save()

    return World(
        firm_y=firm_y,
        batch=batch,
        batch_foreign=batch_bj,
        tokens=tokens,
        callers={"anonymous": None, "firm": firm_user, "bureau": bureau, "officer": officer_a, "guarantor": guarantor},
        objects={
            "submission": (submission_y.pk, zhejiang),
            "evidence": (evidence_y.pk, zhejiang),
            "batch": (batch_bj.pk, zhejiang),
            "batch_field": ((batch_bj.pk, field_zj.pk), zhejiang),
            "run": (run_bj.pk, zhejiang),
            # A Zhejiang firm's line in the national run: the Jiangsu bureau sees the run, never that firm's result.
            "run_result": ((run.pk, firm_y.pk), zhejiang),
            "system": (system_bj.pk, zhejiang),
            "recommendation": (rec_b.pk, officer_b),
            "product": (LoanProduct.objects.filter(bank=cmb).first().pk, officer_b),
            "loan": (loan_b.pk, officer_b),
            "warning": (warning_b.pk, officer_b),
            "guarantee": (guarantee_b.pk, guarantor_b),
            "firm_evidence": (evidence_y.pk, firm_y_user),
            "consent": (consent_y.pk, firm_y_user),
            "membership": (pending.pk, firm_y_user),
            "api_client": (client_zj.pk, zhejiang),
            "bank_api_client": (client_cmb.pk, officer_b),
            "claim": (claim.pk, zhejiang),
            "need": (need_y.pk, firm_y_user),
            "application": (application_y.pk, officer_b),
            "firm_application": (application_y.pk, firm_y_user),
            "policy": (policy_zj.pk, zhejiang),
            "objection": (objection_y.pk, zhejiang),
        },
        counterparts={"firm": firm_y_user, "bureau": zhejiang, "officer": officer_b, "guarantor": guarantor_b},
        markers={
            "foreign_firm_name": firm_y.name,
            "foreign_need": need_y.purpose,
            "foreign_batch_name": batch_bj.name,
            "foreign_objection": "OBJECTION-Y",
            "foreign_system_name": system_bj.name,
            "foreign_list_firm": firm_y.name,
            "foreign_product_name": LoanProduct.objects.filter(bank=cmb).first().name,
            "foreign_notice": "NOTICE-B",
            "foreign_loan": loan_b.contract_no,
            "foreign_officer_name": officer_b.username,
            "foreign_member_name": "firm-y-applicant",
            "foreign_api_client": "CLIENT-ZJ",
            "foreign_bank_api_client": "CLIENT-CMB",
            "foreign_claim": "claimant-zj",
            "foreign_policy_name": "POLICY-ZJ",
        },
    )
