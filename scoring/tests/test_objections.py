"""Public notice (公示) and objections (异议): the notice period in working days, objections only in it and only on
the firm's own result, the bureau's decision (correct + re-run, or reject) notified and audited, and the push to
banks held until the period ends."""

from datetime import date, timedelta
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from banks.models import Recommendation, RecommendationList
from banks.selectors import push_population_forget
from core.exceptions import ApplicationError
from enterprises.models import EnterpriseMembership, EnterpriseNotice, Submission, SubmissionChange
from scoring.choices import ObjectionStatus, RunState
from scoring.models import Objection, Score, ScoringRun
from scoring.notice import notice_end, runs_release_due
from scoring.objections import objection_accept, objection_lodge, objection_reject, objection_rerun
from scoring.selectors import filing_input_hash
from scoring.services import scoring_run_create, scoring_run_execute, scoring_run_publish
from tests.factories import BureauStaffFactory, UserFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4 objection evidence"


def test_a_notice_counts_working_days_after_the_day_of_publication():
    monday = date(2026, 12, 7)
    assert notice_end(monday, 5) == date(2026, 12, 14)  # Tue Wed Thu Fri, then Monday
    assert notice_end(date(2026, 12, 11), 1) == date(2026, 12, 14)  # published on a Friday: Monday
    assert notice_end(date(2026, 12, 12), 1) == date(2026, 12, 14)  # on a Saturday: Monday too
    assert notice_end(monday, 0) is None


