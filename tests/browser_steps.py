"""Steps of the policy-to-money journey that several browser tests take (``tests/test_policies_browser.py``,
``tests/test_financing_needs_browser.py`` and ``tests/test_policy_to_money_browser.py``): each drives the page as a
person would and checks what that person sees; the tests decide who does which step and what follows."""

from datetime import date, timedelta

from tests.browser import fits, submit

POLICY = {
    "name": "研发投入后补助",
    "issuer": "科技部火炬中心",
    "benefit": "按研发投入的10%补助",
    "deadline": "2099-06-30",
    "office": "政策服务窗口",
    "contact": "12345",
    "how_to_apply": "在线提交申报书",
}


def policy_added(page, base: str, width: int, *, screenshot_error=None) -> None:
    """A bureau administrator adds a policy with three conditions — a tech SME, R&D intensity ≥ 3 %, revenue
    ≤ 20,000 万元 — typing the revenue negative first: refused on its field, nothing saved, then corrected."""
    from policies.models import Policy

    page.goto(f"{base}/bureau/policies/")
    submit(page, "#policy-create")
    for name, value in POLICY.items():
        page.fill(f"#policy-form [name={name}]", value)
    page.select_option("#policy-form select[name=policy_class]", "rd_subsidy")
    page.check("#policy-form input[name=cond_flags][value=is_tech_sme]")
    page.select_option("#policy-form select[name=t0_field]", "rd_intensity")
    page.select_option("#policy-form select[name=t0_op]", ">=")
    page.fill("#policy-form [name=t0_value]", "3")
    page.select_option("#policy-form select[name=t1_field]", "revenue")
    page.select_option("#policy-form select[name=t1_op]", "<=")
    page.fill("#policy-form [name=t1_value]", "-20000")
    fits(page, width)
    submit(page, "#policy-form button[type=submit]")
    errors = page.inner_text("#condition-errors")
    assert "营业收入" in errors and "不能为负数" in errors and not Policy.objects.exists()
    if screenshot_error:
        screenshot_error(page)
    page.fill("#policy-form [name=t1_value]", "20000")
    submit(page, "#policy-form button[type=submit]")


def reach_shown(page, policy, width: int) -> int:
    """The policy's page shows its reach — the matching its save started (eager Celery in tests) — by region and
    section, and its conditions in words. Returns the number of matching firms. The expected regions and sections
    are the matching firms' own, read from their records (not from the store's counts)."""
    from collections import Counter

    from core.labels import region_label, section_label
    from enterprises.models import Enterprise
    from policies.selectors import match_rows

    assert len(policy.conditions) == 3
    ids = [row.enterprise_id for row in match_rows(policy=policy, near=False).rows()]
    assert ids and len(match_rows(policy=policy, near=True)) > 0
    firms = Enterprise.objects.filter(pk__in=ids)
    provinces = Counter(code[:2] for code in firms.values_list("region_code", flat=True))
    sections = Counter(firms.values_list("section_id", flat=True))
    page.reload()
    assert page.inner_text("#reach-matched") == f"{len(ids):,}"
    regions, industries = page.inner_text("#reach-region"), page.inner_text("#reach-section")
    assert all(region_label(code) in regions for code in provinces)
    assert all(section_label(letter) in industries for letter in sections)
    assert "研发费用占营业收入比重 ≥ 3%" in page.inner_text("#policy-conditions")
    fits(page, width)
    return len(ids)


def near_miss_seen(page, base: str, policy, width: int) -> None:
    """The firm one condition away (its R&D intensity) sees the policy among its near-misses with what it lacks in
    万元, the deadline and how to apply."""
    page.goto(f"{base}/enterprise/policies/")
    card = page.locator(f"section.policy.near[data-policy='{policy.pk}']")
    shortfall = card.locator(".shortfall").inner_text()
    assert "研发费用占营业收入比重" in shortfall and "→ 3%" in shortfall and "研发费用 +" in shortfall
    assert "万元" in shortfall and "在线提交申报书" in card.inner_text() and "2099-06-30" in card.inner_text()
    fits(page, width)


