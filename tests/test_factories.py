"""Every model of our apps has a factory — or is made only by the service that owns it, named here — and every
factory builds a row that passes the model's own validation. A new model must take a side."""

import pytest
from django.apps import apps

from banks.tests.factories import LoanProductFactory, NoticeFactory
from core.tests.factories import (
    ApiClientFactory,
    BankFactory,
    BankOfficerFactory,
    BranchFactory,
    BureauStaffFactory,
    GuaranteeInstitutionFactory,
    GuarantorStaffFactory,
    UserFactory,
)
from enterprises.tests.factories import ConsentFactory, EnterpriseFactory, MembershipFactory, SubmissionFactory
from scoring.tests.factories import BatchFactory, IndicatorSystemFactory

FACTORIES = [
    UserFactory, BureauStaffFactory, BankFactory, BranchFactory, BankOfficerFactory, GuaranteeInstitutionFactory,
    GuarantorStaffFactory, ApiClientFactory, EnterpriseFactory, MembershipFactory, ConsentFactory, BatchFactory,
    IndicatorSystemFactory, LoanProductFactory, NoticeFactory,
]  # fmt: skip

BUILT_BY_THEIR_SERVICE = {
    "core.Region": "seeded reference data (core 0002)",
    "core.IndustrySection": "seeded reference data (core 0002)",
    "enterprises.Submission": "SubmissionFactory needs a batch: SubmissionFactory(batch=BatchFactory())",
    "enterprises.BatchField": "enterprises.batch_fields.batch_field_create (a batch's extra field; its rules)",
    "enterprises.SubmissionChange": "the filing services' trail (submission_save_draft, …)",
    "enterprises.SubmissionEvidence": "enterprises.services.evidence_add (stores the file)",
    "enterprises.ProfileAccessLog": "enterprises.services.profile_access_record (append-only)",
    "enterprises.EnterpriseNotice": "enterprises.notices.enterprise_notify / enterprises_notify (a registered kind)",
    "scoring.Indicator": "with its system: IndicatorSystemFactory copies national-v1's 18",
    "scoring.BatchScoring": "with its batch: BatchFactory (scoring.services.batch_create)",
    "scoring.ScoringRun": "scoring.services.scoring_run_create / scoring_run_execute",
    "scoring.Score": "a run's bulk COPY (scoring.persistence)",
    "scoring.Objection": "scoring.objections.objection_lodge (within the run's notice period)",
    "scoring.RunPeerDistribution": "a run's computation (scoring.services.scoring_run_execute), with its scores",
    "scoring.EngineInput": "database triggers on the filings and firms (scoring migration 0012), from any filing",
    "banks.Recommendation": "the push (banks.services.recommendation_list_push)",
    "banks.RecommendationList": "the push, with its list",
    "banks.FinancingNeed": "banks.financing.financing_need_post (the amount and validity rules)",
    "banks.FinancingApplication": "banks.financing.financing_apply (region and consent rules)",
    "banks.ApplicationStep": "with its application: banks.financing.financing_apply / financing_application_transition",
    "banks.ApplicationsVisit": "banks.financing.applications_visit_record (the officer opens the applications page)",
    "loans.LoanContract": "loans.services.loan_contract_create from a list row (banks/tests/api_fixtures.loan_on)",
    "loans.LoanWarning": "loans.services.loan_warnings_for_run / loan_warnings_for_vetoes (set-based)",
    "guarantees.GuaranteeContract": "guarantees.services.guarantee_contract_create (the plan's limits)",
    "guarantees.CompensationEvent": "guarantees.services.compensation_event_create",
}
OUR_APPS = ("core", "enterprises", "scoring", "banks", "loans", "guarantees")

pytestmark = pytest.mark.django_db


def test_every_model_has_a_factory_or_a_named_builder():
    covered = {f"{f._meta.model._meta.app_label}.{f._meta.model.__name__}" for f in FACTORIES}
    models = {f"{m._meta.app_label}.{m.__name__}" for app in OUR_APPS for m in apps.get_app_config(app).get_models()}
    assert models - covered - set(BUILT_BY_THEIR_SERVICE) == set()
    assert not covered & set(BUILT_BY_THEIR_SERVICE)
    assert set(BUILT_BY_THEIR_SERVICE) <= models  # no stale entry


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_each_factory_builds_a_valid_row(factory):
    row = factory()
    row.full_clean(exclude=["password"] if factory is UserFactory else None)
    assert type(row).objects.filter(pk=row.pk).exists()


def test_a_submission_factory_row_is_valid_in_a_batch():
    row = SubmissionFactory(batch=BatchFactory())
    row.full_clean()
