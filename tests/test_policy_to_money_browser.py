"""Issue #15's "done when", in one browser test through both halves, at 1366 and 390 px: a bureau officer adds a
policy with three conditions → matching shows its reach → a firm sees it with one near-miss → the firm posts a need
and applies to a product → the bank sees the need (new since its officer last looked), declines it with a category →
the firm sees "已拒绝:资料不全". The steps are shared with the two halves' own tests (``tests/browser_steps.py``)."""

import pytest

from tests.browser import new_tab, screenshot, sign_in
from tests.browser_steps import (
    applied_with_consent,
    decline_read_by_firm,
    declined_by_bank,
    near_miss_seen,
    need_posted,
    policy_added,
    reach_shown,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "pass-word-123"
PURPOSE = "研发设备采购"


def _near_miss_firm_that_can_borrow(policy, run):
    """A firm one condition (R&D intensity) away from the policy whose published grade lets it apply for the
    ICBC's 积分贷 (grade D or better)."""
    from policies.selectors import match_rows
    from scoring.models import Score

    rows = match_rows(policy=policy, near=True).rows()
    near = [r.enterprise_id for r in rows if r.condition == 1 and (r.gap or 0) > 0]
    score = Score.objects.filter(run=run, enterprise_id__in=near, grade__in="ABCD").order_by("-total", "enterprise_id")
    found = score.select_related("enterprise").first()
    assert found is not None, "no near-miss firm of grade D or better in this population"
    return found.enterprise


@pytest.mark.parametrize("width", [1366, 390])
def test_a_policy_reaches_a_firm_one_condition_away_which_then_applies_for_money_and_reads_the_banks_decline(
    browser, live_server, batch, icbc, icbc_officer, width
):
    from banks.models import FinancingApplication
    from banks.tests.fixtures import publish_new_run
    from core.models import Branch, BureauStaff, User
    from demo.services import demo_firms_create
    from enterprises.models import Consent, EnterpriseMembership
    from policies.models import Policy

    demo_firms_create(firms=300, seed=11, batch=batch)
    run = publish_new_run(batch)
    Branch.objects.create(bank=icbc, name="总行营业部", region_scope="")  # ICBC's 积分贷 then serves every region
    officer = User.objects.create_user("torch-admin", password=PASSWORD)
    BureauStaff.objects.create(user=officer, bureau_name="科技部火炬中心", region_scope="", role="admin")
    base = live_server.url
    page = new_tab(browser, viewport={"width": width, "height": 900})

    # The bureau: a policy with three conditions; its save matches the published run and the page shows the reach.
    sign_in(page, base, "torch-admin", PASSWORD)
    policy_added(page, base, width)
    policy = Policy.objects.get()
    reach_shown(page, policy, width)
    screenshot(page, f"money-1-policy-reach-{width}")

    # The firm: the policy among its near-misses with what it lacks; then a need, and an application from the shelf.
    firm = _near_miss_firm_that_can_borrow(policy, run)
    member = User.objects.create_user("torch-firm", password=PASSWORD)
    EnterpriseMembership.objects.create(user=member, enterprise=firm, role="admin")
    sign_in(page, base, "torch-firm", PASSWORD)
    near_miss_seen(page, base, policy, width)
    screenshot(page, f"money-2-firm-policies-{width}")
    need_posted(page, base, purpose=PURPOSE)
    consents = Consent.objects.active().covering(icbc.pk).filter(enterprise=firm).exists()
    applied_with_consent(page, base, icbc.products.get(name="积分贷"), consent_first=not consents,
                         on_shelf=lambda p: screenshot(p, f"money-3-supermarket-{width}"))  # fmt: skip
    application = FinancingApplication.objects.get()
    assert application.need.purpose == PURPOSE and application.bank == icbc

    # The bank: its officer's home counts the new application; the list marks it new; opened, read, declined.
    sign_in(page, base, icbc_officer.username, PASSWORD)
    assert page.inner_text("[data-count=new-applications]") == "1"

    def marked_new(p):
        row = p.locator(f"#applications tr:has(a[href='/bank/applications/{application.pk}/'])")
        assert "新" in row.locator(".badge.new-since").inner_text()
        screenshot(p, f"money-4-bank-applications-{width}")

    declined_by_bank(page, base, application, enterprise_name=firm.name, purpose=PURPOSE, on_list=marked_new)
    screenshot(page, f"money-5-bank-declined-{width}")
    page.goto(f"{base}/")
    assert page.inner_text("[data-count=new-applications]") == "0"  # seen now

    # The firm: "declined: category", never the bank's note.
    sign_in(page, base, "torch-firm", PASSWORD)
    decline_read_by_firm(page, base, application, width,
                         on_status=lambda p: screenshot(p, f"money-6-firm-status-{width}"))  # fmt: skip
    page.context.close()
