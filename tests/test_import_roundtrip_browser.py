"""Browser test of the import round trip (Debian's Chromium through Playwright, against the live server), at 1366 and
390 px: a bureau administrator downloads the template, fills it (one firm already filed, one new), uploads it, reads
the dry run's changes old → new in words, and commits."""

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.browser import ARTIFACTS, WIDE, new_tab, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "Bureau-pass-2025"


def _filled(template: bytes, rows: list[dict]) -> bytes:
    """The downloaded template with ``rows`` (column name → value) appended under its header."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for row in rows:
        sheet.append([row.get(title, "") for title in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _as_filed(filing) -> dict:
    """A filing's values under the template's column names, as the officer would type them (是/否, level names)."""
    from core.labels import yes_no
    from enterprises.imports.validation import IMPORTABLE
    from enterprises.labels import field_label

    row = {}
    for name in IMPORTABLE:
        value = getattr(filing, name)
        if isinstance(value, bool):
            value = yes_no(value)
        elif name == "rd_platform_level":
            value = filing.get_rd_platform_level_display()
        row[field_label(name)] = float(value) if isinstance(value, Decimal) else value
    return row


def test_an_admin_downloads_the_template_fills_it_previews_the_changes_and_commits(browser, live_server, tmp_path):
    from datetime import date

    from core.models import BureauStaff, User
    from enterprises.models import Submission
    from enterprises.tests.factories import EnterpriseFactory, SubmissionFactory, valid_credit_code
    from scoring.models import IndicatorSystem
    from scoring.services import batch_create

    admin = User.objects.create_user("bureau-admin", password=PASSWORD)
    BureauStaff.objects.create(user=admin, bureau_name="广东省科学技术厅", region_scope="44", role="admin")
    batch = batch_create(name="2024年度创新积分", year=2024, reference_date=date(2024, 12, 31), status="open",
                         system=IndicatorSystem.objects.get(code="national", version=1),
                         opens_on=date(2025, 1, 1), closes_on=date(2025, 12, 31))  # fmt: skip
    filed = EnterpriseFactory(credit_code=valid_credit_code(8801), region_code="440305", name="深圳芯光智能制造公司")
    SubmissionFactory(enterprise=filed, batch=batch, status="approved", rd_platform_level=1)
    newcomers = [EnterpriseFactory(credit_code=valid_credit_code(8802 + i), region_code="440106",
                                   name=f"广州瑞腾信息技术{i}有限公司") for i in range(2)]  # fmt: skip
    base = live_server.url

    page = new_tab(browser, viewport=WIDE, accept_downloads=True)
    sign_in(page, base, "bureau-admin", PASSWORD)

    for width, height, revenue, level, newcomer in ((1366, 900, 6200, "省级", newcomers[0]),
                                                     (390, 844, 7100.5, "国家级", newcomers[1])):  # fmt: skip
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{base}/bureau/review/import/")
        with page.expect_download() as download:
            page.click("#import-template")
        template = Path(download.value.path()).read_bytes()
        current = Submission.objects.get(enterprise=filed, batch=batch)
        old_revenue = f"{current.revenue.normalize():,f}"
        old_level = current.get_rd_platform_level_display()
        changed = _as_filed(current) | {"营业收入(万元)": revenue, "研发平台级别": level}
        new = {title: (0 if not isinstance(value, str) else "否") for title, value in _as_filed(current).items()}
        new |= {"营业收入(万元)": 800, "从业人员数(人)": 12, "科技型中小企业": "是", "研发平台级别": "无"}
        upload = tmp_path / f"filled-{width}.xlsx"
        upload.write_bytes(_filled(template, [
            {"统一社会信用代码": filed.credit_code, "企业名称": filed.name, **changed},
            {"统一社会信用代码": newcomer.credit_code, "企业名称": newcomer.name, **new},
        ]))  # fmt: skip

        page.select_option("select[name=batch]", str(batch.pk))
        page.set_input_files("input[name=file]", str(upload))
        submit(page, "button[name=action][value=preview]")
        report = page.inner_text("#import-report")
        assert "将新增 1 份、更新 1 份填报" in report, report
        cells = page.locator("#import-changes tbody tr")
        assert cells.count() == 2, page.inner_text("#import-changes")
        revenue_row = cells.nth(0).inner_text()
        assert "营业收入(万元)" in revenue_row and old_revenue in revenue_row and f"→ {revenue:,}" in revenue_row
        level_row = cells.nth(1).inner_text()
        assert "研发平台级别" in level_row and old_level in level_row and f"→ {level}" in level_row
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1  # nothing wider than the phone
        page.screenshot(path=str(ARTIFACTS / f"import-roundtrip-preview-{width}.png"), full_page=True)
        assert Submission.objects.get(enterprise=filed, batch=batch).revenue == current.revenue  # a dry run

        submit(page, "#import-report button[name=action][value=commit]")
        assert "导入完成:新增 1 份,更新 1 份填报" in page.inner_text("body")
        page.screenshot(path=str(ARTIFACTS / f"import-roundtrip-committed-{width}.png"), full_page=True)
        updated = Submission.objects.get(enterprise=filed, batch=batch)
        assert (updated.revenue, updated.get_rd_platform_level_display()) == (Decimal(str(revenue)), level)
        created = Submission.objects.get(enterprise=newcomer, batch=batch)
        assert (created.revenue, created.employees, created.is_tech_sme, created.status) == (800, 12, True, "submitted")
