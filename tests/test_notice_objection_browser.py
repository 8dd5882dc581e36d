"""Browser test of issue #13's "Done when", one chain (Debian's Chromium through Playwright, against the live server):
a bureau administrator creates a batch → reviews with plausibility flags → publishes a national-v1 run → runs a
trial with national-v2 → compares it with the published v1 run → publishes a national-v2 run with a notice period →
a firm sees 公示中 and objects (a missing reason first: refused, nothing saved) → the administrator accepts the
objection with a corrected value → the new run is published, the noticed one reads 已替代, the firm reads the
outcome. Screenshots at 1366 and 390 px."""

import pytest

from tests.browser import ARTIFACTS, PHONE, WIDE, accept_dialogs, new_tab, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "Bureau-pass-2025"


def login(tab, base, username):
    sign_in(tab, base, username, PASSWORD)


def run_to_computed(tab, expect, system_pk, trial: bool):
    tab.select_option("#run-start select[name=system]", str(system_pk))
    tab.select_option("#run-start select[name=trial]", "1" if trial else "0")
    submit(tab, "#run-start button[type=submit]")
    expect(tab.locator("#run-state")).to_have_text("已计算", timeout=90_000)
    tab.wait_for_selector("#run-results", timeout=30_000)


def publish(tab, notice_days: int):
    tab.fill("#run-publish input[name=notice_days]", str(notice_days))
    submit(tab, "#run-publish button[type=submit]")
    assert tab.inner_text("#run-state") == "已发布"


