"""Browser test of policies finding firms (Debian's Chromium through Playwright, against the live server), at 1366 and
390 px: a bureau administrator adds a policy with three conditions (a negative threshold first: refused, naming the
field, nothing saved), the matching that its save starts shows its reach by region and section, and a firm one
condition away sees it among its near-misses with what it lacks, in 万元."""

import pytest

from tests.browser import new_tab, screenshot, sign_in
from tests.browser_steps import near_miss_seen, policy_added, reach_shown

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "Policy-pass-2025"


@pytest.mark.parametrize("width", [1366, 390])
def test_a_bureau_adds_a_policy_its_reach_shows_and_a_firm_one_condition_away_sees_what_it_lacks(
    browser, live_server, batch, width
):
    from banks.tests.fixtures import publish_new_run
    from core.models import BureauStaff, User
    from demo.services import demo_firms_create
    from enterprises.models import EnterpriseMembership
    from policies.models import Policy
    from policies.selectors import match_rows

    demo_firms_create(firms=300, seed=11, batch=batch)
    publish_new_run(batch)
    admin = User.objects.create_user("policy-admin", password=PASSWORD)
    BureauStaff.objects.create(user=admin, bureau_name="科技部火炬中心", region_scope="", role="admin")
    base = live_server.url

    page = new_tab(browser, viewport={"width": width, "height": 900})
    sign_in(page, base, "policy-admin", PASSWORD)
    policy_added(page, base, width, screenshot_error=lambda p: screenshot(p, f"policy-form-error-{width}"))
    policy = Policy.objects.get()
    reach_shown(page, policy, width)
    screenshot(page, f"policy-detail-{width}")

    # A firm one condition away (its R&D intensity): it sees the policy with what it lacks, and no other firm.
    row = next(r for r in match_rows(policy=policy, near=True).rows() if r.condition == 1 and (r.gap or 0) > 0)
    firm_user = User.objects.create_user("policy-firm", password=PASSWORD)
    EnterpriseMembership.objects.create(user=firm_user, enterprise_id=row.enterprise_id, role="admin")
    firm = new_tab(browser, viewport={"width": width, "height": 900})
    sign_in(firm, base, "policy-firm", PASSWORD)
    near_miss_seen(firm, base, policy, width)
    screenshot(firm, f"policy-firm-{width}")