def _computed(batch):
    run = scoring_run_create(batch=batch, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


@pytest.fixture
def noticed(population, icbc, cmb, django_capture_on_commit_callbacks):
    """A run published with 5 working days of notice (the push hooks run on commit, as in production)."""
    push_population_forget()
    run = _computed(population)
    with django_capture_on_commit_callbacks(execute=True):
        run = scoring_run_publish(run=run, notice_days=5)
    yield run
    push_population_forget()


@pytest.fixture
def firm(noticed):
    row = Score.objects.filter(run=noticed).select_related("enterprise").order_by("enterprise_id").first()
    user = UserFactory()
    EnterpriseMembership.objects.create(user=user, enterprise=row.enterprise, role="admin")
    return row.enterprise, user


@pytest.fixture
def officer():
    return BureauStaffFactory(region_scope="", role="admin").user


def test_no_bank_sees_the_list_during_the_notice_and_every_bank_does_after_it(
    noticed, icbc, django_capture_on_commit_callbacks
):
    assert noticed.notice_open and noticed.released_at is None
    assert not RecommendationList.objects.filter(run=noticed).exists()
    assert not Recommendation.objects.filter(run=noticed).exists()
    assert runs_release_due(today=noticed.notice_ends_on) == []  # the last day still belongs to the notice
    with django_capture_on_commit_callbacks(execute=True):
        call_command("push_due_lists", stdout=StringIO())  # today is inside the period: nothing
    assert not RecommendationList.objects.filter(run=noticed).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert runs_release_due(today=noticed.notice_ends_on + timedelta(days=1)) == [noticed.pk]
    assert set(RecommendationList.objects.filter(run=noticed).values_list("bank__code", flat=True)) == {"icbc", "cmb"}
    assert Recommendation.objects.filter(run=noticed, bank=icbc).exists()
    noticed.refresh_from_db()
    assert noticed.released_at is not None
    assert runs_release_due(today=noticed.notice_ends_on + timedelta(days=2)) == []  # released once


def test_a_batch_that_pushes_during_the_notice_pushes_at_publication(
    population, icbc, django_capture_on_commit_callbacks
):
    population.push_during_notice = True
    population.save()
    run = _computed(population)
    with django_capture_on_commit_callbacks(execute=True):
        run = scoring_run_publish(run=run, notice_days=5)
    assert run.notice_open and run.released_at is not None
    assert RecommendationList.objects.filter(run=run, bank=icbc).exists()


def test_the_bank_api_reads_no_score_of_a_run_in_its_notice(noticed, icbc):
    from core.actors import Actor
    from scoring.api.scoping import published_run_for

    bank = Actor("bank", "", bank_id=icbc.pk)
    assert published_run_for(bank, noticed.batch_id) is None
    assert published_run_for(Actor("bureau", ""), noticed.batch_id).pk == noticed.pk


def test_a_firm_objects_to_its_own_result_with_evidence(firm, noticed):
    enterprise, user = firm
    upload = SimpleUploadedFile("proof.pdf", PDF, content_type="application/pdf")
    objection = objection_lodge(run=noticed, enterprise=enterprise, user=user, subject="invention_patents",
                                reason="专利数漏计 2 项", upload=upload)  # fmt: skip
    assert objection.status == ObjectionStatus.PENDING
    assert objection.evidence.submission.enterprise_id == enterprise.pk
    assert LogEntry.objects.get_for_object(objection).exists()


@pytest.mark.parametrize(
    "subject, reason, field",
    [("invention_patents", "  ", "reason"), ("no-such-field", "理由", "subject")],
)
def test_an_objection_without_a_reason_or_subject_names_the_field_and_saves_nothing(firm, noticed, subject, reason,
                                                                                  field):  # fmt: skip
    from django.core.exceptions import ValidationError

    enterprise, user = firm
    with pytest.raises(ValidationError) as error:
        objection_lodge(run=noticed, enterprise=enterprise, user=user, subject=subject, reason=reason)
    assert field in error.value.message_dict
    assert not Objection.objects.exists()


def test_an_objection_outside_the_notice_or_on_another_firms_result_is_refused(firm, noticed):
    enterprise, user = firm
    other = Score.objects.filter(run=noticed).exclude(enterprise=enterprise).first().enterprise
    with pytest.raises(ApplicationError, match="只能对本企业"):
        objection_lodge(run=noticed, enterprise=other, user=user, subject="total", reason="x")
    ScoringRun.objects.filter(pk=noticed.pk).update(notice_ends_on=timezone.localdate() - timedelta(days=2))
    noticed.refresh_from_db()
    with pytest.raises(ApplicationError, match="公示期已于"):
        objection_lodge(run=noticed, enterprise=enterprise, user=user, subject="total", reason="x")
    assert not Objection.objects.exists()


def test_the_firms_page_refuses_a_late_objection_with_its_reason(client, firm, noticed):
    enterprise, user = firm
    ScoringRun.objects.filter(pk=noticed.pk).update(notice_ends_on=timezone.localdate() - timedelta(days=1))
    client.force_login(user)
    page = client.post(reverse("report:objections"), {"run": noticed.pk, "subject": "total", "reason": "x"})
    assert page.status_code == 400
    assert "公示期已于" in page.content.decode()
    assert not Objection.objects.exists()


def test_accepting_corrects_the_filing_makes_a_new_run_and_tells_the_firm(
    firm, noticed, officer, django_capture_on_commit_callbacks
):
    enterprise, user = firm
    filing = Submission.objects.get(enterprise=enterprise, batch=noticed.batch)
    before = filing.invention_patents
    objection = objection_lodge(run=noticed, enterprise=enterprise, user=user, subject="invention_patents",
                                reason="漏计")  # fmt: skip
    objection_accept(objection=objection, user=officer, note="核实后更正", values={"invention_patents": before + 2})
    filing.refresh_from_db()
    assert filing.invention_patents == before + 2
    change = SubmissionChange.objects.get(submission=filing, action=SubmissionChange.Action.CORRECT)
    assert change.diff == {"invention_patents": [before, before + 2]} and change.user == officer
    notice = EnterpriseNotice.objects.get(enterprise=enterprise)
    assert notice.kind == "objection_accepted" and notice.params["note"] == "核实后更正"

    rerun = objection_rerun(objection=objection, user=officer)
    scoring_run_execute(run_id=rerun.pk)
    rerun.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        scoring_run_publish(run=rerun, user=officer)
    noticed.refresh_from_db()
    assert noticed.state_label == "已替代"
    new_score, old_score = (Score.objects.get(run=run, enterprise=enterprise) for run in (rerun, noticed))
    # The new run scored the corrected filing (its input hash is the filing's now), not the one under notice.
    assert new_score.input_hash == filing_input_hash(batch=noticed.batch, enterprise_id=enterprise.pk)
    assert new_score.input_hash != old_score.input_hash and new_score.total >= old_score.total
    objection.refresh_from_db()
    assert objection.rerun == rerun and objection.status == ObjectionStatus.ACCEPTED
    later = timezone.localdate() + timedelta(days=30)
    assert runs_release_due(today=later) == []  # the replaced run never reaches banks


def test_rejecting_needs_a_reason_and_the_firm_reads_it(firm, noticed, officer):
    from django.core.exceptions import ValidationError

    enterprise, user = firm
    objection = objection_lodge(run=noticed, enterprise=enterprise, user=user, subject="total", reason="排名有误")
    with pytest.raises(ValidationError):
        objection_reject(objection=objection, user=officer, note=" ")
    objection_reject(objection=objection, user=officer, note="计算无误")
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.REJECTED
    assert EnterpriseNotice.objects.get(enterprise=enterprise).kind == "objection_rejected"
    with pytest.raises(ApplicationError, match="已处理"):
        objection_accept(objection=objection, user=officer, note="x")


def test_a_bureau_outside_the_firms_region_cannot_see_or_decide(firm, noticed, client):
    enterprise, user = firm
    objection = objection_lodge(run=noticed, enterprise=enterprise, user=user, subject="total", reason="x")
    elsewhere = "11" if not enterprise.region_code.startswith("11") else "12"
    stranger = BureauStaffFactory(region_scope=elsewhere).user
    with pytest.raises(ApplicationError):
        objection_reject(objection=objection, user=stranger, note="no")
    client.force_login(stranger)
    assert client.get(reverse("scoring:objection-detail", args=[objection.pk])).status_code == 404


def test_a_page_ends_a_due_notice_without_celery_beat(noticed, icbc, client, django_capture_on_commit_callbacks):
    ScoringRun.objects.filter(pk=noticed.pk).update(notice_ends_on=timezone.localdate() - timedelta(days=1))
    cache.delete("scoring:release-due-check")
    client.force_login(UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("home"))
    assert RecommendationList.objects.filter(run=noticed, bank=icbc).exists()
    assert ScoringRun.objects.get(pk=noticed.pk).state == RunState.PUBLISHED
