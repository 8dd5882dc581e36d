"""Post-loan warnings (贷后预警): a newer published run or an imported veto flag warns every bank with an outstanding
loan to the firm — set-based, once per kind — on the watch list, in the app, by e-mail and through the API; an
officer acknowledges a warning once, with a note."""

import pytest
from django.core import mail
from django.urls import reverse

from banks.models import Notice, Recommendation
from banks.tests.api_fixtures import approved_recommendation, loan_on, token_client
from banks.tests.fixtures import publish_new_run
from core.exceptions import ApplicationError
from enterprises.models import Consent, Submission
from enterprises.services import submission_import
from loans.models import LoanWarning, RepaymentStatus
from loans.services import loan_warning_acknowledge, loan_warnings_for_run, loan_warnings_for_vetoes
from scoring.models import Score
from tests.factories import BureauStaffFactory

WEAK = dict.fromkeys(
    ("rd_expense", "rd_expense_prev", "invention_patents", "tech_contract_turnover", "high_tech_revenue",
     "vc_investment", "standards", "rd_staff", "graduates_hired", "rd_platform_level", "sci_projects"),
    0,
)  # fmt: skip


@pytest.fixture
def loans(pushed, icbc, cmb, icbc_officer, cmb_officer):
    """ICBC lends to two Guangdong firms (one will weaken, one will withdraw consent), and a third loan is settled;
    CMB lends to a fourth firm."""

    def guangdong():
        return approved_recommendation(icbc_officer, icbc, status="new", region_code__startswith="44")

    weak = loan_on(guangdong(), icbc_officer, mode="credit")
    leaves = loan_on(guangdong(), icbc_officer, mode="credit")
    settled = loan_on(approved_recommendation(icbc_officer, icbc, status="new"), icbc_officer, mode="credit")
    settled.repayment_status = RepaymentStatus.SETTLED
    settled.save()
    lent = [weak.enterprise_id, leaves.enterprise_id, settled.enterprise_id]
    free = Recommendation.objects.filter(bank=cmb, superseded=False, status="new").exclude(enterprise_id__in=lent)
    other = loan_on(approved_recommendation(cmb_officer, cmb, pk=free.order_by("list_rank")[0].pk), cmb_officer,
                    mode="credit")  # fmt: skip
    return weak, leaves, settled, other


def kinds(loan) -> set[str]:
    return set(LoanWarning.objects.filter(loan=loan).values_list("kind", flat=True))


def test_a_newer_run_warns_the_lender_of_each_firm_it_scores_lower(
    pushed, population, loans, icbc_officer, django_capture_on_commit_callbacks
):
    weak, leaves, settled, other = loans
    Submission.objects.filter(enterprise_id=weak.enterprise_id, batch=population).update(**WEAK)
    Consent.objects.filter(enterprise_id=leaves.enterprise_id).delete()
    Submission.objects.filter(enterprise_id=settled.enterprise_id, batch=population).update(**WEAK)
    newer = publish_new_run(population)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        written = loan_warnings_for_run(run=newer)

    new_score = Score.objects.get(run=newer, enterprise_id=weak.enterprise_id)
    basis = weak.recommendation
    assert new_score.total <= basis.total - 10 and new_score.grade > basis.grade  # the data made it so
    assert kinds(weak) == {"grade_dropped", "total_fell", "left_list"}
    assert "left_list" in kinds(leaves) and "total_fell" not in kinds(leaves)
    assert kinds(settled) == set() and kinds(other) == set()  # settled: nothing to watch; CMB's firm unchanged
    assert written == LoanWarning.objects.count()
    warning = LoanWarning.objects.get(loan=weak, kind="grade_dropped")
    assert (warning.previous_grade, warning.grade, warning.previous_total, warning.total, warning.run) == (
        basis.grade, new_score.grade, basis.total, new_score.total, newer)  # fmt: skip
    assert "below_threshold" in warning.reasons
    left = LoanWarning.objects.get(loan=leaves, kind="left_list")
    assert left.reason_labels == ["未授权共享数据"]
    # in the app and by e-mail, to the lending bank's officers only
    assert Notice.objects.filter(user=icbc_officer, url=reverse("loans:warnings")).exists()
    assert not Notice.objects.filter(url=reverse("loans:warnings")).exclude(user__bank_officer__bank__code="icbc")
    assert any(icbc_officer.email in m.to for m in mail.outbox)
    # once per kind and run: a duplicate delivery writes nothing
    assert loan_warnings_for_run(run=newer) == 0


def test_publication_reaches_the_warnings_through_the_signal(
    pushed, population, loans, django_capture_on_commit_callbacks
):
    weak = loans[0]
    Submission.objects.filter(enterprise_id=weak.enterprise_id, batch=population).update(**WEAK)
    with django_capture_on_commit_callbacks(execute=True):
        publish_new_run(population)
    assert "total_fell" in kinds(weak)


def test_the_run_a_loan_was_signed_on_warns_nobody(pushed, loans):
    assert loan_warnings_for_run(run=pushed) == 0


