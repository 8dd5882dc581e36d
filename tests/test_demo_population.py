"""The demo generator writes valid, correlated data through the bulk path, and the demo logins work."""

import numpy as np
import pytest
from django.core.management import call_command

from core.validators import is_valid_uscc
from demo.population import generate, previous_year
from enterprises.models import Consent, Enterprise, Submission


def test_generated_firms_are_valid_and_correlated():
    population = generate(5000, np.arange(1, 5001), seed=7)
    firms, filings = population.enterprises, population.submissions
    assert firms.credit_code.is_unique
    assert all(is_valid_uscc(code) for code in firms.credit_code)
    assert set(firms.industry_code.str[0]) <= set("ABCDEFGHIJKLMNOPQRST")
    assert (firms.industry_code.str[0] == firms.section_id).all()
    # The latent strength moves R&D, patents and qualifications together.
    z = population.strength
    assert np.corrcoef(z, np.log1p(filings.rd_expense))[0, 1] > 0.2
    assert np.corrcoef(z, filings.invention_patents)[0, 1] > 0.2
    assert filings.loc[z > 1, "is_high_tech_enterprise"].mean() > filings.loc[z < -1, "is_high_tech_enterprise"].mean()
    # Many zeros, as in real filings; only net profit and net assets may go negative.
    assert (filings.vc_investment == 0).mean() > 0.7
    signed = {"net_profit", "net_assets"}
    numeric = filings.drop(columns=["financing_amount", "financing_term_months"]).select_dtypes("number")
    assert (numeric.drop(columns=list(signed)) >= 0).all().all()
    assert (filings.net_profit < 0).any()
    # Sections lean toward manufacturing, software and research services.
    assert firms.section_id.isin(["C", "I", "M"]).mean() > 0.7


def test_same_seed_gives_the_same_population():
    a = generate(300, np.arange(1, 301), seed=3)
    b = generate(300, np.arange(1, 301), seed=3)
    assert a.submissions.equals(b.submissions)
    assert not a.submissions.equals(generate(300, np.arange(1, 301), seed=4).submissions)


def test_last_years_filings_agree_with_this_years_previous_year_figures():
    filings = generate(3000, np.arange(1, 3001), seed=5).submissions
    last = previous_year(filings, seed=1)
    assert set(last.enterprise_id) == set(filings.enterprise_id[filings.revenue_prev > 0])
    this = filings.set_index("enterprise_id").loc[last.enterprise_id]
    same = np.isclose(last.revenue.to_numpy(), this.revenue_prev.to_numpy())
    assert 0.99 < same.mean() < 1  # a few unit slips, far below: the review's "last year" flag
    assert (last.revenue.to_numpy()[~same] * 10 < this.revenue.to_numpy()[~same]).all()
    assert np.allclose(last.rd_expense.to_numpy(), this.rd_expense_prev.to_numpy())
    assert (last.rd_staff <= last.employees).all() and (last.high_tech_revenue <= last.revenue + 0.01).all()
    numeric = last.drop(columns=["net_profit", "net_assets", "financing_amount", "financing_term_months"])
    assert (numeric.select_dtypes("number") >= 0).all().all()
    assert (last.invention_patents.to_numpy() <= this.invention_patents.to_numpy()).all()


@pytest.mark.django_db
def test_generate_demo_writes_firms_filings_and_consents_that_pass_model_validation():
    call_command("generate_demo", firms=400, seed=1)
    assert Enterprise.objects.count() == 400
    assert Submission.objects.filter(status="approved").count() == 400
    assert 0.75 < Consent.objects.count() / 400 < 0.95
    for enterprise in Enterprise.objects.order_by("?")[:20]:
        enterprise.full_clean()
        enterprise.submissions.get().full_clean()
    call_command("generate_demo", firms=100, seed=2)  # adds more, never collides
    assert Enterprise.objects.count() == 500


