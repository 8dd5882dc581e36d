"""Browser test of the bureau's own round (Debian's Chromium through Playwright, against the live server): an
administrator creates a batch (a bad date first: the error names the field, nothing is saved), opens filing, firms
file, a national-v1 run is published, a trial run with national-v2 is started and watched to completion on the
embedded default's background thread and compared with the published run, and the trial's per-firm results are
searched, filtered and opened down to one firm's indicators — at 390 px too."""

import pytest

from tests.browser import ARTIFACTS, accept_dialogs, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "Bureau-pass-2025"


def test_an_admin_creates_a_batch_runs_a_trial_with_v2_and_reads_each_firms_result(page, live_server, settings):
    from core.models import BureauStaff, User
    from demo.services import demo_firms_create
    from enterprises.models import Batch
    from scoring.models import IndicatorSystem, Score, ScoringRun

    settings.SCORING_RUN_IN_THREAD = True  # the embedded default: no broker, the run goes to a background thread
    admin = User.objects.create_user("bureau-admin", password=PASSWORD)
    BureauStaff.objects.create(user=admin, bureau_name="科技部火炬中心", region_scope="", role="admin")
    v1, v2 = (IndicatorSystem.objects.get(code="national", version=version) for version in (1, 2))
    base = live_server.url
    accept_dialogs(page)  # data-confirm forms: the officer confirms

    sign_in(page, base, "bureau-admin", PASSWORD)

    # Create the batch: the filing closes before it opens first, which is refused with nothing saved.
    page.goto(f"{base}/bureau/batches/")
    submit(page, "#batch-create")
    for name, value in {"name": "2025年度创新积分", "year": "2025", "reference_date": "2025-12-31",
                        "opens_on": "2026-03-01", "closes_on": "2026-01-31", "notice_days": "5"}.items():  # fmt: skip
        page.fill(f"#batch-form [name={name}]", value)
    page.select_option("#batch-form select[name=system]", str(v1.pk))
    submit(page, "#batch-form button[type=submit]")
    assert "未保存" in page.inner_text("body") and not Batch.objects.exists()
    page.fill("#batch-form [name=closes_on]", "2026-04-30")
    submit(page, "#batch-form button[type=submit]")
    batch = Batch.objects.get(name="2025年度创新积分")
    assert page.inner_text("#batch-status") == "未开放"
    submit(page, "#batch-open")  # data-confirm: accepted
    assert page.inner_text("#batch-status") == "填报中"

    demo_firms_create(firms=150, seed=5, batch=batch)  # the firms file (imported and approved)

    # A run for publication with national-v1, published after the confirmation that states its consequence.
    from playwright.sync_api import expect

    page.reload()
    page.select_option("#run-start select[name=system]", str(v1.pk))
    page.select_option("#run-start select[name=trial]", "0")
    submit(page, "#run-start button[type=submit]")
    expect(page.locator("#run-state")).to_have_text("已计算", timeout=60_000)
    page.wait_for_selector("#run-publish", timeout=30_000)
    assert "发布不可撤回" in page.get_attribute("#run-publish", "data-confirm")
    submit(page, "#run-publish button[type=submit]")
    assert page.inner_text("#run-state") == "已发布"
    published = ScoringRun.objects.get(batch=batch, state="published")

    # A trial run with national-v2: the start returns at once, the run page follows it live to the end.
    page.goto(f"{base}/bureau/batches/{batch.pk}/")
    page.select_option("#run-start select[name=system]", str(v2.pk))
    page.select_option("#run-start select[name=trial]", "1")
    submit(page, "#run-start button[type=submit]")
    run = ScoringRun.objects.get(batch=batch, trial=True)
    assert page.url.endswith(f"/bureau/runs/{run.pk}/")
    expect(page.locator("#run-state")).to_have_text("已计算", timeout=60_000)  # polled, then the page reloads
    page.wait_for_selector("#run-results", timeout=30_000)
    assert "试算(不发布、不推送)" in page.inner_text("#run-purpose")
    assert page.locator("#run-publish").count() == 0  # a trial is never published
    run.refresh_from_db()
    assert (run.system, run.trial, run.enterprise_count) == (v2, True, 150)

    # Compared with the published v1 run: the figures agree with the stored scores.
    submit(page, "#run-compare")
    assert page.locator("#grade-migration tbody tr").count() == 5
    eligible = Score.objects.filter(run=published, eligible=True).count()
    assert page.inner_text("#eligible-base") == f"{eligible:,}"
    assert page.inner_text("#eligible-other") == f"{Score.objects.filter(run=run, eligible=True).count():,}"
    page.goto(f"{base}/bureau/runs/{run.pk}/")

    # Per-firm results: every firm, best first; filter, search, then one firm's indicators.
    submit(page, "#run-results")
    rows = page.locator("#results tbody tr")
    assert rows.count() == 50 and page.locator("#results-next").count() == 1
    best = Score.objects.filter(run=run).order_by("-total", "enterprise_id").select_related("enterprise").first()
    assert best.enterprise.name in rows.first.inner_text()
    page.select_option("#result-filters select[name=eligible]", "false")
    submit(page, "#result-filters button[type=submit]")
    assert all(rows.nth(i).locator("td").nth(10).inner_text() == "否" for i in range(rows.count()))
    page.select_option("#result-filters select[name=eligible]", "")
    page.fill("#result-filters input[name=q]", best.enterprise.credit_code[:14])
    submit(page, "#result-filters button[type=submit]")
    assert rows.count() == 1 and best.enterprise.credit_code in rows.first.inner_text()
    submit(page, f"#results a[href='/bureau/runs/{run.pk}/results/{best.enterprise_id}/']")
    assert page.inner_text("h1") == best.enterprise.name
    assert page.inner_text("#result-total") == str(best.total)
    assert page.locator("#result-indicators tbody tr").count() == len(run.indicator_codes)
    page.screenshot(path=str(ARTIFACTS / "bureau-result-detail.png"), full_page=True)

    # At 390 px the pages fit the screen: tables scroll inside themselves.
    page.set_viewport_size({"width": 390, "height": 844})
    for url in (f"/bureau/runs/{run.pk}/results/", f"/bureau/batches/{batch.pk}/", "/bureau/batches/new/"):
        page.goto(base + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
    page.goto(f"{base}/bureau/runs/{run.pk}/results/")
    page.screenshot(path=str(ARTIFACTS / "bureau-results-390.png"), full_page=True)