def test_an_imported_veto_flag_warns_the_lender_once(pushed, population, loans, django_capture_on_commit_callbacks):
    weak, leaves, settled, other = loans
    staff = BureauStaffFactory(region_scope="").user
    csv = f"credit_code,dishonest_debtor,tax_credit_d\n{other.enterprise.credit_code},1,1\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        report = submission_import(user=staff, batch=population, data=csv, filename="veto.csv", dry_run=False)
    assert report.committed, report.errors
    warning = LoanWarning.objects.get(loan=other)
    assert (warning.kind, warning.reasons.split()) == ("veto", ["veto_dishonest", "veto_tax_d"])
    assert warning.reason_labels == ["失信被执行人", "纳税信用D级"]
    assert LoanWarning.objects.count() == 1
    assert loan_warnings_for_vetoes(batch=population) == 0  # the same flag again: no second warning
    newer = publish_new_run(population)
    loan_warnings_for_run(run=newer)
    assert LoanWarning.objects.filter(loan=other, kind="veto").count() == 1  # the run does not repeat it


def test_an_officer_acknowledges_a_warning_once_and_only_their_banks(pushed, population, loans, icbc_officer,
                                                                      cmb_officer):  # fmt: skip
    weak = loans[0]
    Submission.objects.filter(enterprise_id=weak.enterprise_id, batch=population).update(**WEAK)
    loan_warnings_for_run(run=publish_new_run(population))
    warning = LoanWarning.objects.filter(loan=weak).first()
    with pytest.raises(ApplicationError, match="不存在"):
        loan_warning_acknowledge(warning=warning, user=cmb_officer, note="看看")
    with pytest.raises(Exception, match="处理说明"):
        loan_warning_acknowledge(warning=warning, user=icbc_officer, note="  ")
    loan_warning_acknowledge(warning=warning, user=icbc_officer, note="已电话核实经营情况")
    with pytest.raises(ApplicationError, match="不能重复确认") as refused:
        loan_warning_acknowledge(warning=warning, user=icbc_officer, note="再来一次")
    assert "icbc-head" in refused.value.message
    warning.refresh_from_db()
    assert (warning.note, warning.acknowledged_by) == ("已电话核实经营情况", icbc_officer)


def test_the_watch_list_page_shows_the_banks_warnings_and_acknowledges(client, pushed, population, loans,
                                                                       icbc_officer, cmb_officer):  # fmt: skip
    weak, other = loans[0], loans[3]
    Submission.objects.filter(enterprise_id__in=[weak.enterprise_id, other.enterprise_id], batch=population).update(
        **WEAK
    )
    loan_warnings_for_run(run=publish_new_run(population))
    client.force_login(icbc_officer)
    page = client.get(reverse("loans:warnings")).content.decode()
    assert weak.contract_no in page and other.contract_no not in page
    warning = LoanWarning.objects.filter(loan=weak).first()
    url = reverse("loans:warning-acknowledge", args=[warning.pk])
    response = client.post(url, {"note": "已上门检查"}, follow=True)
    assert "预警已确认" in response.content.decode()
    again = client.post(url, {"note": "再次"}, follow=True).content.decode()
    assert "不能重复确认" in again
    assert LoanWarning.objects.get(pk=warning.pk).note == "已上门检查"
    client.force_login(cmb_officer)
    assert client.post(url, {"note": "x"}).status_code == 404


def test_the_api_lists_and_acknowledges_the_banks_warnings(pushed, population, loans, icbc, cmb):
    weak, other = loans[0], loans[3]
    Submission.objects.filter(enterprise_id__in=[weak.enterprise_id, other.enterprise_id], batch=population).update(
        **WEAK
    )
    loan_warnings_for_run(run=publish_new_run(population))
    client = token_client(scopes=["loans:write"], bank=icbc)
    listed = client.get(reverse("api:loan-warning-list"), {"open": "true"}).json()["results"]
    assert {w["loan"] for w in listed} == {weak.pk}
    assert {w["kind"] for w in listed} >= {"total_fell"}
    first = listed[0]["id"]
    url = reverse("api:loan-warning-acknowledge", args=[first])
    ok = client.post(url, {"note": "已核实"}, format="json")
    assert ok.status_code == 200 and ok.json()["note"] == "已核实" and ok.json()["acknowledged_at"]
    again = client.post(url, {"note": "又一次"}, format="json")
    assert again.status_code == 400 and "不能重复确认" in again.json()["fields"]["non_field_errors"][0]
    assert client.post(url, {}, format="json").json()["fields"].keys() == {"note"}
    foreign = LoanWarning.objects.filter(loan=other).first()
    cmb_client = token_client(scopes=["loans:write"], bank=cmb)
    assert cmb_client.post(url, {"note": "x"}, format="json").status_code == 404
    assert client.get(reverse("api:loan-warning-detail", args=[foreign.pk])).status_code == 404
    scoreless = token_client(scopes=["scores:read"], bank=icbc)
    denied = scoreless.get(reverse("api:loan-warning-list"))
    assert denied.status_code == 403
    assert LoanWarning.objects.filter(pk=first, note="已核实").exists()
    assert not LoanWarning.objects.filter(acknowledged_at__isnull=False).exclude(pk=first).exists()
