"""The bank journey's fixtures (a pytest plugin, conftest.py): a published run of demo firms and two banks."""

from datetime import date
from decimal import Decimal

import pytest

from banks.models import LoanProduct, Recommendation
from banks.selectors import push_population_forget
from banks.services import recommendation_list_push
from core.models import Bank, BankOfficer, Branch
from demo.services import demo_firms_create
from scoring.models import Score
from scoring.services import scoring_run_create, scoring_run_execute, scoring_run_publish
from tests.factories import BureauStaffFactory, UserFactory

FIRMS = 400


def publish_new_run(batch, user=None):
    """Compute and publish a run of ``batch`` (without the on-commit push: tests push explicitly)."""
    run = scoring_run_create(batch=batch, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    run = scoring_run_publish(run=run, user=user)
    push_population_forget()
    return run


@pytest.fixture
def population(batch):
    demo_firms_create(firms=FIRMS, seed=11, batch=batch)
    return batch


@pytest.fixture
def run(population):
    push_population_forget()
    yield publish_new_run(population)
    push_population_forget()


@pytest.fixture
def icbc(db):
    """ICBC with branches in Guangdong (44) and Jiangsu (32) only, one broad product and one narrow one."""
    bank = Bank.objects.get(code="icbc")
    gd = Branch.objects.create(bank=bank, name="广东分行", region_scope="44")
    Branch.objects.create(bank=bank, name="江苏分行", region_scope="32")
    LoanProduct.objects.create(
        bank=bank, name="积分贷", min_grade="D", max_amount=1000, term_months=12, rate_spread_bp=80
    )
    narrow = LoanProduct.objects.create(
        bank=bank,
        name="科创成长贷",
        min_grade="B",
        stages=["growth", "stable"],
        max_amount=3000,
        term_months=36,
        rate_spread_bp=120,
        line_by_grade={"A": 3000, "B": 1500, "C": 0, "D": 0, "E": 0},
    )
    narrow.branches.set([gd])
    return bank


@pytest.fixture
def cmb(db):
    """CMB serving Guangdong only, grade C and better."""
    bank = Bank.objects.get(code="cmb")
    Branch.objects.create(bank=bank, name="广东分行", region_scope="44")
    LoanProduct.objects.create(
        bank=bank, name="招行积分贷", min_grade="C", max_amount=500, term_months=12, rate_spread_bp=60
    )
    return bank


def officer_of(bank, username, *, branch=None, is_admin=False, email=""):
    user = UserFactory(username=username, email=email)
    BankOfficer.objects.create(user=user, bank=bank, branch=branch, is_admin=is_admin)
    return user


@pytest.fixture
def icbc_officer(icbc):
    return officer_of(icbc, "icbc-head", is_admin=True, email="head@icbc.example")


@pytest.fixture
def icbc_gd_officer(icbc):
    return officer_of(icbc, "icbc-gd", branch=icbc.branches.get(region_scope="44"))


@pytest.fixture
def cmb_officer(cmb):
    return officer_of(cmb, "cmb-officer")


@pytest.fixture
def bureau_user(db):
    return BureauStaffFactory(region_scope="").user


@pytest.fixture
def pushed(run, icbc, cmb, icbc_officer, icbc_gd_officer, cmb_officer):
    recommendation_list_push(run=run, bank=icbc)
    recommendation_list_push(run=run, bank=cmb)
    return run


def approved_recommendation(user, bank, **filters):
    """The best current recommendation of ``bank`` (matching ``filters``) moved to approved by ``user``."""
    from banks.services import recommendation_transition

    rec = Recommendation.objects.filter(bank=bank, superseded=False, **filters).order_by("list_rank")[0]
    for status in ("contacted", "approved"):
        rec = recommendation_transition(recommendation=rec, user=user, status=status)
    return rec


def eligible_scores(run):
    return Score.objects.filter(run=run, eligible=True)


TODAY = date.today()
D = Decimal


STRONG = {
    "rd_expense": D(5000), "rd_expense_prev": D(100), "invention_patents": 300, "other_ip": 200, "standards": 20,
    "tech_contract_turnover": D(50000), "high_tech_revenue": D(50000), "vc_investment": D(50000), "rd_staff": 500,
    "graduates_hired": 200, "rd_platform_level": 3, "sci_awards": 10, "sci_projects": 20, "revenue": D(60000),
    "revenue_prev": D(10000), "is_high_tech_enterprise": True, "is_tech_sme": True, "is_specialised_sme": True,
    "is_little_giant": True,
}  # fmt: skip
"""A filing at the top of every peer group: the firm lists high (grade A) whatever it had before."""


def changed_filings(batch, bank) -> dict[str, int]:
    """Change three filings of ``batch`` so that the next run differs from the published one on ``bank``'s list: a
    listed firm below A made strong (its grade rises), a listed firm given a veto (it drops off), and a consenting
    tech firm below the threshold made strong (it is new). Returns their enterprise ids by what happens to them."""
    from enterprises.models import Consent, Submission
    from scoring.models import BatchScoring

    published = BatchScoring.objects.get(batch=batch).published_run
    current = Recommendation.objects.filter(bank=bank, superseded=False, run=published)
    riser = current.exclude(grade="A").filter(grade__in="CD", region_code__startswith="44").order_by("list_rank")[0]
    dropped = current.exclude(enterprise_id=riser.enterprise_id).order_by("list_rank")[1]
    consenting = Consent.objects.filter(bank__isnull=True).values("enterprise_id")
    newcomer = (
        Score.objects.filter(run=published, eligible=False, enterprise__region_code__startswith="44")
        .filter(enterprise_id__in=consenting, reasons="below_threshold")
        .exclude(enterprise_id__in=current.values("enterprise_id"))
        .order_by("enterprise_id")[0]
    )
    Submission.objects.filter(batch=batch, enterprise_id__in=[riser.enterprise_id, newcomer.enterprise_id]).update(
        **STRONG
    )
    Submission.objects.filter(batch=batch, enterprise_id=dropped.enterprise_id).update(dishonest_debtor=True)
    from enterprises.models import Enterprise

    Enterprise.objects.filter(pk__in=[riser.enterprise_id, newcomer.enterprise_id]).update(
        is_tech_sme=True, is_high_tech_enterprise=True
    )
    return {"up": riser.enterprise_id, "dropped": dropped.enterprise_id, "new": newcomer.enterprise_id}
