"""End to end in Chromium: a finance manager registers, files, saves a draft and submits; the bureau approves; the
batch is scored and published; the firm opens its report (screenshot in test-artifacts/), in Chinese and English."""

from datetime import date

import pytest

from tests.browser import ARTIFACTS, new_tab, sign_in

PASSWORD = "Journey-pass-2024"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def page(browser):
    return new_tab(browser, viewport={"width": 1280, "height": 1800})


@pytest.fixture
def open_batch():
    from core.models import BureauStaff, User
    from demo.services import demo_firms_create
    from scoring.models import IndicatorSystem
    from scoring.services import batch_create

    batch = batch_create(
        name="2024年度", year=2024, reference_date=date(2024, 12, 31), status="open", opens_on=date(2025, 1, 1),
        closes_on=date(2025, 12, 31), system=IndicatorSystem.objects.get(code="national", version=1),
    )  # fmt: skip
    demo_firms_create(firms=80, seed=21, batch=batch)  # peers to be compared with
    reviewer = User.objects.create_user("reviewer-gd", password=PASSWORD)
    BureauStaff.objects.create(user=reviewer, bureau_name="广东省科学技术厅", region_scope="44")
    return batch


def login(page, base: str, username: str) -> None:
    sign_in(page, base, username, PASSWORD)


def test_a_new_firm_goes_from_sign_up_to_its_score_report(page, live_server, open_batch):
    from enterprises.models import Submission
    from enterprises.tests.factories import valid_credit_code
    from scoring.services import scoring_run_create, scoring_run_execute, scoring_run_publish

    base = live_server.url
    page.goto(f"{base}/enterprise/register/")
    assert page.locator("h1").inner_text() == "企业注册"
    for name, value in {
        "username": "journey-cfo", "email": "cfo@journey.example", "password": PASSWORD, "password_again": PASSWORD,
        "credit_code": valid_credit_code(4242), "name": "旅程测试科技有限公司", "region_code": "440305",
        "industry_code": "I65", "established": "2016-04-01",
    }.items():  # fmt: skip
        page.fill(f"[name={name}]", value)
    licence = {"name": "licence.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 licence"}
    page.set_input_files("[name=licence]", licence)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/enterprise/register/pending/")
    assert "核验中" in page.locator("h1").inner_text()  # nothing of the firm until the bureau verifies the claim
    page.click("form.inline button")  # sign out

    login(page, base, "reviewer-gd")
    page.goto(f"{base}/bureau/review/claims/")
    page.click("#claims button.primary")
    page.wait_for_selector("text=journey-cfo")
    page.click("form.inline button")
    login(page, base, "journey-cfo")
    page.goto(f"{base}/enterprise/")
    page.wait_for_url(f"{base}/enterprise/")

    # File: a bad value is refused with its reason, then a draft is saved, then the filing is submitted.
    page.goto(f"{base}/enterprise/filing/")
    page.fill("[name=employees]", "10")
    page.fill("[name=rd_staff]", "12")
    assert "研发人员数不能超过从业人员数" in page.locator("[data-error-for=rd_staff]").inner_text()  # mirrored live
    page.click("button[value=draft]")
    assert "研发人员数不能超过从业人员数" in page.content()
    assert Submission.objects.get(enterprise__name="旅程测试科技有限公司").employees == 0  # nothing saved
    page.fill("[name=rd_staff]", "4")
    page.fill("[name=revenue]", "3000")
    page.click("button[value=draft]")
    page.wait_for_selector("text=草稿已保存")
    for name, value in {"revenue_prev": "2500", "rd_expense": "360", "rd_expense_prev": "300", "employees": "40",
                        "rd_staff": "12", "net_profit": "210", "net_assets": "1800", "taxes_paid": "95",
                        "invention_patents": "6", "high_tech_revenue": "2100"}.items():  # fmt: skip
        page.fill(f"[name={name}]", value)
    page.check("[name=is_tech_sme]")
    page.click("button[value=submit]")
    page.wait_for_selector("text=填报已提交")
    assert page.locator("#filing-status").inner_text() == "已提交"
    page.click("form.inline button")  # sign out
    page.wait_for_url("**/accounts/login/")

    # Review as bureau staff.
    login(page, base, "reviewer-gd")
    page.goto(f"{base}/bureau/review/")
    page.click("text=旅程测试科技有限公司")
    page.click("button:has-text('审核通过')")
    page.wait_for_selector("text=已审核通过")
    page.click("form.inline button")
    page.wait_for_url("**/accounts/login/")

    # Score and publish the batch (the bureau's scoring pages are tested in scoring/).
    run = scoring_run_create(batch=open_batch, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    scoring_run_publish(run=run)

    login(page, base, "journey-cfo")
    page.goto(f"{base}/enterprise/report/")
    page.wait_for_selector("#chart-radar svg")
    total = page.locator("#report-total").inner_text()
    assert float(total) > 0
    assert page.locator("#lift-table tbody tr").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "enterprise-report.png"), full_page=True)

    # The same page in English.
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#report-total").inner_text() == total
    page.screenshot(path=str(ARTIFACTS / "enterprise-report-en.png"), full_page=True)