def test_a_round_from_batch_to_an_objection_accepted_and_published_again(page, live_server, settings):
    from playwright.sync_api import expect

    from core.models import BureauStaff, User
    from demo.services import demo_firms_create
    from enterprises.models import Batch, EnterpriseMembership, EnterpriseNotice, Submission, SubmissionChange
    from scoring.models import IndicatorSystem, Objection, Score, ScoringRun

    settings.SCORING_RUN_IN_THREAD = True  # the embedded default: runs on a background thread, pages poll
    admin = User.objects.create_user("bureau-admin", password=PASSWORD)
    BureauStaff.objects.create(user=admin, bureau_name="科技部火炬中心", region_scope="", role="admin")
    v1, v2 = (IndicatorSystem.objects.get(code="national", version=version) for version in (1, 2))
    base = live_server.url
    accept_dialogs(page)  # data-confirm forms: the administrator confirms
    page.set_viewport_size(WIDE)
    login(page, base, "bureau-admin")

    # Create the batch (5 working days of notice) and open filing.
    page.goto(f"{base}/bureau/batches/new/")
    for name, value in {"name": "2025年度创新积分", "year": "2025", "reference_date": "2025-12-31",
                        "opens_on": "2026-01-05", "closes_on": "2026-04-30", "notice_days": "5"}.items():  # fmt: skip
        page.fill(f"#batch-form [name={name}]", value)
    page.select_option("#batch-form select[name=system]", str(v1.pk))
    submit(page, "#batch-form button[type=submit]")
    batch = Batch.objects.get(name="2025年度创新积分")
    submit(page, "#batch-open")

    # Firms file; six filings await review, one of them with revenue 20× the year before (flagged).
    demo_firms_create(firms=150, seed=5, batch=batch)
    waiting = list(Submission.objects.filter(batch=batch).order_by("pk").values_list("pk", flat=True)[:6])
    Submission.objects.filter(pk__in=waiting).update(status="submitted", reviewer=None, reviewed_at=None)
    flagged = Submission.objects.get(pk=waiting[0])
    flagged.revenue_prev = 100
    flagged.revenue = 2500
    flagged.save()

    # Review with flags: the growth flag finds the one filing; approve it, then all that remain.
    page.goto(f"{base}/bureau/review/?batch={batch.pk}&status=submitted&flag=growth")
    assert "增长超过10倍" in page.inner_text("table tbody")
    assert flagged.enterprise.name in page.inner_text("table tbody")
    submit(page, "#approve-matching button[type=submit]")  # data-confirm states the count: accepted
    page.goto(f"{base}/bureau/review/?batch={batch.pk}&status=submitted")
    submit(page, "#approve-matching button[type=submit]")
    assert not Submission.objects.filter(batch=batch, status="submitted").exists()

    # The published national-v1 run (no notice: the comparison's baseline).
    page.goto(f"{base}/bureau/batches/{batch.pk}/")
    run_to_computed(page, expect, v1.pk, trial=False)
    publish(page, 0)
    published_v1 = ScoringRun.objects.get(batch=batch, state="published")
    assert published_v1.released_at is not None

    # A trial with national-v2, compared with the published v1 run.
    page.goto(f"{base}/bureau/batches/{batch.pk}/")
    run_to_computed(page, expect, v2.pk, trial=True)
    submit(page, "#run-compare")
    assert page.locator("#grade-migration tbody tr").count() == 5
    assert page.inner_text("#eligible-base") == f"{Score.objects.filter(run=published_v1, eligible=True).count():,}"

    # Adopt v2: a run for publication, published with the batch's notice period (the form's default).
    page.goto(f"{base}/bureau/batches/{batch.pk}/")
    run_to_computed(page, expect, v2.pk, trial=False)
    assert page.input_value("#run-publish input[name=notice_days]") == "5"
    publish(page, 5)
    noticed = ScoringRun.objects.get(batch=batch, state="published")
    assert noticed.system == v2 and noticed.notice_open and noticed.released_at is None
    assert "公示中" in page.inner_text("#run-notice") and "尚未推送银行" in page.inner_text("#run-notice")
    published_v1.refresh_from_db()
    assert published_v1.state_label == "已替代"

    # A firm sees its result 公示中 and objects: without a reason first (refused, nothing saved), then properly.
    rows = Score.objects.filter(run=noticed, eligible=True).select_related("enterprise")
    rows = rows.order_by("total", "enterprise_id")
    row = rows[rows.count() // 2]
    firm_user = User.objects.create_user("firm-finance", password=PASSWORD)
    EnterpriseMembership.objects.create(user=firm_user, enterprise=row.enterprise, role="admin")
    firm = new_tab(page.context.browser, viewport=WIDE)
    login(firm, base, "firm-finance")
    assert "公示中" in firm.inner_text("#home-notice")
    firm.goto(f"{base}/enterprise/report/")
    assert "公示中" in firm.inner_text("#report-notice")
    firm.screenshot(path=str(ARTIFACTS / "notice-report-1366.png"), full_page=True)
    submit(firm, "#report-object")
    firm.select_option("#objection-lodge select[name=subject]", "invention_patents")
    submit(firm, "#objection-submit")
    assert "请说明异议理由" in firm.inner_text("#objection-lodge") and not Objection.objects.exists()
    firm.select_option("#objection-lodge select[name=subject]", "invention_patents")
    firm.fill("#objection-lodge textarea[name=reason]", "本企业2025年新授权发明专利2项,填报时漏计。附授权证书。")
    proof = {"name": "专利证书.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 x"}
    firm.set_input_files("#objection-lodge input[name=file]", files=[proof])
    submit(firm, "#objection-submit")
    assert "待处理" in firm.inner_text("#objection-list")
    assert firm.locator("#objection-pending").count() == 1  # one pending objection per result: no second form
    objection = Objection.objects.get()
    assert (objection.enterprise, objection.run, objection.subject) == (row.enterprise, noticed, "invention_patents")
    firm.screenshot(path=str(ARTIFACTS / "objection-firm-1366.png"), full_page=True)
    firm.set_viewport_size(PHONE)
    firm.goto(f"{base}/enterprise/report/objections/")
    assert firm.evaluate("document.documentElement.scrollWidth") <= 390
    firm.screenshot(path=str(ARTIFACTS / "objection-firm-390.png"), full_page=True)

    # The administrator accepts it with the corrected value: the filing is corrected, a new v2 run starts.
    filing = Submission.objects.get(enterprise=row.enterprise, batch=batch)
    patents = filing.invention_patents
    page.goto(f"{base}/bureau/objections/")
    assert row.enterprise.name in page.inner_text("#objection-queue")
    page.screenshot(path=str(ARTIFACTS / "objection-queue-1366.png"), full_page=True)
    submit(page, f"#objection-queue a[href='/bureau/objections/{objection.pk}/']")
    page.check("#objection-decide input[name=decision][value=accept]")
    page.fill("#objection-decide [name=value]", str(patents + 2))
    page.fill("#objection-decide textarea[name=note]", "经核对授权证书,补记发明专利2项。")
    page.screenshot(path=str(ARTIFACTS / "objection-detail-1366.png"), full_page=True)
    submit(page, "#objection-decide-submit")
    filing.refresh_from_db()
    assert filing.invention_patents == patents + 2
    assert SubmissionChange.objects.filter(submission=filing, action="correct").exists()
    rerun = ScoringRun.objects.filter(batch=batch).order_by("-pk").first()
    assert rerun.system == v2 and not rerun.trial and page.url.endswith(f"/bureau/runs/{rerun.pk}/")
    expect(page.locator("#run-state")).to_have_text("已计算", timeout=90_000)
    page.wait_for_selector("#run-publish", timeout=30_000)
    publish(page, 0)
    noticed.refresh_from_db()
    assert noticed.state_label == "已替代"
    assert Score.objects.get(run=rerun, enterprise=row.enterprise).total >= row.total
    page.goto(f"{base}/bureau/runs/{noticed.pk}/")
    assert page.inner_text("#run-state") == "已替代"

    # The firm reads the outcome: accepted, with the bureau's note, and notified.
    firm.set_viewport_size(WIDE)
    firm.goto(f"{base}/enterprise/report/objections/")
    assert "已采纳" in firm.inner_text("#objection-list") and "补记发明专利2项" in firm.inner_text("#objection-list")
    assert EnterpriseNotice.objects.filter(enterprise=row.enterprise, kind="objection_accepted").exists()
    firm.goto(f"{base}/enterprise/notices/")
    assert "异议已被采纳" in firm.inner_text("main")

    # At 390 px the bureau's pages fit the screen.
    page.set_viewport_size(PHONE)
    for url in ("/bureau/objections/?status=", f"/bureau/objections/{objection.pk}/", f"/bureau/runs/{noticed.pk}/"):
        page.goto(base + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
    page.goto(f"{base}/bureau/objections/{objection.pk}/")
    page.screenshot(path=str(ARTIFACTS / "objection-detail-390.png"), full_page=True)
