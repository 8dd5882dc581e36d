"""A firm sees every batch it may file in (the newest open one first) and ``?batch=`` picks one."""

from datetime import date

import pytest
from django.urls import reverse

from enterprises.models import Submission
from scoring.tests.factories import BatchFactory

pytestmark = pytest.mark.django_db
URL = reverse("enterprises:filing")


@pytest.fixture
def rounds(db):
    """A national round and a newer Guangdong one open for the Shenzhen firm; a Zhejiang one and a closed one not."""
    national = BatchFactory(name="2024年度全国", year=2024, region_scope="", opens_on=date(2025, 1, 1))
    guangdong = BatchFactory(name="2025年度广东", year=2025, region_scope="44", reference_date=date(2025, 12, 31),
                             opens_on=date(2026, 1, 1), closes_on=date(2026, 3, 31))  # fmt: skip
    zhejiang = BatchFactory(name="2025年度浙江", year=2025, region_scope="33")
    closed = BatchFactory(name="2023年度全国", year=2023, status="closed")
    return national, guangdong, zhejiang, closed


def test_the_filing_page_offers_every_open_batch_newest_first(firm_client, rounds):
    national, guangdong, zhejiang, closed = rounds
    page = firm_client.get(URL)
    assert page.context["batch"] == guangdong
    assert list(page.context["open_batches"]) == [guangdong, national]
    html = page.content.decode()
    assert 'id="batch-select"' in html and "2025年度广东" in html and "2024年度全国" in html
    assert "2025年度浙江" not in html and "2023年度全国" not in html


def test_batch_in_the_query_picks_the_round_and_saves_into_it(firm_client, firm, rounds):
    national, guangdong, zhejiang, closed = rounds
    page = firm_client.get(URL, {"batch": national.pk})
    assert page.context["batch"] == national
    response = firm_client.post(f"{URL}?batch={national.pk}", {"action": "draft", "revenue": "100"})
    assert response.status_code == 302 and response.url == f"{URL}?batch={national.pk}"
    assert list(Submission.objects.filter(enterprise=firm).values_list("batch_id", "revenue")) == [(national.pk, 100)]


def test_a_batch_the_firm_cannot_file_in_is_404(firm_client, rounds):
    national, guangdong, zhejiang, closed = rounds
    for batch_id in (zhejiang.pk, closed.pk, 999_999, "x"):
        assert firm_client.get(URL, {"batch": batch_id}).status_code == 404


def test_the_dashboard_lists_every_open_round_with_its_link(firm_client, rounds):
    national, guangdong, zhejiang, closed = rounds
    html = firm_client.get(reverse("enterprises:dashboard")).content.decode()
    assert html.index("2025年度广东") < html.index("2024年度全国")
    assert f"?batch={guangdong.pk}" in html and f"?batch={national.pk}" in html and "2025年度浙江" not in html
