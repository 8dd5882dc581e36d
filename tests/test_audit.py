"""The audit trail (core/audit.py, django-auditlog): who changed filings, systems, runs, loans and guarantees.

Each change made through a service or a page leaves a LogEntry with its actor and the changed fields; bulk paths
(demo generation, the scores COPY, the push, the import) leave one entry per operation, never one per row.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from banks.tests.fixtures import approved_recommendation, publish_new_run
from core.audit import acting_as, audit_entries_of
from core.models import GuaranteeInstitution, GuarantorStaff
from demo.services import demo_firms_create
from enterprises.models import Submission
from enterprises.services import (
    submission_bulk_approve,
    submission_get_or_create,
    submission_import,
    submission_save_draft,
    submission_submit,
)
from enterprises.tests import import_files
from enterprises.tests.factories import GOOD_FILING, EnterpriseFactory, MembershipFactory, valid_credit_code
from guarantees.services import compensation_event_create, guarantee_contract_create
from loans.models import LoanContract
from loans.services import loan_contract_create, loan_repayment_update
from scoring.indicator_systems import indicator_system_clone
from scoring.models import BatchScoring, Indicator, IndicatorSystem, ScoringRun
from scoring.services import scoring_run_cancel, scoring_run_create, scoring_run_execute, scoring_run_publish
from tests.factories import BureauStaffFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


def entries(model) -> "list[LogEntry]":
    return list(LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model)).order_by("pk"))


def state_changes(run) -> list[tuple[str | None, str]]:
    return [tuple(e.changes_dict["state"]) for e in audit_entries_of(run).order_by("pk") if "state" in e.changes_dict]


# --- Filings ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def firm_user(batch):
    return MembershipFactory(enterprise=EnterpriseFactory(region_code="440305")).user


def test_a_draft_saved_through_the_service_names_the_actor_and_the_changed_fields(batch, firm_user):
    firm = firm_user.memberships.get().enterprise
    with acting_as(firm_user):
        submission = submission_get_or_create(enterprise=firm, batch=batch)
        submission_save_draft(submission=submission, user=firm_user, data={"revenue": "5000", "employees": "80"})
    created, updated = audit_entries_of(submission).order_by("pk")
    assert created.action == LogEntry.Action.CREATE and created.actor == firm_user
    # a new object's entry lists its own fields only: no id, no timestamps, no reverse relations
    concrete = {field.name for field in Submission._meta.concrete_fields} - {"id", "created_at", "updated_at"}
    assert "enterprise" in created.changes_dict and set(created.changes_dict) <= concrete
    assert updated.action == LogEntry.Action.UPDATE and updated.actor == firm_user
    assert set(updated.changes_dict) == {"revenue", "employees"}
    assert updated.changes_dict["revenue"][1] == "5000" and updated.changes_dict["employees"] == ["0", "80"]


def test_the_filing_page_records_the_signed_in_person_without_being_told(client, batch, firm_user):
    client.force_login(firm_user)
    response = client.post(reverse("enterprises:filing"), {"action": "draft", **GOOD_FILING}, REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 302
    submission = Submission.objects.get(enterprise__memberships__user=firm_user)
    latest = audit_entries_of(submission).first()
    assert latest.actor == firm_user and latest.remote_addr == "10.9.8.7"
    assert latest.changes_dict["invention_patents"] == ["0", "3"]


def test_submission_and_bulk_approval_are_recorded_per_filing_with_the_reviewer(batch, firm_user):
    firm = firm_user.memberships.get().enterprise
    reviewer = BureauStaffFactory(region_scope="44").user
    submission = submission_get_or_create(enterprise=firm, batch=batch)
    with acting_as(firm_user):
        submission_submit(submission=submission, user=firm_user, data=GOOD_FILING)
    assert audit_entries_of(submission).first().changes_dict["status"] == ["draft", "submitted"]
    assert submission_bulk_approve(user=reviewer, submission_ids=[submission.pk]) == 1
    approval = audit_entries_of(submission).first()
    assert approval.actor == reviewer and approval.changes_dict == {"status": ["submitted", "approved"]}


def test_an_import_writes_one_entry_for_the_whole_file_and_none_per_row(tmp_path, batch):
    codes = [valid_credit_code(7001 + i) for i in range(3)]
    for code in codes:
        EnterpriseFactory(credit_code=code, region_code="440305")
    folder = import_files.build(tmp_path, codes)
    officer = BureauStaffFactory(region_scope="44").user
    report = submission_import(user=officer, batch=batch, data=(folder / "good.xlsx").read_bytes(),
                               filename="good.xlsx", dry_run=False)  # fmt: skip
    assert report.committed and Submission.objects.filter(batch=batch).count() == 2
    assert entries(Submission) == []
    entry, created = audit_entries_of(batch)
    assert created.action == LogEntry.Action.CREATE  # the batch itself
    assert entry.actor == officer and entry.changes_dict == {"import": ["None", "good.xlsx"]}
    assert entry.additional_data == {"source": "imported", "rows": 2, "inserted": 2, "updated": 0}


# --- Indicator systems --------------------------------------------------------------------------------------------


def test_cloning_a_system_and_editing_an_indicator_are_recorded(db):
    staff = BureauStaffFactory(region_scope="").user
    source = IndicatorSystem.objects.get(code="national", version=1)
    with acting_as(staff):
        clone = indicator_system_clone(source=source, code="guangdong", name="广东体系", user=staff)
        indicator = clone.indicators.order_by("order").first()
        indicator.weight_growth = 7.5
        indicator.save()
    (created,) = audit_entries_of(clone)
    assert created.action == LogEntry.Action.CREATE and created.actor == staff
    assert created.changes_dict["parent"] == ["None", str(source.pk)]
    (edit,) = audit_entries_of(indicator)
    assert edit.actor == staff and edit.changes_dict["weight_growth"][1] == "7.5"
    # the clone's indicators were bulk-created: no entry per indicator
    assert [e for e in entries(Indicator) if e.action == LogEntry.Action.CREATE] == []


# --- Scoring runs -------------------------------------------------------------------------------------------------


def test_a_run_records_each_state_change_with_who_decided_and_no_progress_noise(batch):
    before = LogEntry.objects.count()
    demo_firms_create(firms=200, seed=3, batch=batch)
    assert LogEntry.objects.count() == before  # 200 firms and filings written with COPY: no per-row entries
    staff = BureauStaffFactory(region_scope="").user
    with acting_as(staff):
        run = scoring_run_create(batch=batch, user=staff, enqueue=False)
    scoring_run_execute(run_id=run.pk)  # the worker's steps: no actor
    run.refresh_from_db()
    with acting_as(staff):  # what the request does for the publish button
        scoring_run_publish(run=run, user=staff)

    assert state_changes(run) == [
        ("None", "queued"),
        ("queued", "loading"),
        ("loading", "scoring"),
        ("scoring", "persisting"),
        ("persisting", "computed"),
        ("computed", "published"),
    ]
    log = list(audit_entries_of(run).order_by("pk"))
    assert [e.actor for e in log] == [staff, None, None, None, None, staff]
    noise = {"progress", "heartbeat_at", "timings", "counts", "started_at", "finished_at", "enterprise_count"}
    assert not any(noise & set(e.changes_dict) for e in log)

    with acting_as(staff):
        second = publish_new_run(batch, user=staff)
    demoted = audit_entries_of(run).first()
    assert demoted.actor == staff and demoted.changes_dict == {"state": ["published", "computed"]}
    assert state_changes(second)[-1] == ("computed", "published")
    batch_entry = audit_entries_of(BatchScoring.objects.get(pk=batch.pk)).first()
    assert batch_entry.changes_dict["published_run"] == [str(run.pk), str(second.pk)]


def test_cancelling_a_run_records_who_cancelled_it(batch):
    demo_firms_create(firms=50, seed=4, batch=batch)
    staff = BureauStaffFactory(region_scope="").user
    run = scoring_run_create(batch=batch, user=staff, enqueue=False)
    scoring_run_cancel(run=run, user=staff)
    last = audit_entries_of(run).first()
    assert last.actor == staff and last.changes_dict == {"state": ["queued", "cancelled"]}
    assert ScoringRun.objects.get(pk=run.pk).state == "cancelled"


# --- Loans, guarantees, compensations ------------------------------------------------------------------------------


def test_a_loan_its_guarantee_and_a_compensation_are_recorded_with_their_actors(pushed, icbc, icbc_officer):
    from banks.models import LoanProduct

    rec = approved_recommendation(icbc_officer, icbc)
    product = LoanProduct.objects.get(pk=rec.product_ids[0])
    with acting_as(icbc_officer):
        loan = loan_contract_create(recommendation=rec, user=icbc_officer, product=product, amount=D(100), rate=D(3),
                                    term_months=6, signed_on=date.today() - timedelta(days=10),
                                    guarantee_mode="special_plan")  # fmt: skip
        local = GuaranteeInstitution.objects.create(name="某市担保", kind="local", region_scope="44")
        provincial = GuaranteeInstitution.objects.create(name="某省再担保", kind="provincial", region_scope="44")
        guarantee = guarantee_contract_create(
            loan=loan, user=icbc_officer, guarantor=local, reguarantor=provincial, amount=D(100), bank_share=D(20),
            national_fund_share=D(30), provincial_share=D(25), local_share=D(25), guarantee_fee_rate=D(1),
            reguarantee_fee_rate=D("0.3"), signed_on=date.today() - timedelta(days=10),
        )  # fmt: skip
        loan_repayment_update(loan=loan, user=icbc_officer, status="overdue")
    staff = UserFactory(username="guarantor-staff")
    GuarantorStaff.objects.create(user=staff, institution=local)
    with acting_as(staff):
        event = compensation_event_create(guarantee=guarantee, user=staff, amount=D(40), occurred_on=date.today())

    loan_log = list(audit_entries_of(loan).order_by("pk"))
    assert [e.action for e in loan_log] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.UPDATE]
    assert loan_log[0].actor == icbc_officer and loan_log[0].changes_dict["amount"][1] == "100"
    assert loan_log[1].changes_dict == {"repayment_status": ["normal", "overdue"]}
    assert loan_log[2].actor == staff and loan_log[2].changes_dict == {"repayment_status": ["overdue", "default"]}
    assert LoanContract.objects.get(pk=loan.pk).repayment_status == "default"
    (guarantee_created,) = audit_entries_of(guarantee)
    assert guarantee_created.actor == icbc_officer
    (event_created,) = audit_entries_of(event)
    assert event_created.actor == staff and event_created.changes_dict["amount"][1] == "40"


def test_the_push_and_the_scores_copy_write_no_entry_per_row(pushed):
    from banks.models import Recommendation

    assert Recommendation.objects.filter(run=pushed).exists()
    per_run = {e.object_pk for e in entries(ScoringRun)}
    assert per_run == {str(pushed.pk)}
    assert len(entries(ScoringRun)) == 6  # the six state changes of one run, whatever its size


# --- Reading it ---------------------------------------------------------------------------------------------------


def test_the_admin_shows_the_trail_read_only(client, batch, firm_user):
    firm = firm_user.memberships.get().enterprise
    with acting_as(firm_user):
        submission = submission_get_or_create(enterprise=firm, batch=batch)
    entry = audit_entries_of(submission).get()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get("/admin/auditlog/logentry/").status_code == 200
    assert client.get(f"/admin/auditlog/logentry/{entry.pk}/change/").status_code == 200
    assert client.get(f"/admin/auditlog/logentry/{entry.pk}/delete/").status_code == 403
    assert client.post(f"/admin/auditlog/logentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/auditlog/logentry/add/").status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()
    # staff without the view permission (a bureau officer given admin access) cannot read it
    client.force_login(UserFactory(username="staff-only", is_staff=True))
    assert client.get("/admin/auditlog/logentry/").status_code == 403
