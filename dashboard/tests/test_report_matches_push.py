"""One matching rule: the products the firm's report says fit it are exactly those its banks list it under."""

import pytest

from banks.models import Recommendation
from dashboard.report import matching_products
from scoring.models import Score

pytestmark = pytest.mark.django_db


def test_the_reports_products_are_the_products_the_push_lists_the_firm_under(pushed):
    listed: dict[int, set[int]] = {}
    for enterprise_id, product_ids in Recommendation.objects.filter(run=pushed).values_list(
        "enterprise_id", "product_ids"
    ):
        listed.setdefault(enterprise_id, set()).update(product_ids)
    scores = Score.objects.filter(run=pushed).select_related("enterprise")
    checked = 0
    for row in scores:
        filing = row.enterprise.submissions.filter(batch_id=pushed.batch_id).first()
        report = {line.product.pk for line in matching_products(score_row=row, enterprise=row.enterprise,
                                                                submission=filing)}  # fmt: skip
        assert report == listed.get(row.enterprise_id, set()), row.enterprise_id
        checked += bool(report)
    assert checked > 5 and len(listed) == checked  # both sides non-trivial: many firms fit some product
