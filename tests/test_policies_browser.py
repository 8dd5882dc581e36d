"""Browser test of policies finding firms (Debian's Chromium through Playwright, against the live server), at 1366 and
390 px: a bureau administrator adds a policy with three conditions (a negative threshold first: refused, naming the
field, nothing saved), the matching that its save starts shows its reach by region and section, and a firm one
condition away sees it among its near-misses with what it lacks, in 万元."""

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
PASSWORD = "Policy-pass-2025"


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but Chromium is missing")
        pytest.skip("needs /usr/bin/chromium")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )  # fmt: skip
        yield chromium
        chromium.close()


def _page(browser, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    context.set_default_timeout(30_000)
    return context.new_page()


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")


def submit(page, selector):
    with page.expect_navigation():
        page.click(selector)


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


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
    ARTIFACTS.mkdir(exist_ok=True)

    page = _page(browser, width)
    _login(page, base, "policy-admin")
    page.goto(f"{base}/bureau/policies/")
    submit(page, "#policy-create")
    for name, value in {"name": "研发投入后补助", "issuer": "科技部火炬中心", "benefit": "按研发投入的10%补助",
                        "deadline": "2099-06-30", "office": "政策服务窗口", "contact": "12345",
                        "how_to_apply": "在线提交申报书"}.items():  # fmt: skip
        page.fill(f"#policy-form [name={name}]", value)
    page.select_option("#policy-form select[name=policy_class]", "rd_subsidy")
    page.check("#policy-form input[name=cond_flags][value=is_tech_sme]")
    page.select_option("#policy-form select[name=t0_field]", "rd_intensity")
    page.select_option("#policy-form select[name=t0_op]", ">=")
    page.fill("#policy-form [name=t0_value]", "3")
    page.select_option("#policy-form select[name=t1_field]", "revenue")
    page.select_option("#policy-form select[name=t1_op]", "<=")
    page.fill("#policy-form [name=t1_value]", "-20000")
    _fits(page, width)
    submit(page, "#policy-form button[type=submit]")
    errors = page.inner_text("#condition-errors")
    assert "营业收入" in errors and "不能为负数" in errors and not Policy.objects.exists()
    page.screenshot(path=str(ARTIFACTS / f"policy-form-error-{width}.png"), full_page=True)
    page.fill("#policy-form [name=t1_value]", "20000")
    submit(page, "#policy-form button[type=submit]")

    policy = Policy.objects.get()
    assert len(policy.conditions) == 3
    matched = len(match_rows(policy=policy, near=False))
    near = list(match_rows(policy=policy, near=True).rows())
    assert matched > 0 and near  # the save matched the published run at once (eager Celery)
    page.reload()
    assert page.inner_text("#reach-matched") == f"{matched:,}"
    assert "广东省" in page.inner_text("#reach-region") or "北京市" in page.inner_text("#reach-region")
    assert "制造业" in page.inner_text("#reach-section")
    assert "研发费用占营业收入比重 ≥ 3%" in page.inner_text("#policy-conditions")
    _fits(page, width)
    page.screenshot(path=str(ARTIFACTS / f"policy-detail-{width}.png"), full_page=True)

    # A firm one condition away (its R&D intensity): it sees the policy with what it lacks, and no other firm.
    row = next(r for r in near if r.condition == 1 and r.gap > 0)
    firm_user = User.objects.create_user("policy-firm", password=PASSWORD)
    EnterpriseMembership.objects.create(user=firm_user, enterprise=row.enterprise, role="admin")
    firm = _page(browser, width)
    _login(firm, base, "policy-firm")
    firm.goto(f"{base}/enterprise/policies/")
    card = firm.locator(f"section.policy.near[data-policy='{policy.pk}']")
    shortfall = card.locator(".shortfall").inner_text()
    assert "研发费用占营业收入比重" in shortfall and "→ 3%" in shortfall and "研发费用 +" in shortfall
    assert "万元" in shortfall and "在线提交申报书" in card.inner_text() and "2099-06-30" in card.inner_text()
    _fits(firm, width)
    firm.screenshot(path=str(ARTIFACTS / f"policy-firm-{width}.png"), full_page=True)
