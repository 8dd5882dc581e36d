"""The score back-test: rates by grade and total band from aggregate queries, the monotonicity check and the AUC,
on the demo's loan book (outcomes drawn from the latent strength); the bureau's and a bank's pages and exports."""

from decimal import Decimal

import numpy as np
import pytest
from django.urls import reverse

from banks.tests.fixtures import officer_of, publish_new_run
from core.models import Bank
from dashboard.backtest import auc_of, auc_of_groups, backtest
from demo.loans import demo_loan_book_create
from demo.services import demo_firms_create, demo_organisations_create
from loans.models import LoanContract
from scoring.models import Score
from tests.factories import BureauStaffFactory

FIRMS = 3000


@pytest.fixture
def book(batch):
    demo_organisations_create()
    report = demo_firms_create(firms=FIRMS, seed=7, batch=batch)
    assert demo_loan_book_create(enterprise_ids=report.enterprise_ids, strength=report.strength, seed=7) > 500
    return publish_new_run(batch)


def by_hand(run, loans):
    """The same figures from the raw rows, in Python: what the aggregate queries must agree with."""
    grades = dict(Score.objects.filter(run=run).values_list("enterprise_id", "grade"))
    figures = {}
    for loan in loans.select_related("guarantee"):
        if loan.enterprise_id not in grades:
            continue
        row = figures.setdefault(grades[loan.enterprise_id], [0, 0, 0, Decimal(0), Decimal(0)])
        row[0] += 1
        row[1] += loan.repayment_status in ("overdue", "default")
        row[2] += loan.repayment_status == "default"
        guarantee = getattr(loan, "guarantee", None)
        if guarantee is not None:
            row[3] += guarantee.amount
            row[4] += sum((c.amount for c in guarantee.compensations.all()), Decimal(0))
    return figures


def test_the_demo_book_defaults_more_the_lower_the_grade_and_the_total_separates_defaults(book):
    data = backtest(run=book, loans=LoanContract.objects.all())
    rates = {r.key: r.default_rate for r in data.by_grade}
    assert rates["E"] > rates["D"] > rates["A"]
    assert rates["E"] > 3 * rates["A"]
    assert data.auc > 0.7
    assert data.by_band[-1].default_rate > data.by_band[0].default_rate  # below 50 against 90 and above
    assert data.total.loans == sum(r.loans for r in data.by_band) == sum(r.loans for r in data.by_bank)
    assert data.total.loans == LoanContract.objects.filter(enterprise__scores__run=book).count()


def test_the_aggregates_agree_with_the_rows_and_rates_have_two_decimals(book):
    data = backtest(run=book, loans=LoanContract.objects.all())
    expected = by_hand(book, LoanContract.objects.all())
    for row in data.by_grade:
        loans, overdue, defaults, guaranteed, compensated = expected.get(row.key, [0, 0, 0, Decimal(0), Decimal(0)])
        assert (row.loans, row.overdue, row.defaults, row.guaranteed, row.compensated) == (
            loans, overdue, defaults, guaranteed, compensated)  # fmt: skip
        if loans:
            assert row.default_rate == (Decimal(defaults * 100) / loans).quantize(Decimal("0.01"))
            assert row.default_rate.as_tuple().exponent == -2


def test_a_grade_worse_than_the_one_below_it_is_named(book):
    a_firms = Score.objects.filter(run=book, grade="A").values("enterprise_id")
    LoanContract.objects.filter(enterprise_id__in=a_firms).update(repayment_status="default")
    data = backtest(run=book, loans=LoanContract.objects.all())
    assert data.monotonic is False
    assert data.violations[0] == ("A", "B")


def test_the_auc_is_the_share_of_repaid_defaulted_pairs_ordered_right():
    rng = np.random.default_rng(3)
    totals = np.round(rng.uniform(40, 95, 300), 0)  # rounded: many ties
    defaulted = rng.random(300) < 1 / (1 + np.exp((totals - 60) / 8))
    repaid, bad = totals[~defaulted], totals[defaulted]
    pairs = (repaid[:, None] > bad[None, :]).sum() + 0.5 * (repaid[:, None] == bad[None, :]).sum()
    assert auc_of(totals, defaulted) == pytest.approx(pairs / (len(repaid) * len(bad)))
    assert auc_of(totals, np.zeros(300, dtype=bool)) is None
    distinct, inverse = np.unique(totals, return_inverse=True)  # what the page reads: loans per distinct total
    grouped = auc_of_groups(distinct, np.bincount(inverse), np.bincount(inverse, weights=defaulted.astype(float)))
    assert grouped == pytest.approx(auc_of(totals, defaulted))
    halves = len(distinct) // 2  # the same totals split over two groups each (two cells): the same AUC
    loans, defaults = np.bincount(inverse), np.bincount(inverse, weights=defaulted.astype(float))
    split = auc_of_groups(np.concatenate([distinct, distinct[:halves]]),
                          np.concatenate([loans - np.r_[loans[:halves] // 2, np.zeros(len(distinct) - halves)],
                                          loans[:halves] // 2]),
                          np.concatenate([defaults - np.r_[np.minimum(defaults[:halves], loans[:halves] // 2),
                                                           np.zeros(len(distinct) - halves)],
                                          np.minimum(defaults[:halves], loans[:halves] // 2)]))  # fmt: skip
    assert split == pytest.approx(grouped)


def test_a_bank_sees_its_own_loans_and_a_bureau_its_region(client, book, django_assert_max_num_queries):
    icbc = Bank.objects.get(code="icbc")
    client.force_login(officer_of(icbc, "icbc-bt"))
    with django_assert_max_num_queries(20):
        page = client.get(reverse("dashboard:bank-backtest"))
    own = LoanContract.objects.filter(bank=icbc, enterprise__scores__run=book).count()
    assert page.context["data"].total.loans == own < LoanContract.objects.count()
    gd = BureauStaffFactory(region_scope="44").user
    client.force_login(gd)
    page = client.get(reverse("dashboard:backtest"), {"run": book.pk})
    in_gd = LoanContract.objects.filter(enterprise__region_code__startswith="44", enterprise__scores__run=book)
    assert page.context["data"].total.loans == in_gd.count()
    assert [r.key for r in page.context["data"].by_province] == ["44"]
    refused = client.get(reverse("dashboard:backtest"), {"region": "33"})
    assert "不在您的范围" in refused.content.decode()


def test_the_export_is_a_csv_with_a_bom_and_every_breakdown(client, book):
    client.force_login(BureauStaffFactory(region_scope="").user)
    response = client.get(reverse("dashboard:backtest-export"))
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text.splitlines()
    assert lines[0].lstrip("\ufeff").startswith("分组,名称,贷款笔数")
    assert any(line.startswith("等级,A,") for line in lines) and any(line.startswith("AUC,") for line in lines)