@pytest.mark.django_db
def test_demo_setup_creates_a_login_for_every_role(client):
    call_command("demo_setup", firms=300)
    from core.models import User
    from scoring.models import ScoringRun

    trial = ScoringRun.objects.get(trial=True)  # beside the published national-v1 run, to be compared with
    assert (trial.system.key, trial.state, trial.enterprise_count) == ("national-v2", "computed", 300)
    from enterprises.models import Submission
    from enterprises.review_flags import flagged

    queue = Submission.objects.filter(status="submitted")
    assert queue.count() > 12 and flagged(queue, trial.batch, "any").exists()  # the review queue has flags to try
    # A second published run (some filings corrected), so the banks' lists show what changed since the first.
    assert ScoringRun.objects.filter(batch=trial.batch, trial=False, state="published").count() == 1
    assert ScoringRun.objects.filter(batch=trial.batch, trial=False).count() == 2
    from banks.models import Recommendation

    current = Recommendation.objects.filter(run=trial.batch.scoring.published_run)
    assert current.exists() and Recommendation.objects.exclude(run=trial.batch.scoring.published_run).exists()
    # That run is in its notice period (pushed during it) with the demo firm's pending objection to handle.
    from scoring.models import Objection

    published = trial.batch.scoring.published_run
    assert published.notice_open and published.released_at is not None
    assert Objection.objects.filter(run=published, status="pending", enterprise__memberships__user__username="firm")
    # The demo firm's applications (ICBC contacted it, CMB declined it) and its supermarket: below the threshold, it
    # sees the region's products with why it cannot apply yet, rather than an empty shelf.
    from banks.financing_selectors import supermarket
    from banks.models import FinancingApplication

    firm = Enterprise.objects.get(memberships__user__username="firm")
    applied = FinancingApplication.objects.filter(need__enterprise=firm).values_list("bank__code", "status")
    assert dict(applied) == {"icbc": "contacted", "cmb": "declined"}
    shelf = supermarket(enterprise=firm)
    assert shelf and all(line.reasons for line in shelf if not line.available) and not shelf[-1].available
    from scoring.indicator_systems import indicator_system_errors
    from scoring.models import IndicatorSystem

    draft = IndicatorSystem.objects.get(code="sandbox")  # the weight sandbox has a valid draft to preview
    assert not draft.frozen and not indicator_system_errors(draft)
    # Last year's batch: the same firms' 2023 filings beside the queue's, and the "last year" flag on some.
    from enterprises.models import Batch
    from enterprises.selectors import filing_comparison, previous_submission

    last_year = Batch.objects.get(year=2023)
    assert last_year.status == "closed" and last_year.submissions.filter(status="approved").count() > 250
    assert flagged(queue, trial.batch, "last_year").exists()  # growth beyond 10× last year's filing
    waiting = queue.order_by("pk").first()
    previous = previous_submission(submission=waiting)
    assert previous.batch == last_year
    revenue = next(row for row in filing_comparison(submission=waiting, previous=previous) if row["name"] == "revenue")
    assert revenue["previous"] == previous.revenue and revenue["change_label"].endswith(" %")
    client.force_login(User.objects.get(username="bureau"))
    page = client.get(f"/bureau/review/{waiting.pk}/").content.decode()
    assert "2023" in page and revenue["change_label"] in page
    client.logout()
    # A draft local system to edit and preview, the trial run to compare.
    from scoring.indicator_systems import indicator_system_errors
    from scoring.models import IndicatorSystem

    local = IndicatorSystem.objects.get(code="guangdong")
    assert not local.frozen and local.region_scope == "44" and local.indicators.filter(code="L1").exists()
    assert indicator_system_errors(local) == []
    # ... with a local indicator on the Guangdong batch's extra field, filed by that region's firms.
    assert local.indicators.get(code="L2").source_field == "provincial_platforms"
    guangdong = Batch.objects.get(region_scope="44")
    assert list(guangdong.extra_fields.values_list("code", flat=True)) == ["provincial_platforms"]
    gd_filings = guangdong.submissions.filter(status="approved")
    assert gd_filings.count() == trial.batch.submissions.filter(enterprise__region_code__startswith="44").count() > 0
    assert gd_filings.filter(extra_values__has_key="provincial_platforms").exists()
    filed_last_year, filed_locally = last_year.submissions.count(), gd_filings.count()
    call_command("demo_setup", firms=300)  # running it again adds nothing
    assert (Batch.objects.count(), last_year.submissions.count(), guangdong.submissions.count()) == (
        3, filed_last_year, filed_locally)  # fmt: skip
    assert local.indicators.filter(code="L2").count() == 1
    assert IndicatorSystem.objects.filter(code="guangdong").count() == 1
    for username in ("admin", "bureau", "bureau-gd", "icbc", "icbc-gd", "cmb", "guarantor", "firm"):
        assert client.login(username=username, password="Demo-2024!"), username
        assert client.get("/").status_code == 200
        client.logout()
    # The firm logins' reports read as the README says: their filings stay approved (the review queue and the
    # corrections take other firms), and firm2 is recommended below grade A, so it sees ranked loan products.
    from scoring.models import Score

    published = trial.batch.scoring.published_run
    for username in ("firm", "firm2"):
        filing = Submission.objects.get(batch=trial.batch, enterprise__memberships__user__username=username)
        assert filing.status == "approved", username
    firm2 = Score.objects.get(run=published, enterprise__memberships__user__username="firm2")
    assert firm2.eligible and firm2.grade != "A"
    assert client.login(username="firm2", password="Demo-2024!")
    assert client.get("/enterprise/report/").content.decode().count("LPR") >= 1


def test_the_demo_funnel_matches_the_national_figures_under_national_v1():
    """520,000 collected → about 70,000 recommendable (±20 %): a share of 10.8 %–16.2 %."""
    from scoring.engine import BOOL_FIELDS, NUMERIC_FIELDS, Population, score
    from scoring.engine.defaults import NATIONAL_V1

    n = 40_000
    demo = generate(n, np.arange(1, n + 1), seed=11)
    firms, filings = demo.enterprises, demo.submissions
    population = Population(
        enterprise_id=firms.id.to_numpy(np.int64),
        section=(firms.section_id.map(ord).to_numpy() - ord("A")).astype(np.uint8),
        province=firms.region_code.str[:2].astype(int).to_numpy(),
        established=firms.established.to_numpy().astype("datetime64[D]"),
        values={name: filings[name].to_numpy(np.float64) for name in NUMERIC_FIELDS},
        flags={name: filings[name].to_numpy(bool) for name in BOOL_FIELDS},
        approved=np.ones(n, bool),
        consent=demo.consenting,
        reference_date="2024-12-31",
    )
    share = score(population, NATIONAL_V1).eligible.mean()
    assert 0.108 <= share <= 0.162, f"{share:.2%} recommendable"
