"""Browser test of the weight sandbox (Debian's Chromium through Playwright, against the live server): a bureau
administrator opens the demo's draft local system, changes one weight and sees the running stage total and the
warning naming the stage, balances it again, previews the draft on the demo batch and reads the draft's funnel
beside the published run's, and the comparison below — nothing saved — at 1366 px and at 390 px."""

import pytest

from tests.browser import ARTIFACTS, new_tab, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "Bureau-pass-2025"


@pytest.fixture
def demo_world(db):
    """The demo's batch with 300 firms, its national-v1 run published, and the demo's draft local system."""
    from core.models import BureauStaff, User
    from demo.services import demo_batch_get_or_create, demo_draft_system, demo_firms_create
    from scoring.models import ScoringRun
    from scoring.sandbox import sandbox_cache_clear
    from scoring.services import scoring_run_create, scoring_run_execute, scoring_run_publish

    sandbox_cache_clear()
    batch = demo_batch_get_or_create()
    demo_firms_create(firms=300, seed=5, batch=batch)
    run = scoring_run_create(batch=batch, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    published = scoring_run_publish(run=ScoringRun.objects.get(pk=run.pk))
    admin = User.objects.create_user("sandbox-admin", password=PASSWORD)
    BureauStaff.objects.create(user=admin, bureau_name="科技部火炬中心", region_scope="", role="admin")
    return batch, published, demo_draft_system()


def _weight_input(page, code: str, stage: str) -> str:
    """The selector of indicator ``code``'s weight input for ``stage`` in the editor's table."""
    prefix = page.eval_on_selector(f'#indicator-table input[name$="-code"][value="{code}"]',
                                   "node => node.name.replace(/-code$/, '')")  # fmt: skip
    return f'#indicator-table input[name="{prefix}-weight_{stage}"]'


@pytest.mark.parametrize("width", [1366, 390])
def test_an_admin_edits_a_weight_sees_the_stage_warning_and_previews_the_draft(browser, live_server, demo_world, width):
    batch, published, draft = demo_world
    page = new_tab(browser, viewport={"width": width, "height": 900})
    base = live_server.url
    sign_in(page, base, "sandbox-admin", PASSWORD)

    page.goto(f"{base}/bureau/systems/{draft.pk}/edit/")
    assert page.is_hidden("#weight-warning")  # the demo's draft balances in every stage
    assert page.inner_text('#weight-totals [data-stage="growth"] b') == "100"
    indicators = list(draft.indicators.filter(is_bonus=False).order_by("order"))
    first, second = indicators[0], indicators[1]
    growth_first = _weight_input(page, first.code, "growth")
    page.fill(growth_first, f"{first.weight_growth + 4:g}")
    assert page.inner_text('#weight-totals [data-stage="growth"] b') == "104"
    warning = page.inner_text("#weight-warning")
    assert "成长期(104)" in warning and "初创期" not in warning and "稳定期" not in warning
    page.eval_on_selector("#weight-totals", "node => node.scrollIntoView()")
    page.screenshot(path=str(ARTIFACTS / f"sandbox-warning-{width}.png"))

    # Balanced again (four points taken from the second indicator), then previewed on the demo batch.
    page.fill(_weight_input(page, second.code, "growth"), f"{second.weight_growth - 4:g}")
    assert page.is_hidden("#weight-warning")
    page.select_option("#sandbox select[name=batch]", str(batch.pk))
    with page.expect_navigation():
        page.click("#preview-button")
    assert page.is_visible("#preview-funnel"), page.inner_text("main")[:3000]
    header = page.inner_text("#preview-funnel thead")
    assert "已发布" in header and f"#{published.pk} national-v1" in header and f"草稿\n{draft.key}" in header
    assert page.inner_text("#funnel-published").replace(",", "") == str(published.counts["eligible"])
    assert page.inner_text("#funnel-draft").replace(",", "").isdigit()
    assert page.is_visible("#grade-migration") and page.is_visible("#preview-provinces")
    assert page.input_value(growth_first) == f"{first.weight_growth + 4:g}"  # the edit is still on the page
    first.refresh_from_db()
    assert first.weight_growth == indicators[0].weight_growth  # ... and not saved
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"sandbox-preview-{width}.png"), full_page=True)
    page.eval_on_selector("#preview", "node => node.scrollIntoView()")
    page.screenshot(path=str(ARTIFACTS / f"sandbox-funnel-{width}.png"))  # the funnels side by side, as seen
    page.context.close()
