"""In Chromium at 390 px: a firm reads its report — grade bands and the gap to the next grade and to 70, advice in
each field's unit, products ranked (or why none) — and runs a self-assessment, with no sideways scrolling of the
page, in Chinese and English."""

import re
from datetime import date
from pathlib import Path

import pytest

from tests.browser import ARTIFACTS, PHONE, new_tab, sign_in

PASSWORD = "Report-pass-2024"
CJK = re.compile(r"[\u4e00-\u9fff]")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def phone(browser):
    return new_tab(browser, viewport=PHONE)


@pytest.fixture
def recommended_firm():
    """A published run of demo firms with products on sale; the firm is the best recommendable one."""
    from banks.models import LoanProduct
    from core.models import Bank, Branch, User
    from demo.services import demo_firms_create
    from enterprises.models import EnterpriseMembership
    from scoring.models import IndicatorSystem, Score
    from scoring.services import batch_create, scoring_run_create, scoring_run_execute, scoring_run_publish

    batch = batch_create(
        name="2024年度", year=2024, reference_date=date(2024, 12, 31), status="open", opens_on=date(2025, 1, 1),
        closes_on=date(2025, 12, 31), system=IndicatorSystem.objects.get(code="national", version=1),
    )  # fmt: skip
    demo_firms_create(firms=150, seed=14, batch=batch)
    for bank in Bank.objects.all()[:3]:
        Branch.objects.create(bank=bank, name="总行", region_scope="")
        for grade, amount in (("C", 300), ("B", 500)):
            LoanProduct.objects.create(bank=bank, name=f"科创积分贷{grade}", min_grade=grade, max_amount=amount)
    run = scoring_run_create(batch=batch, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    scoring_run_publish(run=run)
    row = Score.objects.filter(run=run, eligible=True).exclude(grade="A").order_by("-total").first()
    user = User.objects.create_user("report-cfo", password=PASSWORD)
    EnterpriseMembership.objects.create(user=user, enterprise_id=row.enterprise_id, role="admin")
    return row


def test_the_report_reads_on_a_phone_in_both_languages(phone, live_server, recommended_firm):
    base = live_server.url
    sign_in(phone, base, "report-cfo", PASSWORD)
    phone.goto(f"{base}/enterprise/report/")
    phone.wait_for_selector("#chart-radar svg")

    assert phone.locator("#grade-bands tbody tr").count() == 5
    assert phone.locator("#grade-bands tr.current").inner_text().startswith(recommended_firm.grade)
    assert "分" in phone.locator("#report-standing").inner_text()
    advice = phone.locator("#lift-table tbody tr")
    assert 1 <= advice.count() <= 5
    assert re.search(r"(万元|%|项|人)", phone.locator("#lift-table tbody").inner_text())
    cells = phone.locator("#products-table tbody tr td:nth-child(3)").all_inner_texts()
    lines = [float(text.replace(",", "")) for text in cells]
    assert lines and lines == sorted(lines, reverse=True) and all(line > 0 for line in lines)
    assert "LPR" in phone.locator("#products-table").inner_text()
    # Nothing widens the page: tables scroll inside themselves.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(ARTIFACTS / "report-390.png"), full_page=True)

    # Self-assessment: more patents, a simulated total above the published one, marked as a simulation.
    phone.click("#self-assessment-link")
    patents = phone.locator("input[name=invention_patents]")
    patents.fill(str(int(patents.input_value() or 0) + 30))
    phone.click("#what-if-form button[type=submit]")
    phone.wait_for_selector("#what-if-total")
    assert float(phone.locator("#what-if-total").inner_text()) > float(recommended_firm.total)
    assert phone.locator("#simulation-notice").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(ARTIFACTS / "self-assessment-390.png"), full_page=True)
    phone.goto(f"{base}/enterprise/report/")

    phone.click("label.menu-button")  # on a phone the language picker sits in the menu
    with phone.expect_navigation():
        phone.select_option("select[name=language]", "en")
    for section in ("#report-standing", "#lift-table thead", "#products-table thead"):
        text = phone.locator(section).inner_text()
        assert not CJK.search(text), (section, text)
    advice_text = phone.locator("#lift-table tbody").inner_text()
    assert not CJK.search(advice_text), advice_text
    assert re.search(r"(10k CNY|%|items|people)", advice_text)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(ARTIFACTS / "report-390-en.png"), full_page=True)
    phone.locator("#lift-table").screenshot(path=str(ARTIFACTS / "report-390-en-advice.png"))


def test_a_certificate_downloaded_then_verified_logged_out_is_valid_until_a_newer_run(
    phone, live_server, recommended_firm
):
    """Download the JSON certificate, open the printable one's QR link in a fresh logged-out page: "valid"; after a
    newer run of the batch is published the same link says "superseded"."""
    import json

    from scoring.services import scoring_run_create, scoring_run_execute, scoring_run_publish

    base = live_server.url
    sign_in(phone, base, "report-cfo", PASSWORD)
    phone.goto(f"{base}/enterprise/report/")
    with phone.expect_download() as download_info:
        phone.click("#certificate-json")
    document = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert document["total"] == f"{recommended_firm.total:.2f}"
    with phone.context.expect_page() as page_info:
        phone.click("#certificate-print")
    printable = page_info.value
    printable.wait_for_selector(".certificate-qr svg")
    link = printable.locator("#verify-link").get_attribute("href")
    assert link.startswith(f"{base}/verify/")
    # The QR code is the link: the page's symbol is the one segno draws for it (same modules, same path).
    import segno

    drawn = printable.locator(".certificate-qr svg path").first.get_attribute("d")
    assert drawn and drawn in segno.make(link, error="m").svg_inline(scale=4)
    assert printable.evaluate("document.documentElement.scrollWidth") <= 390
    printable.screenshot(path=str(ARTIFACTS / "certificate-390.png"), full_page=True)

    stranger = new_tab(phone.context.browser, viewport=PHONE)
    stranger.goto(link)
    assert stranger.locator("#verdict").get_attribute("data-status") == "valid"
    assert "有效" in stranger.locator("#verdict").inner_text()
    assert stranger.evaluate("document.documentElement.scrollWidth") <= 390
    stranger.screenshot(path=str(ARTIFACTS / "verify-390.png"), full_page=True)

    run = scoring_run_create(batch=recommended_firm.run.batch, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    scoring_run_publish(run=run)
    stranger.goto(link)
    assert stranger.locator("#verdict").get_attribute("data-status") == "superseded"
    assert "已被取代" in stranger.locator("#verdict").inner_text()

    # The downloaded JSON with one figure changed, pasted into /verify/: forged.
    stranger.fill("#document", json.dumps({**document, "total": "99.99"}, ensure_ascii=False))
    stranger.click("form[action='/verify/'] button[type=submit]")
    stranger.wait_for_selector("#verdict[data-status]")
    assert stranger.locator("#verdict").get_attribute("data-status") == "forged"
    assert "伪造" in stranger.locator("#verdict").inner_text()