def need_posted(page, base: str, *, purpose: str = "购置研发设备", amount: str = "500") -> None:
    """The firm posts a need — 200 亿 first: refused, naming the amount, nothing saved — then ``amount`` 万元."""
    from banks.models import FinancingNeed

    before = FinancingNeed.objects.count()
    page.goto(f"{base}/enterprise/financing/")
    page.fill("input[name=amount]", "2000000")  # 200 亿: above the 10 亿 ceiling
    page.fill("input[name=term_months]", "12")
    page.fill("input[name=purpose]", purpose)
    page.fill("input[name=valid_until]", (date.today() + timedelta(days=60)).isoformat())
    submit(page, "#need-form button[type=submit]")
    assert "需求金额(万元):需求金额不能超过 10 亿元" in page.locator("#need-form").inner_text()
    assert FinancingNeed.objects.count() == before
    page.fill("input[name=amount]", amount)
    submit(page, "#need-form button[type=submit]")
    assert page.locator(".need").count() == before + 1


def applied_with_consent(page, base: str, product, *, consent_first: bool = True, on_shelf=None) -> None:
    """From the supermarket the firm applies to ``product``. ``consent_first``: it does not consent to the bank yet,
    so it is sent to the consent step with the bank chosen, grants a profile consent, comes back and applies again.
    The application is then received. ``on_shelf(page)`` runs on the supermarket before the first click."""
    bank = product.bank
    page.goto(f"{base}/enterprise/financing/products/")
    assert product.name in page.locator(f"#product-{product.pk}").inner_text()
    if on_shelf:
        on_shelf(page)
    submit(page, f"#product-{product.pk} button[type=submit]")
    if consent_first:
        page.wait_for_url("**/enterprise/consents/**")
        assert page.locator("select[name=bank]").input_value() == str(bank.pk)
        page.select_option("select[name=scope]", "profile")
        submit(page, "#consent-form button[type=submit]")
        page.wait_for_url("**/enterprise/financing/products/")
        submit(page, f"#product-{product.pk} button[type=submit]")
    page.wait_for_url("**/enterprise/financing/")
    assert "已收到" in page.locator(".applications").inner_text()


def declined_by_bank(page, base: str, application, *, enterprise_name: str, purpose: str, on_list=None) -> None:
    """The bank's officer finds the application on the bank's applications page, opens it (viewed), reads the need
    and declines it with the category 资料不全 and an internal note. ``on_list(page)`` runs on the list first."""
    page.goto(f"{base}/bank/applications/")
    assert enterprise_name in page.locator("#applications").inner_text()
    if on_list:
        on_list(page)
    page.click(f"#applications a[href='/bank/applications/{application.pk}/']")
    page.wait_for_url(f"**/bank/applications/{application.pk}/")
    assert page.locator("#status").inner_text() == "已查看"
    assert purpose in page.locator("#need").inner_text()
    page.select_option("select[name=category]", "documents")
    page.fill("textarea[name=reason]", "内部备注:财报未盖章")
    submit(page, "button[data-status=declined]")
    assert page.locator("#status").inner_text() == "已拒绝"


def decline_read_by_firm(page, base: str, application, width: int, *, on_status=None) -> None:
    """The firm reads "已拒绝:资料不全" on its application and in its notices, never the bank's internal note.
    ``on_status(page)`` runs on the firm's financing page."""
    page.goto(f"{base}/enterprise/financing/")
    assert "已拒绝:资料不全" in page.locator(f"#application-{application.pk}").inner_text()
    assert "财报未盖章" not in page.content()
    fits(page, width)
    if on_status:
        on_status(page)
    page.goto(f"{base}/enterprise/notices/")
    assert "已拒绝:资料不全" in page.locator("main").inner_text() and "财报未盖章" not in page.content()
